package org.zfssync.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.RunningPipeline;

/**
 * One stream from a sending host to a receiving host, carried by a {@link Transport} (relayed
 * through zfs-sync, or direct from host to host). Every stage's exit status, on both sides, is
 * checked; a failure reports which stage failed, where, and its stderr. A stream whose byte count
 * stops moving for the stall timeout is stopped (and reported as stalled) rather than left hanging.
 */
public final class Transfer {
    /** 128 + SIGPIPE: a stage whose reader went away first. */
    private static final int SIGPIPE_EXIT = 141;
    private final Transport transport;
    private final Duration stallTimeout;
    private final RateLimiter limiter;
    private final Cancellation cancellation;
    private volatile RunningStream running;
    private volatile long finalBytes;

    /** @param limiter caps the rate ({@code --bwlimit}), or null for none */
    public Transfer(Host sourceHost, Host targetHost, Duration stallTimeout, RateLimiter limiter) {
        this(new RelayTransport(sourceHost, targetHost), stallTimeout, limiter, new Cancellation());
    }

    /** @param cancellation stops the stream at once when the run is cancelled */
    public Transfer(Host sourceHost, Host targetHost, Duration stallTimeout, RateLimiter limiter,
                    Cancellation cancellation) {
        this(new RelayTransport(sourceHost, targetHost), stallTimeout, limiter, cancellation);
    }

    /** @param transport carries the stream */
    public Transfer(Transport transport, Duration stallTimeout, RateLimiter limiter, Cancellation cancellation) {
        this.transport = transport;
        this.cancellation = cancellation;
        this.stallTimeout = stallTimeout;
        this.limiter = limiter;
    }

    /** Bytes moved so far; readable from another thread for progress. */
    public long bytes() {
        RunningStream r = running;
        return r == null ? finalBytes : r.bytes();
    }

    /** Runs the stream to the end; returns the bytes moved or throws naming the failed stage. */
    public long run(TransferPipeline pipeline) {
        return run(pipeline, false);
    }

    /**
     * As {@link #run(TransferPipeline)}; a {@code small} stream ({@link StreamSize}) may go on
     * the transport's kept connections.
     */
    public long run(TransferPipeline pipeline, boolean small) {
        cancellation.throwIfCancelled();
        RunningStream stream = small ? transport.startSmall(pipeline, limiter) : transport.start(pipeline, limiter);
        running = stream;
        cancellation.register(stream);
        try {
            return finish(stream);
        } finally {
            cancellation.unregister(stream);
            finalBytes = stream.bytes();
            running = null;
        }
    }

    /**
     * How a sequence of streams ended ({@link #runSequence}).
     *
     * @param ended   one result per send and per receive, in order
     * @param bytes   bytes moved in all
     * @param stalled the byte count stopped moving for the stall timeout, and the sequence was stopped
     */
    record SequenceEnded(RunningStream.Ended ended, long bytes, boolean stalled) {
    }

    /**
     * Runs many small streams as one ({@link Transport#startSequence}) to its end, with the same
     * stall detection, rate limit and cancellation as one stream. Never throws for a failed
     * stream: the caller reads which ones arrived from the results.
     */
    SequenceEnded runSequence(List<TransferPipeline> streams) {
        cancellation.throwIfCancelled();
        RunningStream stream = transport.startSequence(streams, limiter);
        running = stream;
        cancellation.register(stream);
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watchdog = watch(stream, stalled);
        try {
            RunningStream.Ended ended = stream.await();
            return new SequenceEnded(ended, stream.bytes(), stalled.get());
        } finally {
            watchdog.shutdownNow();
            cancellation.unregister(stream);
            finalBytes = stream.bytes();
            running = null;
        }
    }

    private long finish(RunningStream stream) {
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watchdog = watch(stream, stalled);
        RunningStream.Ended ended;
        try {
            ended = stream.await();
        } finally {
            watchdog.shutdownNow();
        }
        long bytes = stream.bytes();
        List<CommandResult> sent = ended.sent();
        List<CommandResult> received = ended.received();
        List<CommandResult> stages = new ArrayList<>(sent);
        stages.addAll(received);
        if (!RunningPipeline.allOk(sent) || !RunningPipeline.allOk(received)) {
            throw new TransferFailedException(blamed(sent, received, ended.receiverGaveUp()), stages, bytes,
                    stalled.get());
        }
        return bytes;
    }

    /**
     * The stage a failed stream is blamed on: the receiving side's culprit when it gave up first
     * or the sending side did not fail, else the sending side's.
     */
    static CommandResult blamed(List<CommandResult> sent, List<CommandResult> received, boolean receiverGaveUp) {
        if (!RunningPipeline.allOk(received) && (receiverGaveUp || RunningPipeline.allOk(sent))) {
            return culprit(received);
        }
        return culprit(sent);
    }

    /**
     * The stage that failed first in cause within one side: the first, in data order, that did
     * not fail only because a stage after it had gone (killed by SIGPIPE, or "Broken pipe").
     * Stages after the culprit that choke on its truncated output come later in data order.
     */
    static CommandResult culprit(List<CommandResult> side) {
        CommandResult fallback = null;
        for (CommandResult r : side) {
            if (r.ok()) {
                continue;
            }
            if (fallback == null) {
                fallback = r;
            }
            if (!isVictim(r)) {
                return r;
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("no stage failed");
        }
        return fallback;
    }

    /** A stage that failed only because the stage after it had gone: killed by SIGPIPE, or "Broken pipe". */
    static boolean isVictim(CommandResult r) {
        return r.exitCode() == SIGPIPE_EXIT || r.stderr().toLowerCase(Locale.ROOT).contains("broken pipe");
    }

    private ScheduledExecutorService watch(RunningStream stream, AtomicBoolean stalled) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stall watchdog");
            t.setDaemon(true);
            return t;
        });
        long[] last = {-1, System.nanoTime()};
        watchdog.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            long moved = stream.bytes();
            if (moved != last[0]) {
                last[0] = moved;
                last[1] = now;
            } else if (now - last[1] > stallTimeout.toNanos()) {
                stalled.set(true);
                stream.stop();
            }
        }, 1, 1, TimeUnit.SECONDS);
        return watchdog;
    }
}
