package org.zfssync.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.RunningPipeline;

/**
 * One stream from a sending host to a receiving host, relayed and counted by zfs-sync: the
 * sender and the receiver each run on their own connection, and the bytes pass through here so
 * they are counted without {@code zfs send -v}. Every stage's exit status, on both sides, is
 * checked; a failure reports which stage failed, where, and its stderr. A stream whose byte count stops moving for the
 * stall timeout is killed (and reported as stalled) rather than left hanging.
 */
public final class Transfer {
    private static final int BUFFER = 1 << 20;
    /** 128 + SIGPIPE: a stage whose reader went away first. */
    private static final int SIGPIPE_EXIT = 141;
    private final Host sourceHost;
    private final Host targetHost;
    private final Duration stallTimeout;
    private final RateLimiter limiter;
    private final AtomicLong bytes = new AtomicLong();
    private final Cancellation cancellation;

    /** @param limiter caps the rate ({@code --bwlimit}), or null for none */
    public Transfer(Host sourceHost, Host targetHost, Duration stallTimeout, RateLimiter limiter) {
        this(sourceHost, targetHost, stallTimeout, limiter, new Cancellation());
    }

    /** @param cancellation stops both halves at once when the run is cancelled */
    public Transfer(Host sourceHost, Host targetHost, Duration stallTimeout, RateLimiter limiter,
                    Cancellation cancellation) {
        this.cancellation = cancellation;
        this.sourceHost = sourceHost;
        this.targetHost = targetHost;
        this.stallTimeout = stallTimeout;
        this.limiter = limiter;
    }

    /** Bytes moved so far; readable from another thread for progress. */
    public long bytes() {
        return bytes.get();
    }

    /** Runs the stream to the end; returns the bytes moved or throws naming the failed stage. */
    public long run(TransferPipeline pipeline) {
        cancellation.throwIfCancelled();
        RunningPipeline receiver = targetHost.start(pipeline.receiver());
        cancellation.register(receiver);
        RunningPipeline sender;
        try {
            sender = sourceHost.start(pipeline.sender());
        } catch (RuntimeException e) {
            receiver.kill();
            receiver.await();
            cancellation.unregister(receiver);
            throw e;
        }
        cancellation.register(sender);
        try {
            return relay(sender, receiver);
        } finally {
            cancellation.unregister(sender);
            cancellation.unregister(receiver);
        }
    }

    private long relay(RunningPipeline sender, RunningPipeline receiver) {
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watchdog = watch(sender, receiver, stalled);
        boolean receiverGaveUp;
        try {
            receiverGaveUp = pump(sender.stdout(), receiver.stdin());
        } finally {
            watchdog.shutdownNow();
        }
        if (receiverGaveUp) {
            // The receiver closed its end: the sender cannot finish; stop it rather than let it block.
            sender.kill();
        }
        List<CommandResult> received = receiver.await();
        List<CommandResult> sent = sender.await();
        List<CommandResult> stages = new ArrayList<>(sent);
        stages.addAll(received);
        boolean sentOk = RunningPipeline.allOk(sent);
        boolean receivedOk = RunningPipeline.allOk(received);
        if (!receivedOk && (receiverGaveUp || sentOk)) {
            throw new TransferFailedException(culprit(received), stages, bytes.get(), stalled.get());
        }
        if (!sentOk) {
            throw new TransferFailedException(culprit(sent), stages, bytes.get(), stalled.get());
        }
        return bytes.get();
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
            boolean victim = r.exitCode() == SIGPIPE_EXIT || r.stderr().toLowerCase(Locale.ROOT).contains("broken pipe");
            if (!victim) {
                return r;
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("no stage failed");
        }
        return fallback;
    }

    private ScheduledExecutorService watch(RunningPipeline sender, RunningPipeline receiver, AtomicBoolean stalled) {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stall watchdog");
            t.setDaemon(true);
            return t;
        });
        long[] last = {-1, System.nanoTime()};
        watchdog.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            long moved = bytes.get();
            if (moved != last[0]) {
                last[0] = moved;
                last[1] = now;
            } else if (now - last[1] > stallTimeout.toNanos()) {
                stalled.set(true);
                sender.kill();
                receiver.kill();
            }
        }, 1, 1, TimeUnit.SECONDS);
        return watchdog;
    }

    /** Copies until the sender's end; true if the receiver stopped reading first. */
    private boolean pump(InputStream from, OutputStream to) {
        byte[] buffer = new byte[BUFFER];
        try (from) {
            int n;
            while ((n = from.read(buffer)) > 0) {
                if (limiter != null) {
                    limiter.acquire(n);
                }
                try {
                    to.write(buffer, 0, n);
                } catch (IOException e) {
                    return true;
                }
                bytes.addAndGet(n);
            }
        } catch (IOException e) {
            // The sender's stream broke: its exit status says why.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                to.close();
            } catch (IOException e) {
                // Closing a pipe whose reader is gone: its exit status says why.
            }
        }
        return false;
    }
}
