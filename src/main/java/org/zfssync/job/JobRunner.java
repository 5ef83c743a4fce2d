package org.zfssync.job;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.SshOptions;
import org.zfssync.host.TlsFiles;
import org.zfssync.host.TlsListen;
import org.zfssync.pruning.PrunePlan;
import org.zfssync.pruning.PrunePlanner;
import org.zfssync.pruning.Retention;
import org.zfssync.pruning.RetentionPolicy;
import org.zfssync.replication.Cancellation;
import org.zfssync.replication.CompressionMode;
import org.zfssync.replication.DatasetResult;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.OnDiverged;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.RetryPolicy;
import org.zfssync.replication.Selection;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.SyncOptions;
import org.zfssync.replication.SyncReport;
import org.zfssync.replication.SyncRun;
import org.zfssync.replication.TargetIds;
import org.zfssync.replication.TransferSettings;
import org.zfssync.replication.TransportMode;
import org.zfssync.replication.TransportSettings;
import org.zfssync.verify.Verdict;
import org.zfssync.verify.Verification;
import org.zfssync.verify.VerifyReport;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;

/**
 * Runs one job: replicates its source to each target in turn, then prunes each side by its
 * retention policy. With a policy on either side, syncs keep their snapshots and retention alone
 * decides; without one, each sync keeps only its newest sync snapshot, as {@code sync} does.
 * Each target's sync is one run of the job's {@link RunEvent}s; the job's own snapshot and its
 * pruning are reported under the id of the job invocation, which spans its targets.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private final Clock clock;
    private final Cancellation cancellation;
    private final HostPool.Factory hostPools;
    private final RunEvents events;

    public JobRunner(Clock clock) {
        this(clock, new Cancellation());
    }

    /** @param cancellation stops the job's streams (SIGTERM, SIGINT); targets not yet started are not started */
    public JobRunner(Clock clock, Cancellation cancellation) {
        this(clock, cancellation, HostPool.Factory.ssh());
    }

    /** @param hostPools where the job's hosts come from (real ones, or in-memory ones in tests) */
    public JobRunner(Clock clock, Cancellation cancellation, HostPool.Factory hostPools) {
        this(clock, cancellation, hostPools, RunEvents.none());
    }

    /** @param events where the job's runs, snapshots and prunes are reported (history, metrics, alerts) */
    public JobRunner(Clock clock, Cancellation cancellation, RunEvents events) {
        this(clock, cancellation, HostPool.Factory.ssh(), events);
    }

    public JobRunner(Clock clock, Cancellation cancellation, HostPool.Factory hostPools, RunEvents events) {
        this.events = events;
        this.clock = clock;
        this.cancellation = cancellation;
        this.hostPools = hostPools;
    }

    /**
     * What pruning one side did (or, in a dry run, would do).
     *
     * @param bytesFreed in a dry run, the space {@code zfs destroy -n} says the destroys would free;
     *                   -1 when not measured (a real run, or nothing to destroy)
     */
    public record PruneResult(String side, String endpoint, List<String> destroyed, long bytesFreed,
                              List<String> errors) {
    }

    /**
     * The job's own snapshot ({@code snapshot-every}).
     *
     * @param status   {@code taken}, {@code would take} (dry run), {@code not due} or {@code failed}
     * @param snapshot the snapshot of the source root ({@code pool/fs@name}), or null when none was taken
     * @param datasets how many datasets it covers (one atomic {@code zfs snapshot})
     * @param detail   why it was not due, or what failed
     */
    public record SnapshotResult(String status, String snapshot, int datasets, String detail) {
        public boolean failed() {
            return status.equals("failed");
        }
    }

    /**
     * A job's snapshot (when one was due or asked for), syncs (one per target), prunes (source,
     * then each target), and the targets that could not be synced at all (unreachable, a tool
     * missing): those are reported and the job goes on with its other targets.
     */
    public record Outcome(String job, SnapshotResult snapshot, List<SyncReport> syncs, List<PruneResult> prunes,
                          List<String> failures) {
        public boolean pruneFailed() {
            return prunes.stream().anyMatch(p -> !p.errors().isEmpty());
        }
    }

    public Outcome run(Job job, boolean dryRun) {
        return run(job, dryRun, null);
    }

    /**
     * @param bandwidth caps the job's transfers instead of its {@code bwlimit}, and may change
     *                  while they run (the daemon, at a window boundary); null for the job's own
     */
    public Outcome run(Job job, boolean dryRun, RateLimiter bandwidth) {
        cancellation.throwIfCancelled();
        String invocation = events.newRunId();
        SnapshotResult snapshot = job.settings().snapshotEvery() == null ? null : snapshotOrFailure(job, dryRun,
                invocation);
        List<SyncReport> syncs = new ArrayList<>();
        Settings s = job.settings();
        Hooks hooks = Hooks.of(s);
        TransferSettings transfer = bandwidth == null ? transfer(s) : transfer(s).withBandwidth(bandwidth);
        List<String> failures = new ArrayList<>();
        for (String target : job.targets()) {
            Endpoint dst = Endpoint.parse(target);
            LOG.info("job {}: {} -> {}", job.name(), job.source(), dst);
            try {
                cancellation.throwIfCancelled();
                Optional<String> refused = dryRun ? Optional.empty()
                        : hooks.run(Hooks.Point.PRE_REPLICATE, Hooks.Context.before(job.name(), job.source(), target));
                if (refused.isPresent()) {
                    failures.add(target + ": not replicated: " + refused.get());
                    // Recorded as a run that could not start: the history, the page and the alerts see it.
                    notRun(job, dst, "not replicated: " + refused.get());
                    continue;
                }
                TransferSettings forTarget = transfer.withTransport(transport(job.settingsFor(target)));
                SyncRun.Outcome o = new SyncRun(ssh(s), forTarget, clock, cancellation, hostPools, events)
                        .run(Endpoint.parse(job.source()), dst, syncOptions(s, dst), dryRun, job.name());
                syncs.add(o.report());
                afterReplicate(hooks, job, target, o.report(), null, dryRun);
            } catch (Cancellation.CancelledException e) {
                // Stopped by a signal: no later target starts, and no hook is told a result it did not get.
                failures.add(target + ": " + e.getMessage());
                break;
            } catch (RuntimeException e) {
                // One target down must not hold back the others; the summary and exit code say so.
                String message = target + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
                LOG.error("job {}: {}", job.name(), message);
                failures.add(message);
                afterReplicate(hooks, job, target, null, message, dryRun);
            }
        }
        // Pruning reads every target to protect each one's base: with a target unreadable, it waits for a later run.
        List<PruneResult> prunes = hasRetention(s) && failures.isEmpty() && !cancellation.isCancelled()
                ? prune(job, dryRun, invocation) : List.of();
        if (hasRetention(s) && !failures.isEmpty()) {
            LOG.warn("job {}: not pruning while a target could not be synced", job.name());
        }
        return new Outcome(job.name(), snapshot, syncs, prunes, failures);
    }

    /** The post-replicate hook, told how the target's sync went; its own failure is logged, nothing more. */
    private static void afterReplicate(Hooks hooks, Job job, String target, SyncReport report, String error,
                                       boolean dryRun) {
        if (dryRun || !hooks.has(Hooks.Point.POST_REPLICATE)) {
            return;
        }
        // "ok" only when every dataset arrived or was already there: a refused, cancelled or skipped
        // dataset is not a backup a hook may act on.
        String failed = error != null ? error : report.datasets().stream()
                .filter(d -> d.status() != DatasetResult.Status.DONE && d.status() != DatasetResult.Status.UP_TO_DATE)
                .map(d -> d.source() + ": " + d.status().name().toLowerCase(Locale.ROOT)
                        + (d.message() == null ? "" : ": " + d.message())).findFirst().orElse(null);
        hooks.run(Hooks.Point.POST_REPLICATE, new Hooks.Context(job.name(), job.source(), target,
                failed == null ? "ok" : "failed", report == null ? 0 : report.bytes(), failed));
    }

    /**
     * The job's snapshot, or its failure when the source cannot be reached: the syncs still run,
     * so each target's run reports (and alerts) what stopped it.
     */
    private SnapshotResult snapshotOrFailure(Job job, boolean dryRun, String invocation) {
        try {
            return snapshot(job, dryRun, invocation);
        } catch (Cancellation.CancelledException e) {
            throw e;
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.error("job {}: the snapshot failed: {}", job.name(), why);
            return new SnapshotResult("failed", null, 0, why);
        }
    }

    /** A target's run that could not start (a pre-replicate hook refused it), as one failed run in the events. */
    private void notRun(Job job, Endpoint target, String why) {
        String runId = events.newRunId();
        events.emit(new RunEvent.RunStarted(runId, RunEvent.Kind.JOB, job.name(),
                Endpoint.parse(job.source()).toString(), target.toString(),
                false, events.now()));
        events.emit(new RunEvent.RunFinished(runId, RunEvent.Counts.NONE, 0, RunEvent.Result.ERROR,
                RunEvent.Result.ERROR.exitCode(), why, events.now()));
    }

    public Outcome pruneOnly(Job job, boolean dryRun) {
        cancellation.throwIfCancelled();
        return new Outcome(job.name(), null, List.of(), prune(job, dryRun, events.newRunId()), List.of());
    }

    /**
     * A deep verify of each target ({@code verify-every}): reads both sides, changes nothing (a
     * hidden volume snapshot device is shown for the read only), and records each result in the
     * history as its own kind of row, never as a replication run. A target that differs or could
     * not be checked is a failure of the outcome.
     */
    public Outcome verifyOnly(Job job) {
        Settings s = job.settings();
        boolean recursive = s.recursive() == null || s.recursive();
        Endpoint src = Endpoint.parse(job.source());
        List<String> failures = new ArrayList<>();
        for (String target : job.targets()) {
            cancellation.throwIfCancelled();
            Endpoint dst = Endpoint.parse(target);
            String runId = events.newRunId();
            Instant started = events.now();
            String result;
            int exit;
            String summary;
            try (HostPool hosts = hostPools.open(ssh(s), new CommandStats())) {
                VerifyReport report = new Verification(hosts, naming(s, dst), includes(s), excludes(s))
                        .run(src, dst, recursive, true);
                result = report.result();
                exit = report.exitCode();
                List<String> lines = new ArrayList<>();
                for (Verdict v : report.datasets()) {
                    v.differences().forEach(d -> lines.add(v.source() + ": " + d));
                    if (v.status() == Verdict.Status.UNCHECKED) {
                        v.notes().stream().filter(n -> n.startsWith("content not checked"))
                                .forEach(n -> lines.add(v.source() + ": " + n));
                    }
                }
                summary = lines.isEmpty() ? null : String.join("\n", lines);
            } catch (Cancellation.CancelledException e) {
                throw e;
            } catch (RuntimeException e) {
                result = "unchecked";
                exit = VerifyReport.UNCHECKED;
                summary = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            LOG.info("job {}: verify {} -> {}: {}{}", job.name(), job.source(), target, result,
                    summary == null ? "" : ": " + summary.replace("\n", "; "));
            if (exit != VerifyReport.EQUAL) {
                failures.add(target + ": verify " + result + (summary == null ? "" : ": " + summary.replace("\n", "; ")));
            }
            events.emit(new RunEvent.VerifyFinished(runId, job.name(), job.source(), target, started, true, result, exit,
                    summary, events.now()));
        }
        return new Outcome(job.name(), null, List.of(), List.of(), failures);
    }

    public Outcome snapshotOnly(Job job, boolean dryRun) {
        cancellation.throwIfCancelled();
        return new Outcome(job.name(), snapshot(job, dryRun, events.newRunId()), List.of(), List.of(), List.of());
    }

    /**
     * Takes the job's own snapshot of its selected datasets, atomically in one {@code zfs snapshot},
     * when it is due by {@code snapshot-every} (always, for a job without one: then the caller's
     * timer is the schedule). Syncs carry these snapshots to every target inside their streams.
     */
    private SnapshotResult snapshot(Job job, boolean dryRun, String invocation) {
        Settings s = job.settings();
        Optional<SnapshotSchedule> schedule = Optional.ofNullable(s.snapshotEvery()).map(SnapshotSchedule::parse);
        Endpoint src = Endpoint.parse(job.source());
        SnapshotNaming naming = jobNaming(s, job);
        boolean recursive = s.recursive() == null || s.recursive();
        Instant now = clock.instant();
        try (HostPool hosts = hostPools.open(ssh(s), new CommandStats())) {
            Host host = hosts.get(src.sshDestination());
            TreeState tree = new Zfs(host).list(src.dataset(), recursive);
            if (!tree.rootExists()) {
                return new SnapshotResult("failed", null, 0, "source " + src + " does not exist");
            }
            Optional<Instant> newest = tree.get(tree.root()).snapshots().stream()
                    .filter(x -> naming.isOurs(x.name())).map(x -> Instant.ofEpochSecond(x.creation()))
                    .max(Comparator.naturalOrder());
            if (schedule.isPresent() && !schedule.get().isDue(newest, now)) {
                return new SnapshotResult("not due", null, 0, "newest is "
                        + Duration.between(newest.orElseThrow(), now).toMinutes() + " min old; snapshot-every is "
                        + s.snapshotEvery());
            }
            List<DatasetName> datasets = Selection.of(tree, recursive, includes(s), excludes(s)).stream()
                    .map(DatasetState::name).toList();
            String name = naming.nameAt(now);
            for (Instant t = now; taken(tree, datasets, name); t = t.plusSeconds(1)) {
                name = naming.nameAt(t);
            }
            Command command = ZfsCommands.snapshot(datasets, name);
            LOG.info("{}job {}: snapshot {}", dryRun ? "would run: " : "", job.name(), host.display(command));
            String root = src.dataset().snapshot(name);
            if (dryRun) {
                return new SnapshotResult("would take", root, datasets.size(), null);
            }
            Hooks hooks = Hooks.of(s);
            Optional<String> refused = hooks.run(Hooks.Point.PRE_SNAPSHOT,
                    Hooks.Context.before(job.name(), job.source(), null));
            if (refused.isPresent()) {
                // The pre hook may have done half its work (a freeze): the post hook still runs, told it failed.
                hooks.run(Hooks.Point.POST_SNAPSHOT, new Hooks.Context(job.name(), job.source(), null, "failed", null,
                        "not taken: " + refused.get()));
                return new SnapshotResult("failed", null, 0, "not taken: " + refused.get());
            }
            CommandResult r;
            try {
                r = host.run(command);
            } catch (RuntimeException e) {
                hooks.run(Hooks.Point.POST_SNAPSHOT, new Hooks.Context(job.name(), job.source(), null, "failed", null,
                        e.getMessage()));
                throw e;
            }
            if (!r.ok()) {
                LOG.error("job {}: the snapshot failed: {}", job.name(), r.errorLine());
            }
            hooks.run(Hooks.Point.POST_SNAPSHOT, new Hooks.Context(job.name(), job.source(), null,
                    r.ok() ? "ok" : "failed", null, r.ok() ? null : r.errorLine()));
            if (!r.ok()) {
                return new SnapshotResult("failed", null, 0, r.errorLine());
            }
            events.emit(new RunEvent.SnapshotTaken(invocation, root, datasets.size(), events.now()));
            return new SnapshotResult("taken", root, datasets.size(), null);
        }
    }

    private static boolean taken(TreeState tree, List<DatasetName> datasets, String name) {
        for (DatasetName d : datasets) {
            if (tree.get(d).snapshots().stream().anyMatch(x -> x.name().equals(name))) {
                return true;
            }
        }
        return false;
    }

    private List<PruneResult> prune(Job job, boolean dryRun, String invocation) {
        Settings s = job.settings();
        ZoneId zone = JobTiming.zone(s);
        Endpoint src = Endpoint.parse(job.source());
        List<Endpoint> targets = job.targets().stream().map(Endpoint::parse).toList();
        boolean recursive = s.recursive() == null || s.recursive();
        List<PruneResult> results = new ArrayList<>();
        try (HostPool hosts = hostPools.open(ssh(s), new CommandStats())) {
            TreeState sourceTree = new Zfs(hosts.get(src.sshDestination())).list(src.dataset(), recursive);
            List<TreeState> targetTrees = new ArrayList<>();
            for (Endpoint t : targets) {
                targetTrees.add(new Zfs(hosts.get(t.sshDestination())).list(t.dataset(), recursive));
            }
            // The job's own snapshots count as ours on both sides, next to each target's sync snapshots.
            SnapshotNaming jobNaming = jobNaming(s, job);
            Optional<RetentionPolicy> sourcePolicy = policy(s, true);
            List<SnapshotNaming> targetNamings = targets.stream().map(t -> naming(s, t)).toList();
            // Every target's sync snapshots and the job's own are the job's: on a target, the other
            // targets' sync snapshots arrive inside -I streams and are pruned there like its own.
            Predicate<String> ours = name -> jobNaming.isOurs(name)
                    || targetNamings.stream().anyMatch(n -> n.isOurs(name));
            if (sourcePolicy.isPresent()) {
                List<PrunePlanner.Peer> peers = new ArrayList<>();
                for (int i = 0; i < targets.size(); i++) {
                    peers.add(PrunePlanner.Peer.receiver(targetTrees.get(i), targetNamings.get(i)::isOwnCursor,
                            targetNamings.get(i)::cursorName));
                }
                PrunePlan plan = new PrunePlanner(new Retention(sourcePolicy.get(), zone), ours)
                        .plan(sourceTree, peers);
                results.add(apply(hosts.get(src.sshDestination()), "source", src.toString(), plan, dryRun));
            }
            Optional<RetentionPolicy> targetPolicy = policy(s, false);
            for (int i = 0; i < targets.size() && targetPolicy.isPresent(); i++) {
                PrunePlan plan = new PrunePlanner(new Retention(targetPolicy.get(), zone), ours)
                        .planAgainst(targetTrees.get(i), List.of(sourceTree));
                results.add(apply(hosts.get(targets.get(i).sshDestination()), "target", targets.get(i).toString(), plan,
                        dryRun));
            }
        }
        if (!dryRun) {
            for (PruneResult r : results) {
                events.emit(new RunEvent.Pruned(invocation, job.name(), r.side(), r.endpoint(), r.destroyed(),
                        r.errors(), events.now()));
            }
        }
        return results;
    }

    private static PruneResult apply(Host host, String side, String endpoint, PrunePlan plan, boolean dryRun) {
        List<String> destroyed = new ArrayList<>();
        plan.destroy().forEach((dataset, names) -> names.forEach(n -> destroyed.add(dataset.snapshot(n))));
        List<Command> commands = plan.commands();
        if (commands.isEmpty()) {
            return new PruneResult(side, endpoint, List.of(), -1, List.of());
        }
        for (Command c : plan.cursorsFirst()) {
            LOG.info("{}keep an offline target's possible base as a cursor on {}: {}", dryRun ? "would " : "", endpoint,
                    host.display(c));
        }
        for (Command c : commands) {
            LOG.info("{}prune {} {}: {}", dryRun ? "would " : "", side, endpoint, host.display(c));
        }
        if (dryRun) {
            return new PruneResult(side, endpoint, destroyed, spaceFreed(host, commands), List.of());
        }
        if (!plan.cursorsFirst().isEmpty()) {
            // A snapshot whose provisional cursor could not be made is not pruned this time.
            Set<String> keep = new java.util.HashSet<>();
            List<CommandResult> made = host.runAll(plan.cursorsFirst());
            for (CommandResult r : made) {
                if (!r.ok() && !r.stderr().contains("bookmark exists")) {
                    keep.add(r.command().argv().get(2));
                    LOG.warn("could not keep {} as a cursor on {} ({}); not pruning it", r.command().argv().get(2),
                            host.name(), r.errorLine());
                }
            }
            if (!keep.isEmpty()) {
                java.util.TreeMap<DatasetName, List<String>> rest = new java.util.TreeMap<>();
                plan.destroy().forEach((dataset, names) -> rest.put(dataset, names.stream()
                        .filter(n -> !keep.contains(dataset.snapshot(n))).toList()));
                destroyed.removeAll(keep);
                commands = new PrunePlan(rest).commands();
            }
        }
        List<String> errors = new ArrayList<>();
        List<String> done = new ArrayList<>(destroyed);
        for (CommandResult r : host.runAll(commands)) {
            if (!r.ok()) {
                String arg = r.command().argv().get(r.command().argv().size() - 1);
                errors.add("pruning " + arg + " on " + host.name() + " failed: " + r.errorLine());
                int at = arg.indexOf('@');
                for (String n : arg.substring(at + 1).split(",")) {
                    done.remove(arg.substring(0, at) + "@" + n);
                }
            }
        }
        errors.forEach(LOG::warn);
        return new PruneResult(side, endpoint, done, -1, errors);
    }

    /** What the destroys would free, by {@code zfs destroy -n}, in one round trip; -1 if unknown. */
    private static long spaceFreed(Host host, List<Command> destroys) {
        long total = 0;
        for (CommandResult r : host.runAll(destroys.stream().map(ZfsCommands::destroyEstimate).toList())) {
            long bytes = r.ok() ? ZfsCommands.parseReclaim(r.output()) : -1;
            if (bytes < 0) {
                LOG.warn("could not measure the space pruning would free on {}: {}", host.name(), r.errorLine());
                return -1;
            }
            total += bytes;
        }
        return total;
    }

    static boolean hasRetention(Settings s) {
        return policy(s, true).isPresent() || policy(s, false).isPresent();
    }

    private static Optional<RetentionPolicy> policy(Settings s, boolean source) {
        if (s.retention() == null) {
            return Optional.empty();
        }
        RetentionSpec spec = source ? s.retention().source() : s.retention().target();
        return spec == null ? Optional.empty() : Optional.of(spec.toPolicy()).filter(p -> !p.keepsEverything());
    }

    static SnapshotNaming naming(Settings s, Endpoint target) {
        return new SnapshotNaming(s.snapshotPrefix() != null ? s.snapshotPrefix() : SnapshotNaming.DEFAULT_PREFIX,
                TargetIds.derive(target), s.snapshotTemplate() != null ? s.snapshotTemplate()
                : SnapshotNaming.DEFAULT_TEMPLATE);
    }

    /**
     * The job's own snapshots: its prefix, with {@code job.NAME} where sync snapshots have a target
     * id, so they are the job's family (carried to targets, pruned by retention) yet no target's base.
     */
    static SnapshotNaming jobNaming(Settings s, Job job) {
        return SnapshotNaming.forJob(s.snapshotPrefix() != null ? s.snapshotPrefix() : SnapshotNaming.DEFAULT_PREFIX,
                job.name(), s.snapshotTemplate() != null ? s.snapshotTemplate() : SnapshotNaming.DEFAULT_TEMPLATE);
    }

    static List<Glob> excludes(Settings s) {
        return s.exclude() == null ? List.of() : s.exclude().stream().map(Glob::of).toList();
    }

    static List<Glob> includes(Settings s) {
        return s.include() == null ? List.of() : s.include().stream().map(Glob::of).toList();
    }

    static SyncOptions syncOptions(Settings s, Endpoint target) {
        boolean recursive = s.recursive() == null || s.recursive();
        List<Glob> excludes = excludes(s);
        return new SyncOptions(recursive, recursive ? excludes : List.of(), true, Settings.on(s.noStream()),
                new SendFlags(Settings.on(s.raw()), Settings.on(s.compressed()), Settings.on(s.largeBlock()),
                        Settings.on(s.embed()), Settings.on(s.props())),
                new ReceiveFlags(false, Settings.on(s.noMount()), s.recvOptions() == null ? Map.of() : s.recvOptions(),
                        s.recvExclude() == null ? List.of() : s.recvExclude(), !Settings.on(s.writableTargets())),
                Settings.on(s.rollback()), Settings.on(s.forceOverwrite()), hasRetention(s), naming(s, target),
                recursive ? includes(s) : List.of()).withDiverged(
                        s.onDiverged() == null ? OnDiverged.REFUSE : OnDiverged.parse(s.onDiverged()),
                        Optional.ofNullable(s.quarantineKeep())
                                .map(k -> org.zfssync.schedule.DurationText.parse("quarantine-keep", k)));
    }

    static TransferSettings transfer(Settings s) {
        TransferSettings d = TransferSettings.defaults();
        int retries = s.retries() == null ? 5 : s.retries();
        return new TransferSettings(new RetryPolicy(retries + 1, Duration.ofSeconds(2),
                Duration.ofSeconds(s.retryMaxDelay() == null ? 60 : s.retryMaxDelay()), 0.3),
                s.stallTimeout() == null ? d.stallTimeout() : Duration.ofSeconds(s.stallTimeout()), s.bwlimit() == null ? 0 : RateLimiter.parseRate(s.bwlimit()),
                s.compress() == null ? CompressionMode.DEFAULT
                        : CompressionMode.valueOf(s.compress().toUpperCase(Locale.ROOT)),
                s.mbufferSize() == null ? d.bufferBytes() : RateLimiter.parseRate(s.mbufferSize()),
                s.workers() == null ? 1 : s.workers()).withTransport(transport(s));
    }

    static TransportSettings transport(Settings s) {
        return new TransportSettings(s.transport() == null ? TransportMode.RELAY : TransportMode.parse(s.transport()),
                Optional.ofNullable(s.directTargetAddress()), Settings.on(s.sshForwardAgent()),
                Optional.ofNullable(s.tlsListen()).map(TlsListen::parse), Settings.on(s.insecureDirect()),
                TlsFiles.of(s.tlsCa(), s.tlsCert(), s.tlsKey()), !Boolean.FALSE.equals(s.reuseConnections()));
    }

    static SshOptions ssh(Settings s) {
        SshOptions options = new SshOptions(Optional.ofNullable(s.sshPort()),
                Optional.ofNullable(s.sshIdentity()).map(Path::of), Optional.ofNullable(s.sshConfig()).map(Path::of),
                s.sshOptions() == null ? List.of() : s.sshOptions());
        return s.commandTimeout() == null ? options : options.withCommandTimeout(Duration.ofSeconds(s.commandTimeout()));
    }
}
