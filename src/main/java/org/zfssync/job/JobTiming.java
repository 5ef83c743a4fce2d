package org.zfssync.job;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.zfssync.replication.RateLimiter;
import org.zfssync.schedule.DurationText;
import org.zfssync.schedule.Schedule;
import org.zfssync.schedule.Window;
import org.zfssync.schedule.Windows;

/**
 * When the daemon runs a job, read from its (validated) settings: replication by
 * {@code replicate-every} or {@code cron} in the job's timezone, its own snapshots by
 * {@code snapshot-every}, pruning by {@code prune-every}, a deep verify of each target by
 * {@code verify-every}; its windows, and its RPO thresholds.
 * An absent schedule means the daemon does not run that step on its own.
 */
public record JobTiming(Optional<Schedule> replicate, Optional<Schedule> snapshot, Optional<Schedule> prune,
                        Windows windows, Optional<Duration> rpoWarn, Optional<Duration> rpoCritical,
                        Optional<Schedule> verify) {

    public static JobTiming of(Job job) {
        Settings s = job.settings();
        ZoneId zone = zone(s);
        Optional<Schedule> replicate = s.cron() != null ? Optional.of(Schedule.cron(s.cron(), zone))
                : every("replicate-every", s.replicateEvery());
        long bwlimit = s.bwlimit() == null ? 0 : RateLimiter.parseRate(s.bwlimit());
        List<Window> windows = s.windows() == null ? List.of() : s.windows().stream().map(JobTiming::window).toList();
        return new JobTiming(replicate, every("snapshot-every", s.snapshotEvery()), every("prune-every", s.pruneEvery()),
                new Windows(windows, zone, bwlimit), duration("rpo-warn", s.rpoWarn()),
                duration("rpo-critical", s.rpoCritical()), every("verify-every", s.verifyEvery()));
    }

    /** The job's timezone: where its windows, cron times and retention periods are read (UTC by default). */
    public static ZoneId zone(Settings s) {
        return s.timezone() == null ? ZoneOffset.UTC : ZoneId.of(s.timezone());
    }

    /** One window as written; {@code from} defaults to 00:00 and {@code to} to 24:00. */
    static Window window(WindowSpec w) {
        LocalTime from = w.from() == null ? LocalTime.MIDNIGHT : Window.parseTime("from", w.from());
        LocalTime to = w.to() == null ? LocalTime.MIDNIGHT : Window.parseTime("to", w.to());
        long limit = w.bwlimit() == null ? 0 : RateLimiter.parseRate(w.bwlimit());
        return new Window(Window.parseDays(w.days()), from, to, limit, w.replicate() == null || w.replicate());
    }

    private static Optional<Schedule> every(String key, String text) {
        return duration(key, text).map(Schedule::every);
    }

    private static Optional<Duration> duration(String key, String text) {
        return Optional.ofNullable(text).map(t -> DurationText.parse(key, t));
    }
}
