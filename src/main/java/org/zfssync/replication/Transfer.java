package org.zfssync.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.host.RunningCommand;

/**
 * One stream from a sending host to a receiving host, relayed and counted by zfs-sync: the
 * sender and the receiver each run on their own connection, and the bytes pass through here so
 * they are counted without {@code zfs send -v}. Both exit statuses are checked; a failure
 * reports which side failed and its stderr. A stream whose byte count stops moving for the
 * stall timeout is killed (and reported as stalled) rather than left hanging.
 */
public final class Transfer {
    private static final int BUFFER = 1 << 20;
    private final Host sourceHost;
    private final Host targetHost;
    private final Duration stallTimeout;
    private final RateLimiter limiter;
    private final AtomicLong bytes = new AtomicLong();

    /** @param limiter caps the rate ({@code --bwlimit}), or null for none */
    public Transfer(Host sourceHost, Host targetHost, Duration stallTimeout, RateLimiter limiter) {
        this.sourceHost = sourceHost;
        this.targetHost = targetHost;
        this.stallTimeout = stallTimeout;
        this.limiter = limiter;
    }

    /** Bytes moved so far; readable from another thread for progress. */
    public long bytes() {
        return bytes.get();
    }

    /** Runs the stream to the end; returns the bytes moved or throws naming the failed side. */
    public long run(Command send, Command receive) {
        RunningCommand receiver = targetHost.start(receive);
        RunningCommand sender;
        try {
            sender = sourceHost.start(send);
        } catch (RuntimeException e) {
            receiver.kill();
            receiver.await();
            throw e;
        }
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
        CommandResult received = receiver.await();
        CommandResult sent = sender.await();
        List<CommandResult> stages = new ArrayList<>(List.of(sent, received));
        if (!received.ok() && (receiverGaveUp || sent.ok())) {
            throw new TransferFailedException(received, stages, bytes.get(), stalled.get());
        }
        if (!sent.ok()) {
            throw new TransferFailedException(sent, stages, bytes.get(), stalled.get());
        }
        if (!received.ok()) {
            throw new TransferFailedException(received, stages, bytes.get(), stalled.get());
        }
        return bytes.get();
    }

    private ScheduledExecutorService watch(RunningCommand sender, RunningCommand receiver, AtomicBoolean stalled) {
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
