package org.zfssync.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.ZfsCommands;

/**
 * Runs a plan. Every command's exit status is checked; a failure marks its dataset failed
 * (naming the dataset, the command and its stderr) and the run goes on with the others, except
 * the children of a dataset whose target could not be created. Destructive commands are logged
 * before they run. Our older sync snapshots are destroyed only for datasets that succeeded, in
 * one session per side.
 */
public final class Executor {
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
    private final Host source;
    private final Host target;
    private final TransferSettings settings;
    private final StreamShape shape;
    private final String holdTag;
    private final ProgressReporter.Style progressStyle;
    /** Size estimates from zfs send -nP, for the progress display. */
    private final Map<Step.Send, Long> estimates = new ConcurrentHashMap<>();
    private final Sleeper sleeper;
    private final RateLimiter limiter;

    public Executor(Host source, Host target, TransferSettings settings, StreamShape shape, String holdTag,
            ProgressReporter.Style progressStyle, Sleeper sleeper) {
        this.holdTag = holdTag;
        // Several datasets redrawing one terminal line would garble it; parallel runs log instead.
        this.progressStyle = progressStyle == ProgressReporter.Style.TERMINAL && settings.workers() > 1
                ? ProgressReporter.Style.LOG : progressStyle;
        this.shape = shape;
        this.source = source;
        this.target = target;
        this.settings = settings;
        this.sleeper = sleeper;
        // One bucket for the run, shared by parallel transfers: the cap is the run's.
        this.limiter = settings.bytesPerSecond() > 0 ? RateLimiter.of(settings.bytesPerSecond()) : null;
    }

    /** The run's results before cleanup, and the plans whose cleanup may go ahead. */
    private record Outcome(List<DatasetResult> results, List<DatasetPlan> succeeded) {
    }

    public SyncReport execute(Plan plan, String sourceLabel, String targetLabel) {
        List<String> held = new ArrayList<>();
        String snapshotError = prepareSource(plan, held);
        Outcome outcome;
        try {
            outcome = runDatasets(plan, snapshotError);
        } catch (RuntimeException e) {
            if (!held.isEmpty()) {
                source.run(ZfsCommands.release(holdTag, held));
            }
            throw e;
        }
        List<String> destroyedSource = cleanup(source, outcome.succeeded, true, outcome.results, held);
        List<String> destroyedTarget = cleanup(target, outcome.succeeded, false, outcome.results, List.of());
        return new SyncReport(sourceLabel, targetLabel, false, plan.snapshotName().orElse(null), outcome.results,
                destroyedSource, destroyedTarget, Map.of());
    }

    /**
     * Takes the sync snapshot and holds every snapshot the run will send from or to, in one round
     * trip. A hold that fails is a warning: the send itself will then say if the snapshot vanished.
     * Returns the snapshot's error, if it failed; fills {@code held} with what is now held.
     */
    private String prepareSource(Plan plan, List<String> held) {
        List<Command> commands = new ArrayList<>();
        boolean snapshot = !plan.snapshotDatasets().isEmpty();
        if (snapshot) {
            LOG.info("taking snapshot @{} of {} dataset(s)", plan.snapshotName().orElseThrow(),
                    plan.snapshotDatasets().size());
            commands.add(StepCommands.snapshot(plan));
        }
        List<String> toHold = StepCommands.snapshotsToHold(plan);
        if (!toHold.isEmpty()) {
            commands.add(ZfsCommands.hold(holdTag, toHold));
        }
        List<Step.Send> estimated = new ArrayList<>();
        if (progressStyle != ProgressReporter.Style.NONE) {
            for (DatasetPlan p : plan.datasets()) {
                for (Step step : p.steps()) {
                    if (step instanceof Step.Send s && s.worthEstimating() && p.refusal().isEmpty()) {
                        estimated.add(s);
                        commands.add(StepCommands.estimate(s));
                    }
                }
            }
        }
        if (commands.isEmpty()) {
            return null;
        }
        List<CommandResult> results = source.runAll(commands);
        String snapshotError = null;
        if (snapshot && !results.get(0).ok()) {
            snapshotError = new CommandFailedException(results.get(0)).getMessage();
        }
        for (int i = 0; i < estimated.size(); i++) {
            CommandResult r = results.get(results.size() - estimated.size() + i);
            long size = ZfsCommands.parseEstimate(r.stdout() + "\n" + r.stderr());
            if (r.ok() && size >= 0) {
                estimates.put(estimated.get(i), size);
            }
        }
        if (!toHold.isEmpty()) {
            CommandResult r = results.get(results.size() - 1 - estimated.size());
            // A hold left by an interrupted earlier run is ours already: it still protects the snapshot.
            if (r.ok() || r.stderr().contains("tag already exists")) {
                held.addAll(toHold);
            } else {
                LOG.warn("could not hold the snapshots being sent on {} ({}); a pruner could destroy them mid-transfer",
                        source.name(), r.errorLine());
            }
        }
        return snapshotError;
    }

    /**
     * Runs the datasets on {@code settings.workers()} workers, each after its parent. A failure is
     * the dataset's own; only children of a dataset whose target could not be created are skipped.
     */
    private Outcome runDatasets(Plan plan, String snapshotError) {
        List<DatasetPlan> plans = plan.datasets();
        Set<DatasetName> failedCreations = ConcurrentHashMap.newKeySet();
        List<DatasetResult> results = new TreeScheduler(settings.workers()).run(
                plans.stream().map(DatasetPlan::source).toList(), i -> {
                    DatasetPlan p = plans.get(i);
                    DatasetResult result = runDataset(p, plan, snapshotError, failedCreations);
                    if (!succeeded(result) && p.createsTarget()) {
                        failedCreations.add(p.source());
                    }
                    return result;
                });
        List<DatasetPlan> succeeded = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            if (succeeded(results.get(i))) {
                succeeded.add(plans.get(i));
            }
        }
        return new Outcome(new ArrayList<>(results), succeeded);
    }

    private static boolean succeeded(DatasetResult result) {
        return result.status() == DatasetResult.Status.DONE || result.status() == DatasetResult.Status.UP_TO_DATE;
    }

    private DatasetResult runDataset(DatasetPlan p, Plan plan, String snapshotError, Set<DatasetName> failedCreations) {
        String from = firstFrom(p);
        String to = lastTo(p);
        if (p.refusal().isPresent()) {
            LOG.warn("refused {}: {}", p.source(), p.refusal().get().message());
            return result(p, DatasetResult.Status.REFUSED, 0, p.refusal().get().message());
        }
        for (DatasetName failed : failedCreations) {
            if (p.source().isSelfOrDescendantOf(failed)) {
                return result(p, DatasetResult.Status.SKIPPED, 0, "skipped " + p.source() + ": its parent " + failed
                        + " could not be replicated");
            }
        }
        if (snapshotError != null && plan.snapshotDatasets().contains(p.source())) {
            return result(p, DatasetResult.Status.FAILED, 0, p.source() + ": the sync snapshot failed: " + snapshotError);
        }
        Progress progress = new Progress();
        try {
            for (Step step : p.steps()) {
                runStep(step, progress);
            }
        } catch (TransferFailedException e) {
            if (FailureClassifier.classify(e.failedStage()) == FailureClassifier.Kind.DIVERGED) {
                // The target changed after we listed it: the same refusal the planner would have made.
                String message = "target " + p.target() + " changed since its newest snapshot: "
                        + e.failedStage().errorLine() + "; run again with --rollback to discard those changes";
                LOG.warn("refused {}: {}", p.source(), message);
                return new DatasetResult(p.source().value(), p.target().value(), p.action(),
                        DatasetResult.Status.REFUSED, from, to, progress.bytes, progress.retries, message);
            }
            LOG.error("{} -> {} failed: {}", p.source(), p.target(), e.getMessage());
            return new DatasetResult(p.source().value(), p.target().value(), p.action(), DatasetResult.Status.FAILED,
                    from, to, progress.bytes, progress.retries, p.source() + ": " + e.getMessage());
        } catch (CommandFailedException e) {
            LOG.error("{} -> {} failed: {}", p.source(), p.target(), e.getMessage());
            return new DatasetResult(p.source().value(), p.target().value(), p.action(), DatasetResult.Status.FAILED,
                    from, to, progress.bytes, progress.retries, p.source() + ": " + e.getMessage());
        }
        DatasetResult.Status status = p.action() == Action.UP_TO_DATE ? DatasetResult.Status.UP_TO_DATE
                : DatasetResult.Status.DONE;
        return new DatasetResult(p.source().value(), p.target().value(), p.action(), status, from, to, progress.bytes,
                progress.retries, null);
    }

    /** Bytes and retries of one dataset, over all its steps and attempts. */
    private static final class Progress {
        long bytes;
        int retries;
    }

    private void runStep(Step step, Progress progress) {
        if (step instanceof Step.Send s) {
            LOG.info("{} {} -> {}{}", s.full() ? "full send of" : "incremental send", s.source().snapshot(s.snapshot()),
                    s.target(), s.full() ? "" : " from " + s.from());
            stream(StepCommands.pipeline(s, shape), s.target(), s.receiveFlags(), progress,
                    estimates.getOrDefault(s, -1L));
            return;
        }
        if (step instanceof Step.ResumeSend r) {
            LOG.info("resuming the interrupted receive into {}: {}", r.target(), r.token());
            stream(StepCommands.pipeline(r, shape), r.target(), r.receiveFlags(), progress, -1L);
            return;
        }
        if (step instanceof Step.Rollback r) {
            LOG.warn("rolling back {} to @{} (--rollback), destroying newer snapshot(s) {}", r.target(), r.snapshot(),
                    r.destroys());
        } else if (step instanceof Step.DestroyTargetSnapshots d) {
            LOG.warn("destroying snapshots {} of {} to overwrite it (--force-overwrite)", d.snapshots(), d.target());
        } else if (step instanceof Step.AbortResume a) {
            LOG.warn("{} (zfs receive -A)", a.reason());
        }
        for (Command c : StepCommands.targetCommands(step)) {
            CommandResult r = target.run(c);
            if (!r.ok()) {
                throw new CommandFailedException(r);
            }
        }
    }

    /**
     * Runs one stream; a transient failure (connection dropped, stalled) is retried with backoff,
     * and each retry resumes from the target's {@code receive_resume_token} so bytes already
     * received are not sent again.
     */
    private void stream(TransferPipeline first, DatasetName targetName, ReceiveFlags flags, Progress progress,
            long estimate) {
        TransferPipeline current = first;
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            Transfer transfer = new Transfer(source, target, settings.stallTimeout(), limiter);
            long before = progress.bytes;
            try (ProgressReporter shown = ProgressReporter.start(targetName.value(), estimate,
                    () -> before + transfer.bytes(), progressStyle)) {
                long bytes = transfer.run(current);
                progress.bytes += bytes;
                LOG.info("sent {} bytes to {} in {} ms", bytes, targetName, (System.nanoTime() - start) / 1_000_000);
                return;
            } catch (TransferFailedException e) {
                progress.bytes += e.bytes();
                boolean transient_ = e.stalled()
                        || FailureClassifier.classify(e.failedStage()) == FailureClassifier.Kind.TRANSIENT;
                if (!transient_ || attempt >= settings.retry().attempts()) {
                    throw e;
                }
                Duration delay = settings.retry().delay(attempt, ThreadLocalRandom.current());
                LOG.warn("transfer to {} interrupted after {} bytes ({}); retry {} of {} in {} ms", targetName,
                        e.bytes(), e.failedStage().errorLine(), attempt, settings.retry().attempts() - 1,
                        delay.toMillis());
                pause(delay);
                progress.retries++;
                Optional<ResumeToken> token = resumeToken(targetName);
                if (token.isPresent()) {
                    LOG.info("resuming {} from its receive_resume_token ({} bytes already received)", targetName,
                            token.get().bytes());
                    current = shape.around(ZfsCommands.sendResume(token.get().text()),
                            ZfsCommands.receive(flags.withForce(false), targetName), StepCommands.flags(token.get()));
                } else {
                    current = first;
                }
            }
        }
    }

    /** The target's resume token, if it has one; a failed read counts as none (the send then starts over). */
    private Optional<ResumeToken> resumeToken(DatasetName dataset) {
        CommandResult r = target.run(ZfsCommands.getProperty(dataset, "receive_resume_token"));
        String value = r.stdout().strip();
        if (!r.ok() || value.isEmpty() || value.equals("-")) {
            return Optional.empty();
        }
        try {
            return Optional.of(ResumeToken.decode(value));
        } catch (ResumeToken.InvalidTokenException e) {
            LOG.warn("cannot read the resume token of {} ({}); starting the stream over", dataset, e.getMessage());
            return Optional.empty();
        }
    }

    private void pause(Duration delay) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }

    /**
     * Releases this run's holds and destroys our older sync snapshots on one side, in one round
     * trip. Releasing comes first (the previous base, held while sent from, is destroyed now).
     */
    private List<String> cleanup(Host host, List<DatasetPlan> succeeded, boolean sourceSide, List<DatasetResult> results,
            List<String> held) {
        List<Command> destroys = StepCommands.cleanup(succeeded, sourceSide);
        List<Command> commands = new ArrayList<>();
        if (!held.isEmpty()) {
            commands.add(ZfsCommands.release(holdTag, held));
        }
        commands.addAll(destroys);
        if (commands.isEmpty()) {
            return List.of();
        }
        for (Command c : destroys) {
            LOG.info("destroying our older sync snapshots on {}: {}", host.name(), c.argv().get(c.argv().size() - 1));
        }
        List<CommandResult> outcomes = host.runAll(commands);
        List<String> destroyed = new ArrayList<>();
        for (CommandResult r : outcomes) {
            if (r.command().argv().get(1).equals("release")) {
                if (!r.ok()) {
                    LOG.warn("could not release the hold {} on {}: {} (release it with: zfs release {} SNAPSHOT)",
                            holdTag, host.name(), r.errorLine(), holdTag);
                }
                continue;
            }
            String arg = r.command().argv().get(r.command().argv().size() - 1);
            if (r.ok()) {
                int at = arg.indexOf('@');
                for (String name : arg.substring(at + 1).split(",")) {
                    destroyed.add(arg.substring(0, at) + "@" + name);
                }
            } else {
                // The data is replicated; a leftover snapshot is only space. Say so, loudly.
                LOG.warn("could not destroy {} on {}: {}", arg, host.name(), r.errorLine());
                results.add(new DatasetResult(arg, "", Action.UP_TO_DATE, DatasetResult.Status.FAILED, null, null, 0, 0,
                        "cleanup of " + arg + " on " + host.name() + " failed: " + r.errorLine()));
            }
        }
        return destroyed;
    }

    static String firstFrom(DatasetPlan p) {
        for (Step s : p.steps()) {
            if (s instanceof Step.Send send) {
                return send.from();
            }
        }
        return null;
    }

    static String lastTo(DatasetPlan p) {
        String to = null;
        for (Step s : p.steps()) {
            if (s instanceof Step.Send send) {
                to = send.source().snapshot(send.snapshot());
            } else if (s instanceof Step.ResumeSend r) {
                to = r.token().toName();
            }
        }
        return to;
    }

    private static DatasetResult result(DatasetPlan p, DatasetResult.Status status, long bytes, String message) {
        return new DatasetResult(p.source().value(), p.target().value(), p.action(), status, firstFrom(p), lastTo(p),
                bytes, 0, message);
    }
}
