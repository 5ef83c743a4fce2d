package org.zfssync.event;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a run reports as it goes, for whoever listens: the CLI's progress, the run history, metrics,
 * a status page, alerts. Events are plain values, so a listener never reaches back into the run;
 * the planner and the executor know nothing of their consumers (see {@link RunEvents}).
 *
 * <p>A run is one replication of a source to one target: one {@code sync}, or one target of a job.
 * Its events share {@link #runId()} and arrive in this order: {@link RunStarted}, then per dataset
 * {@link DatasetStarted}, any {@link Progress}, {@link DatasetFinished} (datasets of a tree may
 * interleave when several workers run), and last {@link RunFinished}, also when the run failed
 * before reaching a dataset.
 */
public sealed interface RunEvent {
    /** Which run this belongs to; unique per run (see {@link RunEvents#newRunId()}). */
    String runId();

    /** When it happened, by the run's clock. */
    Instant at();

    /** What started a run. */
    enum Kind {
        /** {@code zfs-sync sync}. */
        SYNC,
        /** One target of a job ({@code zfs-sync run}, the daemon). */
        JOB
    }

    /**
     * How one dataset ended. The same constants as the replication's own status, kept here so that
     * consumers need not depend on the replication package.
     */
    enum DatasetStatus {
        DONE, UP_TO_DATE, PLANNED, REFUSED, FAILED, CANCELLED, SKIPPED
    }

    /** How a run ended, from the worst of its datasets; {@link #ERROR} when it could not run at all. */
    enum Result {
        /** Every dataset replicated or already up to date. */
        SUCCESS(0),
        /** Some dataset failed or was skipped. */
        FAILED(1),
        /** A dataset was refused for safety; it needs a person. */
        REFUSED(4),
        /** Stopped by a signal; what arrived stays, resumable. */
        CANCELLED(1),
        /** The run never reached its datasets: a host unreachable, a tool missing, a planning error. */
        ERROR(1);

        private final int exitCode;

        Result(int exitCode) {
            this.exitCode = exitCode;
        }

        /** The exit code {@code zfs-sync sync} returns for it (the CLI's ExitCodes; a test keeps them equal). */
        public int exitCode() {
            return exitCode;
        }
    }

    /**
     * The newest snapshot a target dataset holds after the run, read from the target itself (the
     * executor's verification listing). Its creation time is the source snapshot's: zfs receive
     * keeps the {@code creation} property, so {@code now - creation} is the recovery point age.
     *
     * @param dataset  the target dataset
     * @param snapshot the snapshot's short name (after the {@code @})
     */
    record HeldSnapshot(String dataset, String snapshot, Instant creation) {
        public HeldSnapshot {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(snapshot, "snapshot");
            Objects.requireNonNull(creation, "creation");
        }
    }

    /**
     * @param job    the job's name, null for a {@code sync}
     * @param source the source endpoint as given ({@code host:pool/fs})
     * @param target the target endpoint as given
     */
    record RunStarted(String runId, Kind kind, String job, String source, String target, boolean dryRun, Instant at)
            implements RunEvent {
    }

    /**
     * A dataset's turn began (also for one that is then refused or skipped, so every
     * {@link DatasetFinished} has a start).
     *
     * @param from          incremental base, null for a full send or no send
     * @param to            the newest snapshot planned, null when nothing is sent
     * @param estimateBytes {@code zfs send -nP}'s estimate, -1 when unknown
     */
    record DatasetStarted(String runId, String source, String target, String from, String to, long estimateBytes,
                          Instant at) implements RunEvent {
    }

    /**
     * A stream in flight, about once a second while anybody listens.
     *
     * @param bytes          bytes of this dataset moved so far, over every attempt
     * @param estimateBytes  -1 when unknown
     * @param bytesPerSecond average rate of the current stream so far
     */
    record Progress(String runId, String source, String target, long bytes, long estimateBytes, long bytesPerSecond,
                    Instant at) implements RunEvent {
    }

    /**
     * A dataset's end, after its target was verified by GUID.
     *
     * @param message        the refusal or error, null on success
     * @param duration       from its {@link DatasetStarted} to this event
     * @param newestOnTarget the newest snapshot its target holds now; null when unknown (the target
     *                       could not be read, or holds none)
     */
    record DatasetFinished(String runId, String source, String target, DatasetStatus status, String from, String to,
                           long bytes, int retries, String message, Duration duration, HeldSnapshot newestOnTarget,
                           Instant at) implements RunEvent {
    }

    /**
     * A run's (or a job's) own snapshot was taken.
     *
     * @param snapshot the snapshot of the source root, {@code pool/fs@name}
     * @param datasets how many datasets it covers (one atomic {@code zfs snapshot})
     */
    record SnapshotTaken(String runId, String snapshot, int datasets, Instant at) implements RunEvent {
        public SnapshotTaken {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /**
     * Retention pruned one side of a job. Pruning belongs to the job as a whole (the source's
     * pruning protects every target's base), so {@code runId} is the job invocation's id, not the id
     * of one target's run.
     *
     * @param side      {@code source} or {@code target}
     * @param destroyed {@code pool/fs@name} of every snapshot destroyed
     * @param errors    what failed, one line each
     */
    record Pruned(String runId, String job, String side, String endpoint, List<String> destroyed, List<String> errors,
                  Instant at) implements RunEvent {
        public Pruned {
            destroyed = List.copyOf(destroyed);
            errors = List.copyOf(errors);
        }
    }

    /**
     * A run's end.
     *
     * @param counts   datasets per outcome
     * @param bytes    bytes moved over all datasets and attempts
     * @param exitCode what {@code sync} exits with for this run alone
     * @param error    why the run could not run, or the first refused or failed dataset's message;
     *                 null on success
     */
    record RunFinished(String runId, Counts counts, long bytes, Result result, int exitCode, String error, Instant at)
            implements RunEvent {
    }

    /**
     * A verify of one target finished (a job's {@code verify-every}): recorded apart from the runs,
     * since it replicates nothing.
     *
     * @param result   {@code equal}, {@code different} or {@code unchecked}
     * @param exitCode what {@code zfs-sync verify} exits with for it (0, 1, 3)
     * @param summary  the differences, or why it could not check; null when equal
     */
    record VerifyFinished(String runId, String job, String source, String target, Instant started, boolean deep,
                          String result, int exitCode, String summary, Instant at) implements RunEvent {
    }

    /** Datasets of a run by outcome. */
    record Counts(int done, int upToDate, int refused, int failed, int skipped, int cancelled) {
        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0);

        public int total() {
            return done + upToDate + refused + failed + skipped + cancelled;
        }

        /** The worst outcome: refused needs a person, then failures, then a cancellation. */
        public Result result() {
            if (refused > 0) {
                return Result.REFUSED;
            }
            if (failed > 0 || skipped > 0) {
                return Result.FAILED;
            }
            return cancelled > 0 ? Result.CANCELLED : Result.SUCCESS;
        }
    }
}
