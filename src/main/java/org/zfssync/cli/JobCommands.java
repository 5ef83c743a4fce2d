package org.zfssync.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.zfssync.job.Config;
import org.zfssync.job.ConfigLoader;
import org.zfssync.job.Job;
import org.zfssync.job.JobRunner;
import org.zfssync.lock.LockConflictException;
import org.zfssync.lock.LockDirectory;
import org.zfssync.lock.Overlap;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.lock.Wait;
import org.zfssync.replication.SyncReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync run}, {@code snapshot} and {@code prune}: jobs from the config file, each under its own lock. */
final class JobCommands {
    private JobCommands() {
    }

    /** What both commands share: the file, the job selection, dry run and JSON, and the per-job loop. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/zfs-sync/zfs-sync.yaml",
                description = "Config file (default: ${DEFAULT-VALUE}).")
        Path file;

        @Option(names = {"-n", "--dry-run"}, description = "Print what would be replicated and destroyed; change nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "Print a machine-readable report on stdout.")
        boolean json;

        @CommandLine.Mixin
        LockOptions locks = new LockOptions();

        @Parameters(paramLabel = "JOB", arity = "0..*", description = "Jobs to run (default: all, in file order).")
        List<String> names = new ArrayList<>();

        abstract JobRunner.Outcome runOne(JobRunner runner, Job job);

        /** Where the command's runs are recorded: nowhere, but for {@code run}. */
        HistoryOptions.Recorder recorder(Config config) {
            return new HistoryOptions.Recorder(null, org.zfssync.event.RunEvents.none());
        }

        @Override
        public Integer call() {
            Config config = new ConfigLoader().load(file);
            List<Job> jobs = new ArrayList<>();
            for (String name : names) {
                jobs.add(config.job(name).orElseThrow(() -> new IllegalArgumentException("no job named '" + name
                        + "' in " + file + " (jobs: " + String.join(", ", config.jobs().stream().map(Job::name).toList())
                        + ")")));
            }
            if (names.isEmpty()) {
                jobs.addAll(config.jobs());
            }
            try (SignalGuard guard = SignalGuard.install(); HistoryOptions.Recorder recorder = recorder(config)) {
                return runAll(jobs, new JobRunner(Clock.systemUTC(), guard.cancellation(), recorder.events()), guard);
            }
        }

        private int runAll(List<Job> jobs, JobRunner runner, SignalGuard guard) {
            List<JobRunner.Outcome> outcomes = new ArrayList<>();
            int exit = ExitCodes.OK;
            PrintWriter out = spec.commandLine().getOut();
            for (Job job : jobs) {
                // The job's name and all its targets at once; a dry run changes nothing, so it takes no lock.
                try (RunLock lock = dryRun ? null : locks.acquire(spec, RunClaim.job(job, "zfs-sync " + spec.name()
                        + " " + job.name()), guard.cancellation()::isCancelled)) {
                    JobRunner.Outcome o = runOne(runner, job);
                    outcomes.add(o);
                    exit = worse(exit, exitCode(o));
                    if (!json) {
                        print(out, o);
                    }
                } catch (LockConflictException e) {
                    // Which job stays undone: a target conflict's message names only the target.
                    spec.commandLine().getErr().println("zfs-sync: " + (e.overlap() instanceof Overlap.SameJob ? ""
                            : "job " + job.name() + ": ") + e.getMessage());
                    exit = worse(exit, ExitCodes.LOCKED);
                } catch (RuntimeException e) {
                    // A job that cannot run (source host down, a tool missing) does not stop the jobs after it.
                    spec.commandLine().getErr().println("zfs-sync: job " + job.name() + ": "
                            + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    exit = worse(exit, ZfsSyncCommand.exitCode(e));
                }
            }
            if (json) {
                out.println(Json.write(outcomes));
            }
            out.flush();
            return exit;
        }

        private void print(PrintWriter out, JobRunner.Outcome o) {
            JobRunner.SnapshotResult snap = o.snapshot();
            if (snap != null) {
                out.printf("job %s: snapshot %s%s%s%n", o.job(), snap.status(),
                        snap.snapshot() == null ? "" : " " + snap.snapshot() + " (" + snap.datasets() + " dataset(s))",
                        snap.detail() == null ? "" : ": " + snap.detail());
            }
            for (SyncReport r : o.syncs()) {
                long cancelled = r.count(org.zfssync.replication.DatasetResult.Status.CANCELLED);
                out.printf("job %s: %s -> %s: %d replicated, %d up to date, %d refused, %d failed%s%s%n", o.job(),
                        r.source(), r.target(), r.count(org.zfssync.replication.DatasetResult.Status.DONE),
                        r.count(org.zfssync.replication.DatasetResult.Status.UP_TO_DATE),
                        r.count(org.zfssync.replication.DatasetResult.Status.REFUSED),
                        r.count(org.zfssync.replication.DatasetResult.Status.FAILED),
                        cancelled > 0 ? ", " + cancelled + " cancelled" : "", dryRun ? " (dry run)" : "");
            }
            for (String failure : o.failures()) {
                out.printf("job %s: FAILED %s%n", o.job(), failure);
            }
            for (JobRunner.PruneResult p : o.prunes()) {
                out.printf("job %s: prune %s %s: %s %d snapshot(s)%s%s%n", o.job(), p.side(), p.endpoint(),
                        dryRun ? "would destroy" : "destroyed", p.destroyed().size(),
                        p.bytesFreed() >= 0 ? ", freeing " + Bytes.human(p.bytesFreed()) : "",
                        p.errors().isEmpty() ? "" : "; " + String.join("; ", p.errors()));
                p.destroyed().forEach(d -> out.println("    " + d));
            }
        }

        private static int exitCode(JobRunner.Outcome o) {
            int exit = o.pruneFailed() || !o.failures().isEmpty() || o.snapshot() != null && o.snapshot().failed()
                    ? ExitCodes.FAILED : ExitCodes.OK;
            for (SyncReport r : o.syncs()) {
                exit = worse(exit, SyncCommand.exitCode(r));
            }
            return exit;
        }

        /** What needs a person outranks what may pass by itself: refused, usage, prerequisite, locked, failed. */
        static int worse(int a, int b) {
            List<Integer> order = List.of(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.LOCKED, ExitCodes.PREREQUISITE,
                    ExitCodes.USAGE, ExitCodes.REFUSED);
            return order.indexOf(a) >= order.indexOf(b) ? a : b;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Run jobs from the config file: take the job's snapshot if due (snapshot-every), "
                    + "replicate each source to each of its targets, then prune each side by its retention. A run "
                    + "that would touch a job or target another run is busy with exits at once with code 5 "
                    + "(--wait waits instead). Each target's run is recorded in the run history (not a dry run, "
                    + "not with --no-history); a history that cannot be written is a warning, never a failure.")
    static final class Run extends Base {
        @CommandLine.Mixin
        HistoryOptions.Recording history = new HistoryOptions.Recording();

        @Override
        HistoryOptions.Recorder recorder(Config config) {
            return history.open(dryRun, spec.commandLine().getErr(), config.service().history());
        }

        @Override
        JobRunner.Outcome runOne(JobRunner runner, Job job) {
            return runner.run(job, dryRun);
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Take each job's own snapshot of its source (all selected datasets, atomically) when it "
                    + "is due by snapshot-every; a job without snapshot-every takes one every time, so a timer of "
                    + "your own can be its schedule. Syncs carry these snapshots to the targets; retention prunes them.")
    static final class Snapshot extends Base {
        @Override
        JobRunner.Outcome runOne(JobRunner runner, Job job) {
            return runner.snapshotOnly(job, dryRun);
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Apply the jobs' retention on both sides without replicating. Only snapshots named with "
                    + "the job's exact prefix are candidates; held snapshots and the newest common snapshot of each "
                    + "target are never destroyed. --dry-run lists what would go.")
    static final class Prune extends Base {
        @Override
        JobRunner.Outcome runOne(JobRunner runner, Job job) {
            return runner.pruneOnly(job, dryRun);
        }
    }

    /** {@code --wait} and {@code --lock-dir}: how sync, run, prune and snapshot take their {@link RunLock}. */
    static final class LockOptions {
        @Option(names = "--wait", arity = "0..1", paramLabel = "DURATION", fallbackValue = "unlimited",
                preprocessor = WaitPreprocessor.class, converter = WaitConverter.class,
                description = "When another run is busy with this job or an overlapping target, wait for it "
                        + "(looking every 2 s), without limit or up to DURATION, as in --wait=30m (s, m, h, d), "
                        + "instead of exiting with code 5.")
        Wait wait = Wait.NONE;

        @Option(names = "--lock-dir", paramLabel = "DIR", hidden = true,
                description = "Where run locks live (default: /run/zfs-sync for root, /tmp/zfs-sync-USER for others).")
        Path lockDir;

        /** The lock for {@code claim}, saying on stderr when it waits; LockConflictException when it cannot. */
        RunLock acquire(CommandLine.Model.CommandSpec spec, RunClaim claim) {
            return acquire(spec, claim, () -> false);
        }

        /** As above, giving up the wait once {@code stop} says so (a signal). */
        RunLock acquire(CommandLine.Model.CommandSpec spec, RunClaim claim, java.util.function.BooleanSupplier stop) {
            PrintWriter err = spec.commandLine().getErr();
            return RunLock.acquire(lockDir != null ? lockDir : LockDirectory.location(), claim, wait, line -> {
                err.println("zfs-sync: " + line);
                err.flush();
            }, stop);
        }
    }

    /**
     * A bare {@code --wait} takes no value from the next argument, which is SRC or a job name:
     * only {@code --wait=30m} gives one.
     */
    static final class WaitPreprocessor implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(java.util.Stack<String> args, CommandLine.Model.CommandSpec spec,
                CommandLine.Model.ArgSpec argSpec, java.util.Map<String, Object> info) {
            if (" ".equals(info.get("separator"))) {
                args.push("unlimited");
            }
            return false;
        }
    }

    static final class WaitConverter implements CommandLine.ITypeConverter<Wait> {
        @Override
        public Wait convert(String value) {
            try {
                return Wait.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
