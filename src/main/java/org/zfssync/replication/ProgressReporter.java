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
 * redrawn every second; otherwise (cron, systemd, CI) a log line every few seconds. It is also the
 * source of the run's progress events: with a {@link Sink}, it ticks every second whatever it shows.
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

    /** Receives the counter once a second (bytes so far, average bytes per second of this stream). */
    @FunctionalInterface
    interface Sink {
        void progress(long bytes, long bytesPerSecond);
    }

    private final ScheduledExecutorService timer;
    private final Sink sink;
    private final long bytesAtStart;
    private long ticks;
    private final String label;
    private final long estimate;
    private final LongSupplier bytes;
    private final Style style;
    private final PrintStream terminal;
    private final long start = System.nanoTime();

    private ProgressReporter(String label, long estimate, LongSupplier bytes, Style style, PrintStream terminal,
                             Sink sink) {
        this.sink = sink;
        this.bytesAtStart = bytes.getAsLong();
        this.label = label;
        this.estimate = estimate;
        this.bytes = bytes;
        this.style = style;
        this.terminal = terminal;
        this.timer = style == Style.NONE && sink == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress " + label);
            t.setDaemon(true);
            return t;
        });
        if (timer != null) {
            long period = style == Style.LOG && sink == null ? LOG_EVERY_SECONDS : 1;
            timer.scheduleAtFixedRate(this::show, period, period, TimeUnit.SECONDS);
        }
    }

    static ProgressReporter start(String label, long estimate, LongSupplier bytes, Style style) {
        return start(label, estimate, bytes, style, null);
    }

    /** @param sink null when nobody listens for progress events */
    static ProgressReporter start(String label, long estimate, LongSupplier bytes, Style style, Sink sink) {
        return new ProgressReporter(label, estimate, bytes, style, System.err, sink);
    }

    private String line() {
        return ProgressLine.format(label, bytes.getAsLong(), estimate, (System.nanoTime() - start) / 1e9);
    }

    /** One tick of the timer (its only thread): the sink every tick; a log line every LOG_EVERY_SECONDS. */
    private void show() {
        ticks++;
        if (sink != null) {
            double seconds = (System.nanoTime() - start) / 1e9;
            long now = bytes.getAsLong();
            sink.progress(now, seconds > 0 ? (long) ((now - bytesAtStart) / seconds) : 0);
        }
        if (style == Style.TERMINAL) {
            terminal.print("\r" + line() + "\u001b[K");
            terminal.flush();
        } else if (style == Style.LOG && (sink == null || ticks % LOG_EVERY_SECONDS == 0)) {
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
