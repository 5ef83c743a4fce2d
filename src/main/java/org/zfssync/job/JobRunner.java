package org.zfssync.job;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Host;
import org.zfssync.host.Hosts;
import org.zfssync.host.SshOptions;
import org.zfssync.pruning.PrunePlan;
import org.zfssync.pruning.PrunePlanner;
import org.zfssync.pruning.Retention;
import org.zfssync.pruning.RetentionPolicy;
import org.zfssync.replication.CompressionMode;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.RetryPolicy;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.SyncOptions;
import org.zfssync.replication.SyncReport;
import org.zfssync.replication.SyncRun;
import org.zfssync.replication.TargetIds;
import org.zfssync.replication.TransferSettings;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;

/**
 * Runs one job: replicates its source to each target in turn, then prunes each side by its
 * retention policy. With a policy on either side, syncs keep their snapshots and retention alone
 * decides; without one, each sync keeps only its newest sync snapshot, as {@code sync} does.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private final Clock clock;

    public JobRunner(Clock clock) {
        this.clock = clock;
    }

    /** What pruning one side did (or, in a dry run, would do). */
    public record PruneResult(String side, String endpoint, List<String> destroyed, List<String> errors) {
    }

    /** A job's syncs (one per target) and prunes (source, then each target). */
    public record Outcome(String job, List<SyncReport> syncs, List<PruneResult> prunes) {
        public boolean pruneFailed() {
            return prunes.stream().anyMatch(p -> !p.errors().isEmpty());
        }
    }

    public Outcome run(Job job, boolean dryRun) {
        List<SyncReport> syncs = new ArrayList<>();
        Settings s = job.settings();
        for (String target : job.targets()) {
            Endpoint dst = Endpoint.parse(target);
            LOG.info("job {}: {} -> {}", job.name(), job.source(), dst);
            SyncRun.Outcome o = new SyncRun(ssh(s), transfer(s), clock).run(Endpoint.parse(job.source()), dst,
                    syncOptions(s, dst), dryRun);
            syncs.add(o.report());
        }
        return new Outcome(job.name(), syncs, hasRetention(s) ? prune(job, dryRun) : List.of());
    }

    public Outcome pruneOnly(Job job, boolean dryRun) {
        return new Outcome(job.name(), List.of(), prune(job, dryRun));
    }

    private List<PruneResult> prune(Job job, boolean dryRun) {
        Settings s = job.settings();
        ZoneId zone = s.timezone() == null ? ZoneOffset.UTC : ZoneId.of(s.timezone());
        Endpoint src = Endpoint.parse(job.source());
        List<Endpoint> targets = job.targets().stream().map(Endpoint::parse).toList();
        boolean recursive = s.recursive() == null || s.recursive();
        List<PruneResult> results = new ArrayList<>();
        try (Hosts hosts = new Hosts(ssh(s), new CommandStats())) {
            TreeState sourceTree = new Zfs(hosts.get(src.sshDestination())).list(src.dataset(), recursive);
            List<TreeState> targetTrees = new ArrayList<>();
            for (Endpoint t : targets) {
                targetTrees.add(new Zfs(hosts.get(t.sshDestination())).list(t.dataset(), recursive));
            }
            Optional<RetentionPolicy> sourcePolicy = policy(s, true);
            if (sourcePolicy.isPresent()) {
                Predicate<String> ours = name -> targets.stream().anyMatch(t -> naming(s, t).isOurs(name));
                PrunePlan plan = new PrunePlanner(new Retention(sourcePolicy.get(), zone), ours)
                        .plan(sourceTree, targetTrees);
                results.add(apply(hosts.get(src.sshDestination()), "source", src.toString(), plan, dryRun));
            }
            Optional<RetentionPolicy> targetPolicy = policy(s, false);
            for (int i = 0; i < targets.size() && targetPolicy.isPresent(); i++) {
                SnapshotNaming naming = naming(s, targets.get(i));
                PrunePlan plan = new PrunePlanner(new Retention(targetPolicy.get(), zone), naming::isOurs)
                        .plan(targetTrees.get(i), List.of(sourceTree));
                results.add(apply(hosts.get(targets.get(i).sshDestination()), "target", targets.get(i).toString(), plan,
                        dryRun));
            }
        }
        return results;
    }

    private static PruneResult apply(Host host, String side, String endpoint, PrunePlan plan, boolean dryRun) {
        List<String> destroyed = new ArrayList<>();
        plan.destroy().forEach((dataset, names) -> names.forEach(n -> destroyed.add(dataset.snapshot(n))));
        List<Command> commands = plan.commands();
        if (commands.isEmpty()) {
            return new PruneResult(side, endpoint, List.of(), List.of());
        }
        for (Command c : commands) {
            LOG.info("{}prune {} {}: {}", dryRun ? "would " : "", side, endpoint, host.display(c));
        }
        if (dryRun) {
            return new PruneResult(side, endpoint, destroyed, List.of());
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
        return new PruneResult(side, endpoint, done, errors);
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

    static SyncOptions syncOptions(Settings s, Endpoint target) {
        boolean recursive = s.recursive() == null || s.recursive();
        List<Glob> excludes = s.exclude() == null ? List.of() : s.exclude().stream().map(Glob::of).toList();
        boolean raw = s.raw() != null && s.raw();
        return new SyncOptions(recursive, recursive ? excludes : List.of(), true, false,
                SendFlags.none().withRaw(raw), new ReceiveFlags(false, false, Map.of(), List.of(), true), false, false,
                hasRetention(s), naming(s, target));
    }

    static TransferSettings transfer(Settings s) {
        TransferSettings d = TransferSettings.defaults();
        int retries = s.retries() == null ? 5 : s.retries();
        return new TransferSettings(new RetryPolicy(retries + 1, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.3),
                d.stallTimeout(), s.bwlimit() == null ? 0 : RateLimiter.parseRate(s.bwlimit()),
                s.compress() == null ? CompressionMode.AUTO
                        : CompressionMode.valueOf(s.compress().toUpperCase(Locale.ROOT)),
                s.mbufferSize() == null ? d.bufferBytes() : RateLimiter.parseRate(s.mbufferSize()));
    }

    static SshOptions ssh(Settings s) {
        return new SshOptions(Optional.ofNullable(s.sshPort()), Optional.ofNullable(s.sshIdentity()).map(Path::of),
                Optional.ofNullable(s.sshConfig()).map(Path::of), s.sshOptions() == null ? List.of() : s.sshOptions());
    }
}
