package org.zfssync.replication;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a running stream's progress from zfs-sync's own byte counter: on a terminal a line
 * redrawn every second; otherwise (cron, systemd, CI) a log line every few seconds.
 */
final class ProgressReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
    private static final long LOG_EVERY_SECONDS = 10;

    /** Where progress goes. */
    enum Style {
        /** Redrawn in place on stderr. */
        TERMINAL,
        /** A log line every few seconds. */
        LOG,
        /** Nothing (tests, --json consumers that want quiet logs). */
        NONE
    }

    private final ScheduledExecutorService timer;
    private final String label;
    private final long estimate;
    private final LongSupplier bytes;
    private final Style style;
    private final PrintStream terminal;
    private final long start = System.nanoTime();

    private ProgressReporter(String label, long estimate, LongSupplier bytes, Style style, PrintStream terminal) {
        this.label = label;
        this.estimate = estimate;
        this.bytes = bytes;
        this.style = style;
        this.terminal = terminal;
        this.timer = style == Style.NONE ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress " + label);
            t.setDaemon(true);
            return t;
        });
        if (timer != null) {
            long period = style == Style.TERMINAL ? 1 : LOG_EVERY_SECONDS;
            timer.scheduleAtFixedRate(this::show, period, period, TimeUnit.SECONDS);
        }
    }

    static ProgressReporter start(String label, long estimate, LongSupplier bytes, Style style) {
        return new ProgressReporter(label, estimate, bytes, style, System.err);
    }

    private String line() {
        return ProgressLine.format(label, bytes.getAsLong(), estimate, (System.nanoTime() - start) / 1e9);
    }

    private void show() {
        if (style == Style.TERMINAL) {
            terminal.print("\r" + line() + "\u001b[K");
            terminal.flush();
        } else {
            LOG.info("{}", line());
        }
    }

    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        if (style == Style.TERMINAL) {
            terminal.print("\r" + line() + "\u001b[K\n");
            terminal.flush();
        }
    }
}
