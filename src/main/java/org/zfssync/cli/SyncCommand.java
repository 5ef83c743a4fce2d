package org.zfssync.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.HostPool;
import org.zfssync.host.Hosts;
import org.zfssync.host.SshOptions;
import org.zfssync.lock.LockConflictException;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.replication.CompressionMode;
import org.zfssync.replication.DatasetResult;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.Glob;
import org.zfssync.replication.OnDiverged;
import org.zfssync.schedule.DurationText;
import org.zfssync.replication.RateLimiter;
import org.zfssync.replication.RetryPolicy;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.TargetIds;
import org.zfssync.replication.SyncOptions;
import org.zfssync.replication.SyncReport;
import org.zfssync.replication.SyncRun;
import org.zfssync.replication.TransferSettings;
import org.zfssync.replication.TransportSettings;
import org.zfssync.zfs.Inventory;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync sync SRC DST}: one replication, planned then executed. */
@Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replicates SRC to DST: a full send the first time, incremental from the newest "
                + "common snapshot (matched by GUID) after that.",
                "An endpoint is pool/fs (this machine) or [user@]host:pool/fs (over ssh; host aliases from "
                        + "~/.ssh/config work).",
                "Nothing is rolled back or overwritten without --rollback or --force-overwrite "
                        + "(--on-diverged quarantine keeps a diverged target aside instead); "
                        + "only snapshots zfs-sync took for this target are ever destroyed.",
                "Every run but a dry run is recorded in the run history (zfs-sync history, zfs-sync status); "
                        + "a history that cannot be written is a warning, never a failure."},
        footer = ExitCodes.HELP)
public final class SyncCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SRC", description = "Source dataset: pool/fs or "
            + "[user@]host:pool/fs. Left out on a terminal (or given as [user@]host: alone), a filterable pick list "
            + "of that host's datasets is offered.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Target dataset: pool/fs or "
            + "[user@]host:pool/fs. Left out on a terminal, it is asked for.")
    String target;

    @Option(names = {"-r", "--recursive"}, description = "Replicate SRC and every dataset below it.")
    boolean recursive;

    @Option(names = "--include", paramLabel = "GLOB", description = "With -r: only datasets matching GLOB, "
            + "their subtrees and the datasets above them (repeatable; excludes still win).")
    List<String> includes = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "With -r: leave out datasets matching GLOB "
            + "(full name or path below SRC; * within a component, ** across) and everything below them. Repeatable.")
    List<String> excludes = new ArrayList<>();

    @Option(names = {"-n", "--dry-run"}, description = "Read both sides, print the plan and every command exactly "
            + "as it would run, and change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print a machine-readable summary on stdout (logs stay on stderr).")
    boolean json;

    @Option(names = "--snapshot-prefix", paramLabel = "PREFIX", defaultValue = SnapshotNaming.DEFAULT_PREFIX,
            description = "Prefix of the snapshots zfs-sync takes and owns (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--target-id", paramLabel = "ID", description = "Names this target in sync snapshot names so "
            + "several targets of one source never prune each other's base (default: derived from DST).")
    String targetId;

    @Option(names = "--snapshot-name", paramLabel = "TEMPLATE", defaultValue = SnapshotNaming.DEFAULT_TEMPLATE,
            description = "Sync snapshot name template with {prefix}, {target} and {timestamp} (UTC) "
                    + "(default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--no-stream", description = "Send only the newest snapshot (zfs send -i), not every "
            + "snapshot in between (-I).")
    boolean noStream;

    @Option(names = "--keep-sync-snapshots", description = "Keep older sync snapshots instead of destroying them "
            + "after a successful transfer.")
    boolean keepSyncSnapshots;

    @Option(names = {"-c", "--compressed"}, description = "Send blocks compressed as stored (zfs send -c).")
    boolean compressed;

    @Option(names = {"-L", "--large-block"}, description = "Allow blocks larger than 128 KiB (zfs send -L).")
    boolean largeBlock;

    @Option(names = {"-e", "--embed"}, description = "Embedded data blocks (zfs send -e).")
    boolean embed;

    @Option(names = {"-u", "--no-mount"}, description = "Do not mount received file systems (zfs receive -u).")
    boolean noMount;

    @Option(names = "--bwlimit", paramLabel = "RATE", description = "Cap the transfer rate, in bytes per second "
            + "with K, M, G as powers of 1024 (e.g. 50M). Enforced by zfs-sync on the stream it relays, by pv on the "
            + "source with --transport ssh-direct.")
    String bwlimit;

    @Option(names = "--compress", paramLabel = "MODE", defaultValue = "default", converter = CompressionConverter.class,
            description = "Compress streams that cross a network: default (zstd where both ends have it, else lz4, "
                    + "else none; measures nothing), auto (measures once per run, with a short sample of the source's "
                    + "data through the link, whether none, lz4 or zstd -1/-3 runs fastest, and says why; a few "
                    + "seconds), zstd, lz4 (both ends must have it) or none. Raw and -c streams are never recompressed "
                    + "(default: ${DEFAULT-VALUE}).")
    CompressionMode compress;

    @Option(names = "--mbuffer-size", paramLabel = "SIZE", description = "Memory of the mbuffer on each end of a "
            + "network hop, where mbuffer is installed (default: 32M on a stream capped by --bwlimit, else none: "
            + "a direct stream has its connection's buffers, and the relay holds up to 32 MiB itself).")
    String mbufferSize;

    @Option(names = "--no-mbuffer", description = "Do not use mbuffer, even where it is installed.")
    boolean noMbuffer;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5", description = "Retry a transfer cut by a "
            + "transient failure (connection dropped or stalled) up to N times, resuming each time from the target's "
            + "receive_resume_token (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--retry-max-delay", paramLabel = "SECONDS", defaultValue = "60", description = "Longest wait "
            + "between retries; waits double from 2 s up to this, with jitter (default: ${DEFAULT-VALUE}).")
    int retryMaxDelay;

    @Option(names = "--stall-timeout", paramLabel = "SECONDS", defaultValue = "120", description = "Kill and retry a "
            + "transfer that moves no byte for this long (default: ${DEFAULT-VALUE}).")
    int stallTimeout;

    @Option(names = {"-j", "--workers"}, paramLabel = "N", defaultValue = "1", description = "Replicate up to N "
            + "datasets of a tree at once, each on its own data connection; a child never starts before its parent "
            + "is done (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--quarantine-keep", paramLabel = "DURATION", description = "Destroy (zfs destroy -r, logged, "
            + "shown by --dry-run) the aside copies of diverged targets under DST whose name's timestamp is older than "
            + "this (e.g. 30d). Without it they are kept until you destroy them.")
    String quarantineKeep;

    /** Initial retry delay; hidden: tests shorten it. */
    @Option(names = "--retry-initial-delay-ms", hidden = true, defaultValue = "2000")
    long retryDelayMillis;

    /** The options that also decide the zfs allow permissions a run needs: shared with allow and check. */
    @CommandLine.Mixin
    DelegationOptionsMixin delegation = new DelegationOptionsMixin();

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    @CommandLine.Mixin
    TransportOptionsMixin transports = new TransportOptionsMixin();

    @CommandLine.Mixin
    JobCommands.LockOptions locks = new JobCommands.LockOptions();

    @CommandLine.Mixin
    HistoryOptions.Recording history = new HistoryOptions.Recording();

    @Override
    public Integer call() {
        if (source == null || source.endsWith(":") || target == null) {
            if (!interactive()) {
                throw new IllegalArgumentException("sync needs SRC and DST, e.g. zfs-sync sync tank/data "
                        + "backup@nas:pool/data (without them a pick list is offered, but only on a terminal)");
            }
            if (source == null || source.endsWith(":")) {
                Optional<String> picked = pickSource(source == null ? Optional.empty()
                        : Optional.of(source.substring(0, source.length() - 1)));
                if (picked.isEmpty()) {
                    throw new IllegalArgumentException("no source chosen; nothing done");
                }
                source = picked.get();
            }
            if (target == null) {
                target = Optional.ofNullable(System.console().readLine("replicate %s to (pool/fs or "
                        + "[user@]host:pool/fs): ", source)).map(String::strip).filter(t -> !t.isEmpty())
                        .orElseThrow(() -> new IllegalArgumentException("no target given; nothing done"));
            }
        }
        Endpoint src = Endpoint.parse(source);
        Endpoint dst = Endpoint.parse(target);
        if (retries < 0 || retryMaxDelay < 1 || stallTimeout < 1) {
            throw new IllegalArgumentException("--retries must be >= 0, --retry-max-delay and --stall-timeout >= 1");
        }
        if (!recursive && (!excludes.isEmpty() || !includes.isEmpty())) {
            throw new IllegalArgumentException("--exclude and --include need -r/--recursive");
        }
        SnapshotNaming naming = new SnapshotNaming(prefix, targetId != null ? targetId : TargetIds.derive(dst), template);
        DelegationOptionsMixin d = delegation;
        SyncOptions options = new SyncOptions(recursive, excludes.stream().map(Glob::of).toList(), !d.noSnapshot,
                noStream, new SendFlags(d.raw, compressed, largeBlock, embed, d.props),
                new ReceiveFlags(false, noMount, d.receiveSet, d.receiveExclude, !d.writableTargets), d.rollback,
                d.forceOverwrite,
                keepSyncSnapshots, naming, includes.stream().map(Glob::of).toList())
                .withDiverged(OnDiverged.parse(d.onDiverged), Optional.ofNullable(quarantineKeep)
                        .map(k -> DurationText.parse("--quarantine-keep", k)));
        SshOptions sshOptions = ssh.toSshOptions();
        TransportSettings transportChoice = transports.toSettings();
        try (SignalGuard guard = SignalGuard.install()) {
            return run(src, dst, options, sshOptions, transportChoice, guard);
        }
    }

    private int run(Endpoint src, Endpoint dst, SyncOptions options, SshOptions sshOptions,
                    TransportSettings transportChoice, SignalGuard guard) {
        TransferSettings transfer = new TransferSettings(new RetryPolicy(retries + 1, Duration.ofMillis(retryDelayMillis),
                Duration.ofSeconds(retryMaxDelay), 0.3), Duration.ofSeconds(stallTimeout),
                bwlimit == null ? 0 : RateLimiter.parseRate(bwlimit), compress,
                noMbuffer ? 0 : mbufferSize == null ? TransferSettings.BUFFER_UNSET
                        : RateLimiter.parseRate(mbufferSize), workers).withTransport(transportChoice);
        SyncRun.Outcome outcome;
        // Locked before anything changes (a dry run changes nothing): a second run on an overlapping target
        // would release this run's holds and destroy its base. The history is opened only for a run that goes ahead.
        try (RunLock lock = dryRun ? null : locks.acquire(spec, RunClaim.sync(dst, recursive,
                "zfs-sync sync " + (recursive ? "-r " : "") + src + " " + dst), guard.cancellation()::isCancelled);
             HistoryOptions.Recorder recorder = history.open(dryRun, spec.commandLine().getErr())) {
            outcome = new SyncRun(sshOptions, transfer, Clock.systemUTC(), guard.cancellation(), HostPool.Factory.ssh(),
                    recorder.events()).run(src, dst, options, dryRun);
        } catch (LockConflictException e) {
            spec.commandLine().getErr().println("zfs-sync: " + e.getMessage());
            return ExitCodes.LOCKED;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(outcome.report()));
        } else {
            if (dryRun) {
                out.println("dry run: nothing will be changed; the plan and its commands:");
                outcome.planLines().forEach(out::println);
            }
            printSummary(out, outcome.report());
        }
        if (guard.cancellation().isCancelled()) {
            spec.commandLine().getErr().println("zfs-sync: cancelled by a signal: streams stopped (each target keeps "
                    + "what arrived; the next run resumes it), holds released, connections closed");
        }
        out.flush();
        return exitCode(outcome.report());
    }

    /** A person at a terminal, who can answer a pick list (not a pipe, cron or a test). */
    private static boolean interactive() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** The datasets of this machine or {@code host}, offered in a pick list; the choice as an endpoint. */
    private Optional<String> pickSource(Optional<String> host) {
        List<String> names = new ArrayList<>();
        try (Hosts hosts = new Hosts(ssh.toSshOptions(), new CommandStats())) {
            CommandResult r = hosts.get(host).run(Inventory.command(null));
            if (!r.ok()) {
                throw new CommandFailedException(r);
            }
            Inventory.parse(r.stdout()).forEach(row -> names.add(row.name()));
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no datasets on " + host.orElse("this machine") + " to choose from");
        }
        return TerminalPicker.pick("source dataset on " + host.orElse("this machine"), names)
                .map(name -> host.map(h -> h + ":" + name).orElse(name));
    }

    static int exitCode(SyncReport report) {
        if (report.count(DatasetResult.Status.REFUSED) > 0) {
            return ExitCodes.REFUSED;
        }
        if (report.count(DatasetResult.Status.FAILED) > 0 || report.count(DatasetResult.Status.SKIPPED) > 0
                || report.count(DatasetResult.Status.CANCELLED) > 0) {
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    static String toJson(SyncReport report) {
        return Json.write(report);
    }

    private static void printSummary(PrintWriter out, SyncReport report) {
        for (DatasetResult d : report.datasets()) {
            StringBuilder line = new StringBuilder();
            line.append(String.format("%-11s %s -> %s", d.status().name().toLowerCase(java.util.Locale.ROOT),
                    d.source(), d.target()));
            if (d.to() != null && d.status() != DatasetResult.Status.REFUSED) {
                line.append("  ").append(d.from() == null ? "full " : "from " + d.from() + " to ").append(d.to());
            }
            if (d.bytes() > 0) {
                line.append("  ").append(Bytes.human(d.bytes()));
            }
            if (d.message() != null) {
                line.append("\n            ").append(d.message());
            }
            out.println(line);
        }
        long cancelled = report.count(DatasetResult.Status.CANCELLED);
        out.printf("%d dataset(s): %d replicated, %d up to date, %d refused, %d failed%s%s; %s sent%n",
                report.datasets().size(), report.count(DatasetResult.Status.DONE),
                report.count(DatasetResult.Status.UP_TO_DATE), report.count(DatasetResult.Status.REFUSED),
                report.count(DatasetResult.Status.FAILED) + report.count(DatasetResult.Status.SKIPPED),
                cancelled > 0 ? ", " + cancelled + " cancelled" : "",
                report.dryRun() ? " (dry run)" : "", Bytes.human(report.bytes()));
    }

    /** {@code --compress} values in lower case, as users type them. */
    static final class CompressionConverter implements CommandLine.ITypeConverter<CompressionMode> {
        @Override
        public CompressionMode convert(String value) {
            try {
                return CompressionMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("--compress must be default, auto, zstd, lz4 or none, not '"
                        + value + "'");
            }
        }
    }
}
