package org.zfssync.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A job's replication windows, in its timezone. At any instant the first listed window that covers
 * it decides: whether a replication may start there and the bandwidth cap of running transfers
 * (its own {@code bwlimit}, else the job's). Outside every window a replication may start and runs
 * at the job's {@code bwlimit}. So "20M on weekdays 08:00-18:00, unlimited otherwise" is one window,
 * and "nights only" is one window from 06:00 to 22:00 with {@code replicate: false}.
 */
public final class Windows {
    /** Far enough ahead to see every boundary of a weekly pattern, DST shifts included. */
    private static final int DAYS_AHEAD = 8;
    private final List<Window> windows;
    private final ZoneId zone;
    private final long defaultBytesPerSecond;

    /** @param defaultBytesPerSecond the job's own {@code bwlimit}, 0 for none */
    public Windows(List<Window> windows, ZoneId zone, long defaultBytesPerSecond) {
        this.windows = List.copyOf(windows);
        this.zone = zone;
        this.defaultBytesPerSecond = defaultBytesPerSecond;
    }

    /** No windows: a replication may always start, at the job's limit. */
    public static Windows always(long defaultBytesPerSecond) {
        return new Windows(List.of(), ZoneId.of("UTC"), defaultBytesPerSecond);
    }

    public List<Window> windows() {
        return windows;
    }

    /** Whether a replication may start at {@code t}. */
    public boolean mayStart(Instant t) {
        return covering(t).map(Window::replicate).orElse(true);
    }

    /** The cap on running transfers at {@code t}, in bytes per second; 0 when unlimited. */
    public long bwlimitAt(Instant t) {
        return covering(t).map(Window::bytesPerSecond).filter(b -> b > 0).orElse(defaultBytesPerSecond);
    }

    /** Whether any instant has a cap: the job's own {@code bwlimit}, or a window's. */
    public boolean everLimits() {
        return defaultBytesPerSecond > 0 || windows.stream().anyMatch(w -> w.bytesPerSecond() > 0);
    }

    /**
     * The first instant after {@code t} where {@link #mayStart} or {@link #bwlimitAt} answer
     * differently from at {@code t}: the daemon re-limits running transfers exactly there, and
     * wakes there to start what a closed window held back. Empty when nothing ever changes.
     */
    public Optional<Instant> nextChange(Instant t) {
        boolean start = mayStart(t);
        long limit = bwlimitAt(t);
        for (Instant b : boundariesAfter(t)) {
            if (mayStart(b) != start || bwlimitAt(b) != limit) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The first instant from {@code t} on where a replication may start; empty if never. */
    public Optional<Instant> nextStart(Instant t) {
        if (mayStart(t)) {
            return Optional.of(t);
        }
        for (Instant b : boundariesAfter(t)) {
            if (mayStart(b)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    private Optional<Window> covering(Instant t) {
        LocalDate today = t.atZone(zone).toLocalDate();
        for (Window w : windows) {
            // A window from yesterday may still run overnight into today.
            for (LocalDate d = today.minusDays(1); !d.isAfter(today); d = d.plusDays(1)) {
                if (w.days().contains(d.getDayOfWeek()) && w.on(d, zone).contains(t)) {
                    return Optional.of(w);
                }
            }
        }
        return Optional.empty();
    }

    private List<Instant> boundariesAfter(Instant t) {
        TreeSet<Instant> all = new TreeSet<>();
        LocalDate today = t.atZone(zone).toLocalDate();
        Instant horizon = t.plus(Duration.ofDays(DAYS_AHEAD));
        for (Window w : windows) {
            for (LocalDate d = today.minusDays(1); !d.isAfter(today.plusDays(DAYS_AHEAD)); d = d.plusDays(1)) {
                if (w.days().contains(d.getDayOfWeek())) {
                    Window.Span s = w.on(d, zone);
                    all.add(s.start());
                    all.add(s.end());
                }
            }
        }
        return new ArrayList<>(all.subSet(t, false, horizon, true));
    }

    @Override
    public String toString() {
        return windows.size() + " window(s) in " + zone;
    }
}
