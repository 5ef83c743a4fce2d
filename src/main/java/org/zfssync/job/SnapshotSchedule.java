package org.zfssync.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.zfssync.schedule.DurationText;

/**
 * When a job's own snapshot is due ({@code snapshot-every: 15m}): once the newest one is at least
 * that old. A little slack lets a cron line that fires every 15 minutes take one each time even
 * when the previous run started a few seconds late.
 */
public record SnapshotSchedule(Duration every) {
    /** A run this much early still counts as due: cron and systemd timers jitter. */
    static final Duration SLACK = Duration.ofSeconds(30);

    public SnapshotSchedule {
        if (every.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("snapshot-every must be at least 1m, got " + every.toSeconds() + "s");
        }
    }

    /** {@code 90s}, {@code 15m}, {@code 1h}, {@code 1d}, {@code 1w}. */
    public static SnapshotSchedule parse(String text) {
        return new SnapshotSchedule(DurationText.parse("snapshot-every", text));
    }

    /** Due when there is none yet, or the newest is at least {@code every} (less the slack) old. */
    public boolean isDue(Optional<Instant> newest, Instant now) {
        return newest.isEmpty() || !newest.get().plus(every).minus(SLACK).isAfter(now);
    }
}
