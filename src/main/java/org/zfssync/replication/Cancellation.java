package org.zfssync.replication;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A run's cancellation: set once (SIGTERM, SIGINT, a deadline), it stops every running stream at
 * once, wakes every retry wait, and makes each worker stop before its next step. What the run
 * holds is then released by the run itself on its normal way out: the receive keeps its resume
 * state (receives always run with {@code -s}), holds are released, connections closed.
 */
public final class Cancellation {
    private final Set<RunningStream> running = ConcurrentHashMap.newKeySet();
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private volatile String reason;

    /** The run was cancelled: no further step starts. */
    public static final class CancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancelledException(String reason) {
            super("cancelled (" + reason + ")");
        }
    }

    public void cancel(String why) {
        if (reason == null) {
            reason = why;
        }
        cancelled.countDown();
        running.forEach(RunningStream::stop);
    }

    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    /** Why, or null while not cancelled. */
    public String reason() {
        return reason;
    }

    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new CancelledException(reason);
        }
    }

    /** A running stream, stopped at once when the run is cancelled (even if it already was). */
    void register(RunningStream stream) {
        running.add(stream);
        if (isCancelled()) {
            stream.stop();
        }
    }

    void unregister(RunningStream stream) {
        running.remove(stream);
    }

    /** A sleeper for retry waits that wakes the moment the run is cancelled. */
    public Sleeper sleeper() {
        return d -> {
            if (cancelled.await(d.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CancelledException(reason);
            }
        };
    }

    /** Waits up to {@code timeout} for cancellation; true if it came. */
    public boolean await(Duration timeout) throws InterruptedException {
        return cancelled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
