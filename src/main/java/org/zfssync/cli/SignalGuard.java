package org.zfssync.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.replication.Cancellation;

/**
 * Turns SIGTERM (systemd stop, timeout, kill) and SIGINT (Ctrl-C) into a clean cancellation of
 * the run: the JVM's shutdown hook cancels it (streams stop, receives keep their resume state)
 * and then waits, up to a deadline, for the run to release its holds, close its connections and
 * print its summary. The process then exits as the signal says (143 for SIGTERM, 130 for SIGINT),
 * so a supervisor sees that it was stopped, not that it failed.
 */
final class SignalGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignalGuard.class);
    /** Within systemd's default stop timeout (90 s): releasing holds and closing connections takes seconds. */
    static final Duration DEADLINE = Duration.ofSeconds(60);
    private final Cancellation cancellation = new Cancellation();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private SignalGuard() {
        hook = new Thread(this::onSignal, "zfs-sync signal");
    }

    static SignalGuard install() {
        SignalGuard guard = new SignalGuard();
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    private void onSignal() {
        if (finished.getCount() == 0) {
            return; // the run ended first: a normal exit
        }
        LOG.warn("stopping on a signal: cancelling the streams (targets keep what arrived, resumable), releasing "
                + "holds, closing connections");
        cancellation.cancel("stopped by a signal");
        try {
            if (!finished.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("the run did not finish its cleanup within {} s; exiting anyway (the next run of this pair "
                        + "releases what is left)", DEADLINE.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The run has released what it held and printed its summary; a signal now only ends the process. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Shutdown has begun (a signal): the hook is running and returns now that the run is done.
        }
    }
}
