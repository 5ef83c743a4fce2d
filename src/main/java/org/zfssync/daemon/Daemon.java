package org.zfssync.daemon;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvents;
import org.zfssync.host.HostPool;
import org.zfssync.job.Config;
import org.zfssync.job.ConfigException;
import org.zfssync.job.ConfigLoader;
import org.zfssync.job.Job;
import org.zfssync.job.JobRunner;
import org.zfssync.job.JobTiming;
import org.zfssync.lock.LockConflictException;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.lock.Wait;
import org.zfssync.replication.Cancellation;
import org.zfssync.replication.RateLimiter;
import org.zfssync.schedule.Scheduler;
import org.zfssync.web.TriggerResult;

/**
 * {@code zfs-sync daemon}: runs the jobs of one config file on their schedules until stopped.
 * One loop thread decides (the pure {@link Scheduler}: what is due, what is skipped because its
 * job still runs, when to look again); each job run goes to a worker thread under the job's run
 * lock, exactly as {@code zfs-sync run} takes it, so a timer or a person running the same job
 * meanwhile is refused rather than doubled. At every window boundary the running jobs' bandwidth
 * is set anew. SIGHUP or {@code zfs-sync reload} re-reads the file: a broken one is rejected with
 * each problem logged, and the jobs go on as they were.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** The loop looks at least this often: RPO alerts and reminders need no exact wake-up. */
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(15);
    /** A stop waits this long for running jobs to cancel their streams and release their holds. */
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(55);

    /** What a job run does, and the scheduler key it runs under ({@code JOB:replicate}). */
    enum Step {
        REPLICATE, SNAPSHOT, PRUNE, VERIFY;

        String key(String job) {
            return job + ":" + name().toLowerCase(java.util.Locale.ROOT);
        }

        static Step of(String key) {
            return valueOf(key.substring(key.lastIndexOf(':') + 1).toUpperCase(java.util.Locale.ROOT));
        }

        static String job(String key) {
            return key.substring(0, key.lastIndexOf(':'));
        }
    }

    private sealed interface Request permits Trigger, Reload, Wake {
    }

    private record Trigger(String job) implements Request {
    }

    private record Reload() implements Request {
    }

    private record Wake() implements Request {
    }

    /** A job being run now: its step and the bandwidth cap the loop moves at window boundaries. */
    private record Running(Step step, RateLimiter bandwidth, JobTiming timing) {
    }

    private final Path configFile;
    private final Path lockDir;
    private final Clock clock;
    private final Cancellation cancellation;
    private final HostPool.Factory hostPools;
    private final RunEvents events;
    private final TargetBook book;
    private final Alerting alerting;
    private final java.util.function.Consumer<String> skippedRun;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** The jobs whose verify runs now (beside their other steps, see {@link #verify}). */
    private final Set<String> verifying = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "zfs-sync job");
        t.setDaemon(true);
        return t;
    });
    private volatile Config config;
    private final Scheduler scheduler;

    /**
     * @param config     the config as loaded at start (the caller reports its problems)
     * @param events     where job runs report (history, metrics, alerts, the status book)
     * @param skippedRun counts a slot skipped because its job still ran (the metric)
     * @param lastStarts when each job last started a replication that ended (from the history): a slot
     *                   missed while the daemon was down runs once at start; a job whose last run was
     *                   cut (absent here) runs at once, resuming its stream; under the key
     *                   {@code JOB:verify}, when the job last verified its targets ({@code verify-every})
     */
    public Daemon(Config config, Path lockDir, Clock clock, Cancellation cancellation, HostPool.Factory hostPools,
                  RunEvents events, TargetBook book, Alerting alerting,
                  java.util.function.Consumer<String> skippedRun, Map<String, Instant> lastStarts) {
        this.config = config;
        this.configFile = config.file();
        this.lockDir = lockDir;
        this.clock = clock;
        this.cancellation = cancellation;
        this.hostPools = hostPools;
        this.events = events;
        this.book = book;
        this.alerting = alerting;
        this.skippedRun = skippedRun;
        this.scheduler = new Scheduler(tasks(config, lastStarts), clock.instant());
    }

    /** Every step of every job that has a schedule for it. */
    private static List<Scheduler.Task> tasks(Config config, Map<String, Instant> lastStarts) {
        List<Scheduler.Task> tasks = new ArrayList<>();
        for (Job job : config.jobs()) {
            JobTiming timing = JobTiming.of(job);
            timing.replicate().ifPresent(s -> tasks.add(new Scheduler.Task(Step.REPLICATE.key(job.name()), s,
                    timing.windows(), lastStarts.get(job.name()))));
            // A replication takes the job's snapshot when due; its own schedule matters only without one.
            if (timing.replicate().isEmpty()) {
                timing.snapshot().ifPresent(s -> tasks.add(new Scheduler.Task(Step.SNAPSHOT.key(job.name()), s,
                        org.zfssync.schedule.Windows.always(0), null)));
            }
            timing.prune().ifPresent(s -> tasks.add(new Scheduler.Task(Step.PRUNE.key(job.name()), s,
                    org.zfssync.schedule.Windows.always(0), null)));
            // A deep verify reads every block of both sides: it keeps to the job's windows, and counts from
            // the last recorded one, so a restarted daemon does not verify again at once.
            timing.verify().ifPresent(s -> tasks.add(new Scheduler.Task(Step.VERIFY.key(job.name()), s,
                    timing.windows(), lastStarts.get(Step.VERIFY.key(job.name())))));
        }
        return tasks;
    }

    public Config config() {
        return config;
    }

    /** When the job replicates next, if it has a schedule. */
    public Optional<Instant> nextRun(String job) {
        synchronized (scheduler) {
            return scheduler.nextSlot(Step.REPLICATE.key(job));
        }
    }

    public boolean isRunning(String job) {
        return running.containsKey(job);
    }

    /** Runs a job now, whatever its schedule and windows say (the API's POST, {@code zfs-sync trigger}). */
    public TriggerResult trigger(String job) {
        if (config.job(job).isEmpty()) {
            return TriggerResult.UNKNOWN_JOB;
        }
        if (running.containsKey(job)) {
            return TriggerResult.ALREADY_RUNNING;
        }
        requests.add(new Trigger(job));
        return TriggerResult.ACCEPTED;
    }

    /** Re-reads the config file (SIGHUP, {@code zfs-sync reload}). */
    public void reload() {
        requests.add(new Reload());
    }

    /** Runs until the cancellation comes (SIGTERM, SIGINT), then stops the running jobs within a deadline. */
    public void run() {
        LOG.info("daemon: {} job(s) from {}", config.jobs().size(), configFile);
        Thread stopWatch = new Thread(() -> {
            try {
                while (!cancellation.await(Duration.ofHours(1))) {
                    // keep waiting
                }
                requests.add(new Wake());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "zfs-sync stop watch");
        stopWatch.setDaemon(true);
        stopWatch.start();
        try {
            loop();
        } finally {
            stop();
        }
    }

    private void loop() {
        while (!cancellation.isCancelled()) {
            try {
                pass();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A bug in one pass must not leave running transfers unsupervised: log, wait, go on.
                LOG.error("daemon: scheduling failed, retrying in {} s: {}", LONGEST_SLEEP.toSeconds(), e.toString());
                try {
                    Thread.sleep(LONGEST_SLEEP.toMillis());
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One look: start what is due, re-limit what runs, check recovery points, then wait for the next reason to look. */
    private void pass() throws InterruptedException {
        {
            Instant now = clock.instant();
            Scheduler.Decision decision;
            synchronized (scheduler) {
                decision = scheduler.tick(now, runningKeys());
            }
            decision.skipped().forEach((key, n) -> {
                LOG.warn("daemon: {} skipped {} slot(s): the job was still running", key, n);
                for (int i = 0; i < n; i++) {
                    skippedRun.accept(Step.job(key));
                }
            });
            decision.due().forEach(key -> start(Step.job(key), Step.of(key), false));
            running.values().forEach(r -> r.bandwidth().setRate(r.timing().windows().bwlimitAt(now)));
            checkRecoveryPoints(now);
            Instant wake = earliest(now.plus(LONGEST_SLEEP), decision.wakeAt(), alerting.nextReminder());
            Request request = requests.poll(Math.max(1, Duration.between(clock.instant(), wake).toMillis()),
                    TimeUnit.MILLISECONDS);
            if (request instanceof Trigger t) {
                start(t.job(), Step.REPLICATE, true);
            } else if (request instanceof Reload) {
                reloadNow();
            }
        }
    }

    private static Instant earliest(Instant a, Optional<Instant> b, Optional<Instant> c) {
        Instant result = a;
        if (b.isPresent() && b.get().isBefore(result)) {
            result = b.get();
        }
        if (c.isPresent() && c.get().isBefore(result)) {
            result = c.get();
        }
        return result;
    }

    /**
     * Every task key of a running job: none of its steps may start while one runs (one lock per job).
     * A verify only reads, so it neither waits for the job's other steps nor holds them up: its key is
     * busy only while a verify of that job runs.
     */
    private Set<String> runningKeys() {
        Set<String> keys = new HashSet<>();
        for (String job : running.keySet()) {
            for (Step step : Step.values()) {
                if (step != Step.VERIFY) {
                    keys.add(step.key(job));
                }
            }
        }
        for (String job : verifying) {
            keys.add(Step.VERIFY.key(job));
        }
        return keys;
    }

    private void start(String name, Step step, boolean triggered) {
        Optional<Job> found = config.job(name);
        if (found.isPresent() && step == Step.VERIFY) {
            verify(found.get());
            return;
        }
        if (found.isEmpty() || running.containsKey(name)) {
            return;
        }
        Job job = found.get();
        JobTiming timing = JobTiming.of(job);
        RateLimiter bandwidth = RateLimiter.of(timing.windows().bwlimitAt(clock.instant()));
        running.put(name, new Running(step, bandwidth, timing));
        // A job no window ever caps runs uncapped: a capped stream gets mbuffers on both ends.
        RateLimiter cap = timing.windows().everLimits() ? bandwidth : null;
        LOG.info("daemon: job {}: {}{}", name, step.name().toLowerCase(java.util.Locale.ROOT),
                triggered ? " (triggered)" : "");
        workers.execute(() -> {
            try {
                runLocked(job, step, cap);
            } finally {
                running.remove(name);
                requests.add(new Wake());
            }
        });
    }

    /**
     * A job's deep verify ({@code verify-every}), beside its other steps and without its lock: it
     * changes nothing a replication relies on, and a sync must not wait hours for a read to end.
     */
    private void verify(Job job) {
        if (!verifying.add(job.name())) {
            return;
        }
        LOG.info("daemon: job {}: verify", job.name());
        workers.execute(() -> {
            try {
                JobRunner.Outcome o = new JobRunner(clock, cancellation, hostPools, events).verifyOnly(job);
                LOG.info("daemon: job {}: verify done: {} target(s) not equal{}", job.name(), o.failures().size(),
                        o.failures().isEmpty() ? "" : ": " + String.join("; ", o.failures()));
            } catch (Cancellation.CancelledException e) {
                LOG.info("daemon: job {}: verify cancelled", job.name());
            } catch (RuntimeException e) {
                LOG.error("daemon: job {}: verify: {}", job.name(), e.getMessage() == null ? e.toString() : e.getMessage());
            } finally {
                verifying.remove(job.name());
                requests.add(new Wake());
            }
        });
    }

    private void runLocked(Job job, Step step, RateLimiter bandwidth) {
        try (RunLock lock = RunLock.acquire(lockDir, RunClaim.job(job, "zfs-sync daemon " + job.name()), Wait.NONE,
                line -> { }, cancellation::isCancelled)) {
            JobRunner runner = new JobRunner(clock, cancellation, hostPools, events);
            JobRunner.Outcome o = switch (step) {
                case REPLICATE -> runner.run(job, false, bandwidth);
                case SNAPSHOT -> runner.snapshotOnly(job, false);
                case PRUNE -> runner.pruneOnly(job, false);
                case VERIFY -> throw new IllegalStateException("a verify runs without the job's lock");
            };
            LOG.info("daemon: job {}: {} done: {} sync(s), {} failure(s){}", job.name(),
                    step.name().toLowerCase(java.util.Locale.ROOT), o.syncs().size(), o.failures().size(),
                    o.failures().isEmpty() ? "" : ": " + String.join("; ", o.failures()));
        } catch (LockConflictException e) {
            LOG.warn("daemon: job {}: not run now: {}", job.name(), e.getMessage());
            skippedRun.accept(job.name());
        } catch (Cancellation.CancelledException e) {
            LOG.info("daemon: job {}: cancelled", job.name());
        } catch (RuntimeException e) {
            LOG.error("daemon: job {}: {}", job.name(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Each target's recovery point against its job's critical threshold (or warning, when only that is set). */
    private void checkRecoveryPoints(Instant now) {
        Config c = config;
        for (Job job : c.jobs()) {
            JobTiming timing = JobTiming.of(job);
            Optional<Duration> threshold = timing.rpoCritical().or(timing::rpoWarn);
            if (threshold.isEmpty()) {
                continue;
            }
            for (String target : job.targets()) {
                TargetBook.Key key = new TargetBook.Key(job.name(), TargetBook.normalise(target));
                book.status(key).rpo(now).ifPresent(lag -> alerting.rpo(job.name(), key.target(), lag,
                        threshold.get(), now));
            }
        }
        Map<String, Set<String>> targets = new java.util.HashMap<>();
        for (Job job : c.jobs()) {
            targets.put(job.name(), job.targets().stream().map(TargetBook::normalise)
                    .collect(java.util.stream.Collectors.toSet()));
        }
        alerting.tick(now, targets);
    }

    private void reloadNow() {
        try {
            Config fresh = new ConfigLoader().load(configFile);
            List<Scheduler.Task> tasks = tasks(fresh, Map.of()); // all of it checked before anything changes
            synchronized (scheduler) {
                scheduler.replace(tasks, clock.instant());
            }
            config = fresh;
            LOG.info("daemon: reloaded {}: {} job(s); running transfers go on", configFile, fresh.jobs().size());
        } catch (ConfigException e) {
            LOG.error("daemon: reload of {} rejected, the jobs stay as they were ({} problem(s)):", configFile,
                    e.problems().size());
            e.problems().forEach(p -> LOG.error("  {}", p));
        } catch (RuntimeException e) {
            LOG.error("daemon: reload of {} rejected, the jobs stay as they were: {}", configFile, e.getMessage());
        }
    }

    private void stop() {
        LOG.info("daemon: stopping; {} job(s) running", running.size());
        workers.shutdown();
        try {
            if (!workers.awaitTermination(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.error("daemon: jobs still running after {} s: {}", STOP_DEADLINE.toSeconds(), running.keySet());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
