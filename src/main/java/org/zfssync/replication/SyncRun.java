package org.zfssync.replication;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.host.HostUnreachableException;
import org.zfssync.host.MissingToolException;
import org.zfssync.host.SshOptions;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;

/**
 * One {@code sync}: check both hosts (OpenZFS and the helpers the stream would use, one round
 * trip each), read each side once, plan, then execute (or, for a dry run, only print). The same
 * host on both sides shares one connection and one probe. Reports its progress as {@link RunEvent}s:
 * started, each dataset, and finished, also when it fails before reaching a dataset.
 */
public final class SyncRun {
    private final SshOptions sshOptions;
    private final TransferSettings transferSettings;
    private final Clock clock;
    private final ProgressReporter.Style progressStyle;
    private final Cancellation cancellation;
    private final HostPool.Factory hostPools;
    private final RunEvents events;

    public SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock) {
        this(sshOptions, transferSettings, clock, new Cancellation());
    }

    /** @param cancellation cancels the run's streams and waits (SIGTERM, SIGINT) */
    public SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock, Cancellation cancellation) {
        this(sshOptions, transferSettings, clock, System.console() != null ? ProgressReporter.Style.TERMINAL
                : ProgressReporter.Style.LOG, cancellation);
    }

    SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock, ProgressReporter.Style progressStyle,
            Cancellation cancellation) {
        this(sshOptions, transferSettings, clock, progressStyle, cancellation, HostPool.Factory.ssh());
    }

    /** @param hostPools where the run's hosts come from (real ones, or in-memory ones in tests) */
    public SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock, Cancellation cancellation,
                   HostPool.Factory hostPools) {
        this(sshOptions, transferSettings, clock, System.console() != null ? ProgressReporter.Style.TERMINAL
                : ProgressReporter.Style.LOG, cancellation, hostPools);
    }

    SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock,
            ProgressReporter.Style progressStyle, Cancellation cancellation, HostPool.Factory hostPools) {
        this(sshOptions, transferSettings, clock, progressStyle, cancellation, hostPools, RunEvents.none());
    }

    /** @param events where the run reports what it does (history, progress, metrics) */
    public SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock, Cancellation cancellation,
                   HostPool.Factory hostPools, RunEvents events) {
        this(sshOptions, transferSettings, clock, System.console() != null ? ProgressReporter.Style.TERMINAL
                : ProgressReporter.Style.LOG, cancellation, hostPools, events);
    }

    SyncRun(SshOptions sshOptions, TransferSettings transferSettings, Clock clock,
            ProgressReporter.Style progressStyle, Cancellation cancellation, HostPool.Factory hostPools,
            RunEvents events) {
        this.events = events;
        this.hostPools = hostPools;
        this.progressStyle = progressStyle;
        this.cancellation = cancellation;
        this.sshOptions = sshOptions;
        this.transferSettings = transferSettings;
        this.clock = clock;
    }

    /** What a run planned and did; {@code planLines} is the plan as printed. */
    public record Outcome(Plan plan, List<String> planLines, SyncReport report) {
    }

    public Outcome run(Endpoint source, Endpoint target, SyncOptions options, boolean dryRun) {
        return run(source, target, options, dryRun, null);
    }

    /**
     * One run, reported to the events as the job's when {@code job} is not null. Whatever ends it,
     * its {@link RunEvent.RunFinished} is emitted before it returns or throws.
     */
    public Outcome run(Endpoint source, Endpoint target, SyncOptions options, boolean dryRun, String job) {
        String runId = events.newRunId();
        events.emit(new RunEvent.RunStarted(runId, job == null ? RunEvent.Kind.SYNC : RunEvent.Kind.JOB, job,
                source.toString(), target.toString(), dryRun, events.now()));
        Outcome outcome;
        try {
            outcome = run(runId, source, target, options, dryRun);
        } catch (RuntimeException | Error e) {
            boolean cancelled = e instanceof Cancellation.CancelledException;
            RunEvent.Result result = cancelled ? RunEvent.Result.CANCELLED : RunEvent.Result.ERROR;
            events.emit(new RunEvent.RunFinished(runId, RunEvent.Counts.NONE, 0, result, errorExitCode(e, result),
                    e.getMessage() == null ? e.toString() : e.getMessage(), events.now()));
            throw e;
        }
        events.emit(finished(runId, outcome.report()));
        return outcome;
    }

    /** As the CLI maps a run that could not start: a missing prerequisite is 3, a bad request 2. */
    private static int errorExitCode(Throwable e, RunEvent.Result result) {
        if (e instanceof MissingToolException || e instanceof HostUnreachableException) {
            return 3;
        }
        return e instanceof PlanningException ? 2 : result.exitCode();
    }

    private RunEvent.RunFinished finished(String runId, SyncReport report) {
        RunEvent.Counts counts = new RunEvent.Counts((int) report.count(DatasetResult.Status.DONE),
                (int) report.count(DatasetResult.Status.UP_TO_DATE), (int) report.count(DatasetResult.Status.REFUSED),
                (int) report.count(DatasetResult.Status.FAILED), (int) report.count(DatasetResult.Status.SKIPPED),
                (int) report.count(DatasetResult.Status.CANCELLED));
        String error = report.datasets().stream().filter(d -> d.message() != null && !Executor.succeeded(d))
                .map(DatasetResult::message).findFirst().orElse(null);
        RunEvent.Result result = counts.result();
        return new RunEvent.RunFinished(runId, counts, report.bytes(), result, result.exitCode(), error, events.now());
    }

    private Outcome run(String runId, Endpoint source, Endpoint target, SyncOptions options, boolean dryRun) {
        CommandStats stats = new CommandStats();
        try (HostPool hosts = hostPools.open(sshOptions, stats);
             StreamLink link = StreamLink.open(hosts, source, target, transferSettings,
                     List.of(org.zfssync.zfs.DatasetName.of(source.dataset().pool())))) {
            Host sourceHost = link.source();
            Host targetHost = link.target();
            Zfs sourceZfs = link.sourceZfs();
            Zfs targetZfs = link.targetZfs();
            TreeState sourceState = sourceZfs.list(source.dataset(), options.recursive());
            TreeState targetState = targetZfs.list(target.dataset(), options.recursive());
            // The root's own aside copies are beside it, outside its listing: read only when they matter.
            boolean asides = options.onDiverged() == OnDiverged.QUARANTINE || options.quarantineKeep().isPresent();
            List<org.zfssync.zfs.DatasetName> besideRoot = asides && target.dataset().parent() != null
                    ? targetZfs.children(target.dataset().parent()) : List.of();
            Plan plan = new Planner(options).plan(sourceState, targetState, besideRoot, clock.instant());
            List<String> lines = new ArrayList<>();
            link.compressionNote().ifPresent(lines::add);
            lines.addAll(new PlanPrinter(sourceHost, targetHost, link.shape(), options.naming(), link.transport())
                    .lines(plan, sourceState));
            SyncReport report;
            if (dryRun) {
                report = plannedReport(plan, source, target);
            } else {
                cancellation.throwIfCancelled();
                report = new Executor(sourceHost, targetZfs, transferSettings, link.shape(), options.naming(),
                        options.noStream(), progressStyle, cancellation.sleeper(), cancellation, events, runId,
                        link.transport())
                        .execute(plan,
                        sourceState, targetState, () -> sourceZfs.list(source.dataset(), options.recursive()),
                        () -> targetZfs.list(target.dataset(), options.recursive()), source.toString(),
                        target.toString());
            }
            return new Outcome(plan, lines, report.withCommands(stats.perHost()));
        }
    }

    private static SyncReport plannedReport(Plan plan, Endpoint source, Endpoint target) {
        List<DatasetResult> results = new ArrayList<>();
        for (DatasetPlan p : plan.datasets()) {
            DatasetResult.Status status = switch (p.action()) {
                case REFUSED -> DatasetResult.Status.REFUSED;
                case UP_TO_DATE -> p.steps().isEmpty() ? DatasetResult.Status.UP_TO_DATE : DatasetResult.Status.PLANNED;
                default -> DatasetResult.Status.PLANNED;
            };
            results.add(new DatasetResult(p.source().value(), p.target().value(), p.action(), status,
                    Executor.firstFrom(p), Executor.lastTo(p), 0, 0, p.refusal().map(Refusal::message).orElse(null)));
        }
        List<String> cleanupSource = new ArrayList<>();
        List<String> cleanupTarget = new ArrayList<>();
        for (DatasetPlan p : plan.datasets()) {
            p.cleanupSource().forEach(n -> cleanupSource.add(p.source() + "@" + n));
            p.cleanupTarget().forEach(n -> cleanupTarget.add(p.target() + "@" + n));
        }
        plan.expired().forEach(e -> cleanupTarget.add(e.aside().value()));
        return new SyncReport(source.toString(), target.toString(), true, plan.snapshotName().orElse(null), results,
                cleanupSource, cleanupTarget, java.util.Map.of());
    }
}
