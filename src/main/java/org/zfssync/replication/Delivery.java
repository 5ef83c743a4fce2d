package org.zfssync.replication;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;

/**
 * Brings one target dataset to its goal snapshot: runs the plan's steps, then streams until the
 * target <em>holds the goal by GUID</em>, reading the target again after every stream and every
 * failure and asking {@link NextStream} what to do next. So a resumed {@code -I} stream that
 * completed only the snapshot in flight continues from what arrived; a stream whose exit status
 * was lost after it arrived counts as arrived; a token left by a cut is resumed only when
 * {@link TokenCheck} allows it; and a receive still draining a cut stream is waited for.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    /** How long to wait, in all, for an earlier receive into the same dataset to finish draining. */
    static final Duration BUSY_WAIT = Duration.ofMinutes(3);
    static final Duration BUSY_POLL = Duration.ofSeconds(3);
    /** Decisions per dataset beyond the retry budget: each must make progress or fail. */
    private static final int EXTRA_ROUNDS = 8;

    private final Host target;
    private final Zfs targetZfs;
    private final TransferSettings settings;
    private final StreamShape shape;
    private final RateLimiter limiter;
    private final Sleeper sleeper;
    private final Cancellation cancellation;
    private final ProgressReporter.Style progressStyle;
    private final Map<Step.Send, Long> estimates;
    private final boolean noStream;
    private final RunEvents events;
    private final String runId;
    private final Transport transport;

    /**
     * @param transport carries every stream (and only that: the target's control commands go to {@code target})
     * @param events where each stream's progress goes, as {@link RunEvent.Progress} of run {@code runId}
     */
    Delivery(Host target, Zfs targetZfs, TransferSettings settings, StreamShape shape,
             RateLimiter limiter, Sleeper sleeper, Cancellation cancellation, ProgressReporter.Style progressStyle,
             Map<Step.Send, Long> estimates, boolean noStream, RunEvents events, String runId, Transport transport) {
        this.transport = transport;
        this.events = events;
        this.runId = runId;
        this.target = target;
        this.targetZfs = targetZfs;
        this.settings = settings;
        this.shape = shape;
        this.limiter = limiter;
        this.sleeper = sleeper;
        this.cancellation = cancellation;
        this.progressStyle = progressStyle;
        this.estimates = estimates;
        this.noStream = noStream;
    }


    /**
     * What happened to one dataset.
     *
     * @param target the target dataset as last read (verified after the last stream), null if absent or unknown
     */
    record Outcome(DatasetResult result, DatasetState target, boolean verified) {
        Outcome(DatasetResult result, DatasetState target) {
            this(result, target, true);
        }
    }

    /** Where the streams left a target: as read, or not read yet ({@code verified} false). */
    private record Delivered(DatasetState view, boolean verified) {
    }

    /** The target changed so that only a person may decide (exit 4). */
    static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /** Bytes and retries of one dataset, over all its steps and attempts. */
    private static final class Progress {
        long bytes;
        int retries;
        boolean streamed;
    }

    /**
     * Runs a dataset's plan. A stream that zfs itself confirms complete (a send to the goal whose
     * every stage exited 0) is verified later, with every other dataset of the tree, by one
     * listing ({@link #verify}); everything else is read again at once.
     */
    Outcome run(DatasetPlan p, DatasetState sourceNow, DatasetState targetAtStart) {
        return run(p, sourceNow, targetAtStart, true, false, null, new Progress());
    }

    /**
     * Brings a dataset to its goal from what its target holds now (read first), not as planned:
     * for a dataset whose streams ran in a sequence ({@link Sequences}) and did not all arrive.
     * Of its plan's target steps only {@code zfs create -p} of a new target's parent runs again (a
     * sequence only carries plans made of that and sends).
     */
    Outcome rejoin(DatasetPlan p, DatasetState sourceNow, DatasetState targetAtStart) {
        return run(p, sourceNow, targetAtStart, true, true, null, new Progress());
    }

    /**
     * Checks a dataset that {@link #run} left unverified against the target as read now, and if
     * the goal is not there (it should be), continues from what is.
     */
    Outcome verify(DatasetPlan p, DatasetState sourceNow, DatasetState targetNow, DatasetResult first) {
        Progress progress = new Progress();
        progress.bytes = first.bytes();
        progress.retries = first.retries();
        progress.streamed = true;
        return run(p, sourceNow, targetNow, false, true, targetNow, progress);
    }

    /**
     * @param decide       decide every stream from the target ({@code continueFrom}, or as read now
     *                     when that is null), the plan's first one too; run no target step but, when
     *                     the target is read now, the parent's {@code zfs create -p}
     * @param continueFrom the target as just read, or null
     */
    private Outcome run(DatasetPlan p, DatasetState sourceNow, DatasetState targetAtStart, boolean deferVerification,
                        boolean decide, DatasetState continueFrom, Progress progress) {
        String from = Executor.firstFrom(p);
        String to = Executor.lastTo(p);
        DatasetState view = targetAtStart;
        boolean verified = true;
        try {
            cancellation.throwIfCancelled();
            for (int i = 0; i < p.steps().size(); i++) {
                Step step = p.steps().get(i);
                if (step instanceof Step.Send || step instanceof Step.ResumeSend) {
                    Delivered d = deliver(p, decide ? -1 : i, sourceNow, progress, continueFrom,
                            deferVerification);
                    view = d.view();
                    verified = d.verified();
                    break;
                }
                if (!decide || (continueFrom == null && step instanceof Step.CreateParent)) {
                    runTargetStep(step);
                }
            }
        } catch (Cancellation.CancelledException e) {
            return new Outcome(result(p, DatasetResult.Status.CANCELLED, from, to, progress, p.source() + ": " + e.getMessage()
                    + "; the target keeps what arrived (resumable)"), lastView(p, progress, view));
        } catch (RefusedException e) {
            LOG.warn("refused {}: {}", p.source(), e.getMessage());
            return new Outcome(result(p, DatasetResult.Status.REFUSED, from, to, progress, e.getMessage()),
                    lastView(p, progress, view));
        } catch (TransferFailedException | CommandFailedException e) {
            LOG.error("{} -> {} failed: {}", p.source(), p.target(), e.getMessage());
            return new Outcome(result(p, DatasetResult.Status.FAILED, from, to, progress, p.source() + ": "
                    + e.getMessage()), lastView(p, progress, view));
        } catch (RuntimeException e) {
            // One dataset's unexpected error is its own: the other workers go on, their holds stay.
            LOG.error("{} -> {} failed", p.source(), p.target(), e);
            return new Outcome(result(p, DatasetResult.Status.FAILED, from, to, progress, p.source() + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage())), lastView(p, progress, view));
        }
        DatasetResult.Status status = p.action() == Action.UP_TO_DATE && !progress.streamed
                ? DatasetResult.Status.UP_TO_DATE : DatasetResult.Status.DONE;
        String note = p.steps().stream().filter(Step.Quarantine.class::isInstance).map(Step.Quarantine.class::cast)
                .map(q -> "the diverged target was moved aside to " + q.aside() + " (kept read-only, mounted nowhere)")
                .findFirst().orElse(null);
        return new Outcome(result(p, status, from, to, progress, note), view, verified);
    }

    /** After a failure, what the target holds now (for its cursor); the start listing when nothing was sent. */
    private DatasetState lastView(DatasetPlan p, Progress progress, DatasetState view) {
        if (!progress.streamed) {
            return view;
        }
        try {
            return read(p.target());
        } catch (RuntimeException e) {
            LOG.debug("cannot re-read {} after its failure: {}", p.target(), e.getMessage());
            return null;
        }
    }

    private static DatasetResult result(DatasetPlan p, DatasetResult.Status status, String from, String to,
                                        Progress progress, String message) {
        return new DatasetResult(p.source().value(), p.target().value(), p.action(), status, from, to, progress.bytes,
                progress.retries, message);
    }

    private void runTargetStep(Step step) {
        if (step instanceof Step.Rollback r) {
            LOG.warn("rolling back {} to @{} (--rollback), destroying newer snapshot(s) {}", r.target(), r.snapshot(),
                    r.destroys());
        } else if (step instanceof Step.DestroyTargetSnapshots d) {
            LOG.warn("destroying snapshots {} of {} to overwrite it (--force-overwrite)", d.snapshots(), d.target());
        } else if (step instanceof Step.AbortResume a) {
            LOG.warn("{} (zfs receive -A)", a.reason());
        } else if (step instanceof Step.Quarantine q) {
            LOG.warn("moving {} aside to {} with everything below it (--on-diverged quarantine; read-only, mounted "
                    + "nowhere, nothing destroyed): {}", q.target(), q.aside(), q.reason());
        }
        for (Command c : StepCommands.targetCommands(step)) {
            CommandResult r = target.run(c);
            if (!r.ok()) {
                throw new CommandFailedException(r);
            }
        }
    }

    /**
     * Streams until the target holds the goal. The plan's first stream runs as planned; every
     * later one is decided from the target as it is then.
     *
     * @param firstStream       index of the plan's first stream step, or -1 to decide from {@code known}
     * @param known             the target as just read, to decide the first stream from (or null)
     * @param deferVerification return unverified after a stream that zfs reports complete up to the goal
     */
    private Delivered deliver(DatasetPlan p, int firstStream, DatasetState sourceNow, Progress progress,
                              DatasetState known, boolean deferVerification) {
        String goalName = p.goal();
        Snapshot goal = null;
        for (Snapshot s : sourceNow.snapshots()) {
            if (s.name().equals(goalName)) {
                goal = s;
            }
        }
        if (goal == null) {
            throw new IllegalStateException("snapshot " + p.source().snapshot(goalName)
                    + " is not on the source after it was taken and held");
        }
        Step.Send firstSend = null;
        Step.Send lastSend = null;
        for (Step s : p.steps()) {
            if (s instanceof Step.Send send) {
                firstSend = firstSend == null ? send : firstSend;
                lastSend = send;
            }
        }
        Step resumeStep = null;
        for (Step s : p.steps()) {
            resumeStep = s instanceof Step.ResumeSend && resumeStep == null ? s : resumeStep;
        }
        SendFlags flags = lastSend != null ? lastSend.sendFlags()
                : StepCommands.flags(((Step.ResumeSend) resumeStep).token());
        ReceiveFlags incrementalFlags = lastSend != null ? lastSend.receiveFlags()
                : ((Step.ResumeSend) resumeStep).receiveFlags();
        // A full send may be repeated only where the plan made one (target absent, or overwritten by flag).
        String firstFull = firstSend != null && firstSend.full() ? firstSend.snapshot() : null;
        ReceiveFlags fullFlags = firstSend != null && firstSend.full() ? firstSend.receiveFlags() : null;

        Step planned = firstStream < 0 ? null : p.steps().get(firstStream);
        TransferPipeline next = planned == null ? null : pipeline(planned, sourceNow);
        String describe = planned == null ? "" : describe(planned);
        Step.Send estimated = planned instanceof Step.Send s ? s : null;
        // Whether the stream in flight is small by the source listing: it may then use a kept connection.
        boolean small = estimated != null && StreamSize.small(sourceNow, estimated.from(), estimated.snapshot());
        // Whether the stream in flight, if it succeeds, ends with the goal received (zfs says so by exiting 0).
        boolean endsAtGoal = planned instanceof Step.Send s && s.snapshot().equals(goalName);
        DatasetState pending = known;
        int transientFailures = 0;
        int divergedFailures = 0;
        long busyWaitedMs = 0;
        int rounds = 0;
        DatasetState view = null;
        while (true) {
            cancellation.throwIfCancelled();
            if (next == null) {
                if (++rounds > settings.retry().attempts() + EXTRA_ROUNDS) {
                    throw new IllegalStateException("no progress towards " + p.source().snapshot(goalName) + " on "
                            + p.target() + " after " + rounds + " attempts");
                }
                view = pending != null ? pending : read(p.target());
                pending = null;
                NextStream.Next decision = NextStream.decide(sourceNow, view, goal.guid(), goalName, flags, noStream,
                        firstFull);
                if (decision instanceof NextStream.Done) {
                    LOG.info("{} holds {} (verified by GUID)", p.target(), p.source().snapshot(goalName));
                    return new Delivered(view, true);
                }
                if (decision instanceof NextStream.Stuck stuck) {
                    if (stuck.diverged()) {
                        throw new RefusedException(stuck.reason());
                    }
                    throw new IllegalStateException(stuck.reason());
                }
                if (decision instanceof NextStream.Abort abort) {
                    LOG.warn("{} (zfs receive -A)", abort.reason());
                    CommandResult r = target.run(ZfsCommands.receiveAbort(p.target()));
                    if (!r.ok()) {
                        throw new CommandFailedException(r);
                    }
                    continue;
                }
                if (decision instanceof NextStream.Resume resume) {
                    ResumeToken token = resume.token();
                    LOG.info("resuming {} from its receive_resume_token ({} bytes already received)", p.target(),
                            token.bytes());
                    ReceiveFlags rf = token.fromGuid() == 0 && fullFlags != null ? fullFlags.withForce(false)
                            : incrementalFlags.withForce(false);
                    next = shape.around(ZfsCommands.sendResume(token.text()), ZfsCommands.receive(rf, p.target()),
                            StepCommands.flags(token));
                    describe = "resumed stream into " + p.target();
                    // A resumed stream completes only the snapshot it was cut in: always read again after it.
                    endsAtGoal = false;
                    small = false;
                } else {
                    NextStream.Send send = (NextStream.Send) decision;
                    Step.Send step = new Step.Send(p.source(), p.target(), send.from(), send.intermediates(),
                            send.snapshot(), flags, send.from() == null ? fullFlags : incrementalFlags, false);
                    LOG.info("{}: continuing from what arrived: {}", p.target(), describe(step));
                    next = StepCommands.pipeline(step, shapeFor(sourceNow, step));
                    describe = describe(step);
                    endsAtGoal = send.snapshot().equals(goalName);
                    small = StreamSize.small(sourceNow, send.from(), send.snapshot());
                }
                estimated = null;
            }
            progress.streamed = true;
            long start = System.nanoTime();
            Transfer transfer = new Transfer(transport, settings.stallTimeout(), limiter, cancellation);
            long before = progress.bytes;
            long estimate = estimated == null ? -1L : estimates.getOrDefault(estimated, -1L);
            ProgressReporter.Sink sink = events.silent() ? null : (bytes, rate) -> events.emit(new RunEvent.Progress(
                    runId, p.source().value(), p.target().value(), bytes, estimate, rate, events.now()));
            try (ProgressReporter shown = ProgressReporter.start(p.target().value(), estimate,
                    () -> before + transfer.bytes(), progressStyle, sink)) {
                long bytes = transfer.run(next, small);
                progress.bytes += bytes;
                LOG.info("sent {} bytes to {} in {} ms ({})", bytes, p.target(), (System.nanoTime() - start) / 1_000_000,
                        describe);
            } catch (TransferFailedException e) {
                progress.bytes += e.bytes();
                cancellation.throwIfCancelled();
                FailureClassifier.Kind kind = e.stalled() ? FailureClassifier.Kind.TRANSIENT
                        : FailureClassifier.classify(e.failedStage());
                if (kind == FailureClassifier.Kind.BUSY && busyWaitedMs < BUSY_WAIT.toMillis()) {
                    // A receive cut earlier still drains what its buffer held; its resume token appears when it ends.
                    LOG.info("{} is still busy with an earlier receive ({}); waiting {} s", p.target(),
                            e.failedStage().errorLine(), BUSY_POLL.toSeconds());
                    pause(BUSY_POLL);
                    busyWaitedMs += BUSY_POLL.toMillis();
                } else if (kind == FailureClassifier.Kind.TRANSIENT || kind == FailureClassifier.Kind.BUSY) {
                    transientFailures++;
                    if (transientFailures >= settings.retry().attempts()) {
                        throw e;
                    }
                    Duration delay = settings.retry().delay(transientFailures, ThreadLocalRandom.current());
                    LOG.warn("transfer to {} interrupted after {} bytes ({}); retry {} of {} in {} ms", p.target(),
                            e.bytes(), e.failedStage().errorLine(), transientFailures, settings.retry().attempts() - 1,
                            delay.toMillis());
                    pause(delay);
                    progress.retries++;
                } else if (kind == FailureClassifier.Kind.DIVERGED) {
                    // The target moved since it was read: maybe it already holds what we sent (the exit
                    // status of an arrived stream was lost). Read it again once; a real divergence stays one.
                    if (++divergedFailures > 1) {
                        throw new RefusedException("target " + p.target() + " changed since its newest snapshot: "
                                + e.failedStage().errorLine() + "; run again with --rollback to discard those changes");
                    }
                } else {
                    DatasetState now = read(p.target());
                    if (NextStream.decide(sourceNow, now, goal.guid(), goalName, flags, noStream, firstFull)
                            instanceof NextStream.Done) {
                        LOG.info("{} holds {} although its receive reported a failure", p.target(),
                                p.source().snapshot(goalName));
                        return new Delivered(now, true);
                    }
                    throw e;
                }
                next = null;
                continue;
            }
            if (deferVerification && endsAtGoal) {
                return new Delivered(null, false);
            }
            next = null;
        }
    }

    private TransferPipeline pipeline(Step step, DatasetState sourceNow) {
        if (step instanceof Step.Send s) {
            LOG.info("{}", describe(s));
            return StepCommands.pipeline(s, shapeFor(sourceNow, s));
        }
        Step.ResumeSend r = (Step.ResumeSend) step;
        LOG.info("resuming the interrupted receive into {}: {}", r.target(), r.token());
        return StepCommands.pipeline(r, shape);
    }

    private StreamShape shapeFor(DatasetState sourceNow, Step.Send send) {
        return StreamSize.shape(shape, sourceNow, send);
    }

    static String describe(Step step) {
        if (step instanceof Step.Send s) {
            return (s.full() ? "full send of " : "incremental send ") + s.source().snapshot(s.snapshot()) + " -> "
                    + s.target() + (s.full() ? "" : " from " + s.from() + (s.intermediates() ? " (-I)" : " (-i)"));
        }
        return "resumed stream into " + ((Step.ResumeSend) step).target();
    }

    /** The target dataset as it is now; null when it does not exist. */
    private DatasetState read(DatasetName dataset) {
        return targetZfs.list(dataset, false).get(dataset);
    }

    private void pause(Duration delay) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Cancellation.CancelledException("interrupted");
        }
        cancellation.throwIfCancelled();
    }
}
