package org.zfssync.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.history.HistoryStore;
import org.zfssync.history.RunRecord;
import org.zfssync.job.Job;
import org.zfssync.job.JobTiming;
import org.zfssync.schedule.Schedule;
import org.zfssync.web.JobStatus;
import org.zfssync.web.JobTrigger;
import org.zfssync.web.RunSummary;
import org.zfssync.web.ServiceStatus;
import org.zfssync.web.StatusSource;
import org.zfssync.web.TargetStatus;
import org.zfssync.web.TriggerResult;

/**
 * The daemon as the status page, the API and the metrics see it: the jobs of the config as it
 * stands, each target's standing from the {@link TargetBook}, the next slot from the scheduler,
 * and the recent runs from the history (when there is one).
 */
final class DaemonStatus implements StatusSource, JobTrigger {
    /** Recent runs on the page: the last day's, at most this many. */
    private static final int RECENT = 20;
    private final Daemon daemon;
    private final TargetBook book;
    private final HistoryStore history;
    private final Clock clock;

    /** @param history null without a run history ({@code --no-history}): the page then lists no past runs */
    DaemonStatus(Daemon daemon, TargetBook book, HistoryStore history, Clock clock) {
        this.daemon = daemon;
        this.book = book;
        this.history = history;
        this.clock = clock;
    }

    @Override
    public ServiceStatus status() {
        Instant now = clock.instant();
        List<JobStatus> jobs = new ArrayList<>();
        for (Job job : daemon.config().jobs()) {
            List<TargetStatus> targets = new ArrayList<>();
            for (String target : job.targets()) {
                targets.add(book.status(new TargetBook.Key(job.name(), TargetBook.normalise(target))));
            }
            Duration[] rpo = thresholds(JobTiming.of(job));
            jobs.add(new JobStatus(job.name(), targets, rpo[0], rpo[1], daemon.nextRun(job.name()).orElse(null),
                    daemon.isRunning(job.name())));
        }
        return new ServiceStatus(now, jobs, book.running(), runs(null, now.minus(Duration.ofDays(1)), RECENT));
    }

    /**
     * A job's {@code rpo-warn} and {@code rpo-critical}. Unset, warning comes at three replication
     * intervals (a day without a schedule) and critical at twice the warning; one set alone gives
     * the other by the same factor of two.
     */
    static Duration[] thresholds(JobTiming timing) {
        Optional<Duration> warn = timing.rpoWarn();
        Optional<Duration> critical = timing.rpoCritical();
        if (warn.isPresent() && critical.isPresent()) {
            return new Duration[] {warn.get(), critical.get()};
        }
        if (warn.isPresent()) {
            return new Duration[] {warn.get(), warn.get().multipliedBy(2)};
        }
        if (critical.isPresent()) {
            return new Duration[] {critical.get().dividedBy(2), critical.get()};
        }
        Duration w = timing.replicate().filter(s -> s instanceof Schedule.Every)
                .map(s -> ((Schedule.Every) s).every().multipliedBy(3)).orElse(Duration.ofDays(1));
        return new Duration[] {w, w.multipliedBy(2)};
    }

    @Override
    public List<RunSummary> runs(String job, Instant since, int limit) {
        if (history == null) {
            return List.of();
        }
        List<RunSummary> result = new ArrayList<>();
        long id = 0;
        for (RunRecord r : history.runs(job, since, limit)) {
            result.add(new RunSummary(++id, r.job(), r.source(), r.target(), r.started(), r.ended(), r.result(),
                    r.bytes(), r.error()));
        }
        return result;
    }

    @Override
    public TriggerResult trigger(String job) {
        return daemon.trigger(job);
    }
}
