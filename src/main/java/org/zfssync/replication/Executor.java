package org.zfssync.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.host.Command;
import org.zfssync.host.CommandFailedException;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.ChannelBatch;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;
import org.zfssync.zfs.ZfsListParser;

/**
 * Runs a plan: takes the sync snapshot and holds every snapshot the streams need (releasing this
 * target's stale holds left by a killed run), brings each dataset to its goal ({@link Delivery},
 * verified by GUID), then moves each dataset's cursor to what its target really holds and cleans
 * up. A failure is its dataset's own; only children of a dataset whose target could not be created
 * are skipped. Destructive commands are logged before they run. Cleanup runs only for datasets
 * that reached their goal, and never touches whatever carries the GUID the two sides now share.
 * Reports each dataset's start and its end, once verified, as {@link RunEvent}s.
 */
public final class Executor {
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);
    private final Host source;
    private final Host target;
    private final Zfs targetZfs;
    private final TransferSettings settings;
    private final SnapshotNaming naming;
    private final ProgressReporter.Style progressStyle;
    /** Size estimates from zfs send -nP, for the progress display. */
    private final Map<Step.Send, Long> estimates = new ConcurrentHashMap<>();
    private final Cancellation cancellation;
    private final Delivery delivery;
    private final Sequences sequences;
    /** The end of the run's bookmarks and destroys, one transaction group per pool where the host allows it. */
    private final ChannelBatch sourceBatch;
    private final ChannelBatch targetBatch;
    private final RunEvents events;
    private final String runId;
    /** When each dataset's turn began, for its duration. */
    private final Map<DatasetName, Instant> startedAt = new ConcurrentHashMap<>();
    /** Aside copies destroyed this run (quarantine-keep), for the report. */
    private final List<String> expiredDestroyed = new ArrayList<>();

    /**
     * @param targetZfs reads the target again after every stream
     * @param noStream  the run sends only the newest snapshot ({@code -i})
     * @param events    where the datasets' starts, progress and ends go
     * @param runId  the run they belong to (its {@link RunEvent.RunStarted} is the caller's)
     */
    public Executor(Host source, Zfs targetZfs, TransferSettings settings, StreamShape shape, SnapshotNaming naming,
            boolean noStream, ProgressReporter.Style progressStyle, Sleeper sleeper, Cancellation cancellation,
            RunEvents events, String runId) {
        this(source, targetZfs, settings, shape, naming, noStream, progressStyle, sleeper, cancellation, events, runId,
                new RelayTransport(source, targetZfs.host()));
    }

    /** @param transport carries the streams (the planning and the retries above it never ask which) */
    public Executor(Host source, Zfs targetZfs, TransferSettings settings, StreamShape shape, SnapshotNaming naming,
            boolean noStream, ProgressReporter.Style progressStyle, Sleeper sleeper, Cancellation cancellation,
            RunEvents events, String runId, Transport transport) {
        this.events = events;
        this.runId = runId;
        this.source = source;
        this.target = targetZfs.host();
        this.targetZfs = targetZfs;
        this.settings = settings;
        this.naming = naming;
        this.cancellation = cancellation;
        // Several datasets redrawing one terminal line would garble it; parallel runs log instead.
        this.progressStyle = progressStyle == ProgressReporter.Style.TERMINAL && settings.workers() > 1
                ? ProgressReporter.Style.LOG : progressStyle;
        // One bucket for the run, shared by parallel transfers: the cap is the run's.
        RateLimiter limiter = settings.limiter();
        this.delivery = new Delivery(target, targetZfs, settings, shape, limiter, sleeper, cancellation,
                this.progressStyle, estimates, noStream, events, runId, transport);
        this.sequences = new Sequences(transport, target, settings, limiter, cancellation);
        this.sourceBatch = new ChannelBatch(source);
        this.targetBatch = new ChannelBatch(target);
    }

    /**
     * @param sourceState  the source as planned from
     * @param targetState  the target as planned from
     * @param relistSource reads the source again (after the sync snapshot, for its GUIDs)
     * @param relistTarget reads the target again (to verify every stream by GUID in one listing)
     */
    public SyncReport execute(Plan plan, TreeState sourceState, TreeState targetState, Supplier<TreeState> relistSource,
                              Supplier<TreeState> relistTarget, String sourceLabel, String targetLabel) {
        Set<String> held = new LinkedHashSet<>();
        List<DatasetResult> results = new ArrayList<>();
        Map<DatasetName, Delivery.Outcome> outcomes = new HashMap<>();
        TreeState sourceNow = sourceState;
        try {
            List<Snapshot> taken = new ArrayList<>();
            String snapshotError = prepareSource(plan, sourceState, held, taken);
            if (!plan.snapshotDatasets().isEmpty() && snapshotError == null) {
                sourceNow = withTaken(sourceState, plan, taken).orElseGet(relistSource);
            }
            runDatasets(plan, sourceNow, targetState, snapshotError, results, outcomes);
            verify(plan, sourceNow, relistTarget, results, outcomes);
            expire(plan, results);
        } catch (RuntimeException | Error e) {
            // Only an error outside every dataset's own handling gets here (an OutOfMemoryError, say):
            // keep what arrived, release the holds, destroy nothing.
            finish(plan, sourceNow, outcomes, held, results, false, new ArrayList<>(), new ArrayList<>());
            throw e;
        }
        List<String> destroyedSource = new ArrayList<>();
        List<String> destroyedTarget = new ArrayList<>(expiredDestroyed);
        finish(plan, sourceNow, outcomes, held, results, !cancellation.isCancelled(), destroyedSource, destroyedTarget);
        return new SyncReport(sourceLabel, targetLabel, false, plan.snapshotName().orElse(null), results,
                destroyedSource, destroyedTarget, Map.of());
    }

    /**
     * Takes the sync snapshot, releases this target's holds that a killed run left behind (the
     * caller holds the pair's lock, so no live run owns them), and holds every snapshot the
     * streams need, intermediates included. A hold that fails is a warning: the send itself then
     * says if the snapshot vanished. Returns the snapshot's error, if it failed; fills {@code held}.
     */
    private String prepareSource(Plan plan, TreeState sourceState, Set<String> held, List<Snapshot> taken) {
        Set<String> toHold = new LinkedHashSet<>();
        for (DatasetPlan p : plan.datasets()) {
            if (p.refusal().isEmpty()) {
                p.holds().forEach(n -> toHold.add(p.source().snapshot(n)));
            }
        }
        Set<String> ourHolds = new LinkedHashSet<>(existingHolds(sourceState));
        List<String> stale = ourHolds.stream().filter(n -> !toHold.contains(n)).toList();
        List<String> fresh = toHold.stream().filter(n -> !ourHolds.contains(n)).toList();
        held.addAll(toHold.stream().filter(ourHolds::contains).toList());

        List<Command> commands = new ArrayList<>();
        boolean snapshot = !plan.snapshotDatasets().isEmpty();
        if (snapshot) {
            LOG.info("taking snapshot @{} of {} dataset(s)", plan.snapshotName().orElseThrow(),
                    plan.snapshotDatasets().size());
            commands.add(StepCommands.snapshot(plan));
            // Their GUIDs, read in the same session: what every stream is then verified against.
            commands.add(ZfsCommands.listSnapshots(plan.snapshotDatasets().stream()
                    .map(d -> d.snapshot(plan.snapshotName().orElseThrow())).toList()));
        }
        if (!stale.isEmpty()) {
            LOG.warn("releasing {} hold(s) {} that an interrupted earlier run left: {}", stale.size(), naming.holdTag(),
                    stale);
            commands.addAll(ZfsCommands.inChunks(n -> ZfsCommands.release(naming.holdTag(), n), stale));
        }
        int firstHold = commands.size();
        List<RunHolds.HoldCommand> holds = RunHolds.holds(naming.holdTag(), fresh, plan);
        holds.forEach(h -> commands.add(h.command()));
        int firstEstimate = commands.size();
        List<Step.Send> estimated = new ArrayList<>();
        if (progressStyle != ProgressReporter.Style.NONE) {
            for (DatasetPlan p : plan.datasets()) {
                // Only a dataset's first send runs as planned (the later ones are decided from what
                // arrived), so only its estimate is ever shown: one zfs send -nP per dataset, not per step.
                Step.Send s = firstSend(p);
                if (s != null && s.worthEstimating() && p.refusal().isEmpty()) {
                    estimated.add(s);
                    commands.add(StepCommands.estimate(s));
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
        } else if (snapshot) {
            // Named by its topmost dataset: datasets are planned parents first.
            events.emit(new RunEvent.SnapshotTaken(runId,
                    plan.snapshotDatasets().get(0).snapshot(plan.snapshotName().orElseThrow()),
                    plan.snapshotDatasets().size(), events.now()));
        }
        if (snapshot && results.get(0).ok() && results.get(1).ok()) {
            CommandResult listing = results.get(1);
            taken.addAll(ZfsListParser.parseSnapshots(listing.output()));
        }
        for (int i = 0; i < estimated.size(); i++) {
            CommandResult r = results.get(firstEstimate + i);
            long size = ZfsCommands.parseEstimate(r.output());
            if (r.ok() && size >= 0) {
                estimates.put(estimated.get(i), size);
            }
        }
        for (int i = 0; i < holds.size(); i++) {
            CommandResult r = results.get(firstHold + i);
            List<String> names = holds.get(i).covers();
            if (r.ok()) {
                held.addAll(names);
            } else {
                holdOneByOne(names, held);
            }
        }
        return snapshotError;
    }

    /**
     * The source as listed plus the snapshots this run took, when every one of them was read back;
     * otherwise empty (then the source is listed again).
     */
    private static java.util.Optional<TreeState> withTaken(TreeState state, Plan plan, List<Snapshot> taken) {
        Map<DatasetName, Snapshot> byDataset = new HashMap<>();
        for (Snapshot s : taken) {
            if (s.name().equals(plan.snapshotName().orElseThrow())) {
                byDataset.put(s.dataset(), s);
            }
        }
        if (!byDataset.keySet().containsAll(plan.snapshotDatasets())) {
            return java.util.Optional.empty();
        }
        java.util.TreeMap<DatasetName, DatasetState> datasets = new java.util.TreeMap<>(state.datasets());
        byDataset.forEach((name, snap) -> {
            DatasetState d = datasets.get(name);
            if (d != null) {
                List<Snapshot> snapshots = new ArrayList<>(d.snapshots());
                snapshots.add(snap);
                datasets.put(name, new DatasetState(d.dataset(), snapshots, d.bookmarks()));
            }
        });
        return java.util.Optional.of(new TreeState(state.root(), datasets));
    }

    /** After a batched hold failed (some OpenZFS versions fail all for one missing snapshot), each on its own. */
    private void holdOneByOne(List<String> fresh, Set<String> held) {
        List<Command> singles = fresh.stream().map(n -> ZfsCommands.hold(naming.holdTag(), List.of(n))).toList();
        List<CommandResult> results = source.runAll(singles);
        for (int i = 0; i < fresh.size(); i++) {
            CommandResult r = results.get(i);
            if (r.ok() || r.stderr().contains("tag already exists")) {
                held.add(fresh.get(i));
            } else {
                LOG.warn("could not hold {} on {} ({}); a pruner could destroy it mid-transfer", fresh.get(i),
                        source.name(), r.errorLine());
            }
        }
    }

    /** The snapshots under the source root that carry this target's hold tag now (one round trip, only if any is held). */
    private List<String> existingHolds(TreeState sourceState) {
        List<String> withHolds = new ArrayList<>();
        for (DatasetState d : sourceState.all()) {
            for (Snapshot s : d.snapshots()) {
                if (s.userrefs() > 0) {
                    withHolds.add(s.fullName());
                }
            }
        }
        if (withHolds.isEmpty()) {
            return List.of();
        }
        List<String> ours = new ArrayList<>();
        for (CommandResult r : source.runAll(ZfsCommands.inChunks(ZfsCommands::holds, withHolds))) {
            if (!r.ok()) {
                LOG.warn("could not read the holds on {} ({}); stale holds of {} stay for now", source.name(),
                        r.errorLine(), naming.holdTag());
                return List.of();
            }
            ours.addAll(ZfsCommands.parseHolds(r.output(), naming.holdTag()));
        }
        return ours;
    }

    /**
     * Runs the datasets on {@code settings.workers()} workers, each after its parent. A failure is
     * the dataset's own; only children of a dataset whose target could not be created are skipped.
     */
    private void runDatasets(Plan plan, TreeState sourceNow, TreeState targetState, String snapshotError,
                             List<DatasetResult> results, Map<DatasetName, Delivery.Outcome> outcomes) {
        List<DatasetPlan> plans = plan.datasets();
        // The tiny streams first, back to back on one session on each side; what did not arrive goes on alone below.
        Sequences.Outcome sequenced = snapshotError != null || cancellation.isCancelled()
                ? new Sequences.Outcome(Map.of(), Set.of())
                : sequences.run(plan, sequences.choose(plan, sourceNow), sourceNow, this::started);
        Set<DatasetName> failedCreations = ConcurrentHashMap.newKeySet();
        Map<DatasetName, Delivery.Outcome> found = new ConcurrentHashMap<>();
        List<DatasetResult> done = new TreeScheduler(settings.workers()).run(
                plans.stream().map(DatasetPlan::source).toList(), i -> {
                    DatasetPlan p = plans.get(i);
                    DatasetResult arrived = sequenced.arrived().get(i);
                    if (arrived != null) {
                        // Verified by GUID with the rest of the tree, after every stream ran.
                        found.put(p.source(), new Delivery.Outcome(arrived, null, false));
                        return arrived;
                    }
                    boolean rejoin = sequenced.rejoin().contains(i);
                    if (!rejoin) {
                        started(p);
                    }
                    Delivery.Outcome o = runDataset(p, plan, sourceNow, targetState, snapshotError, failedCreations,
                            rejoin);
                    found.put(p.source(), o);
                    if (o.verified()) {
                        finished(p, o, targetState);
                    }
                    if (!succeeded(o.result()) && p.createsTarget()) {
                        failedCreations.add(p.source());
                    }
                    return o.result();
                });
        results.addAll(done);
        outcomes.putAll(found);
    }

    /** Marks a dataset's start, for its duration and its {@link RunEvent.DatasetStarted}. */
    private void started(DatasetPlan p) {
        startedAt.put(p.source(), events.now());
        events.emit(new RunEvent.DatasetStarted(runId, p.source().value(), p.target().value(), firstFrom(p), lastTo(p),
                estimate(p), startedAt.get(p.source())));
    }

    /**
     * Reads the whole target once and checks every dataset whose streams zfs reported complete:
     * it is done only if the target holds its goal by GUID; otherwise delivery continues from
     * what is there. One listing instead of one round trip per dataset keeps big trees fast.
     */
    private void verify(Plan plan, TreeState sourceNow, Supplier<TreeState> relistTarget, List<DatasetResult> results,
                        Map<DatasetName, Delivery.Outcome> outcomes) {
        List<Integer> unverified = new ArrayList<>();
        for (int i = 0; i < plan.datasets().size(); i++) {
            Delivery.Outcome o = outcomes.get(plan.datasets().get(i).source());
            if (o != null && !o.verified()) {
                unverified.add(i);
            }
        }
        if (unverified.isEmpty()) {
            return;
        }
        TreeState targetNow = relistTarget.get();
        for (int i : unverified) {
            DatasetPlan p = plan.datasets().get(i);
            Delivery.Outcome o = delivery.verify(p, sourceNow.get(p.source()), targetNow.get(p.target()),
                    results.get(i));
            outcomes.put(p.source(), o);
            results.set(i, o.result());
            finished(p, o, targetNow);
        }
    }

    /**
     * Destroys the aside copies whose quarantine-keep period is over (in one session on the target,
     * each logged before it runs). Not after a cancellation: a stopped run changes nothing more.
     */
    private void expire(Plan plan, List<DatasetResult> results) {
        if (plan.expired().isEmpty() || cancellation.isCancelled()) {
            return;
        }
        for (Plan.Expired e : plan.expired()) {
            LOG.warn("destroying {} on {} with everything below it: moved aside at {}, older than quarantine-keep {}",
                    e.aside(), target.name(), e.at(), org.zfssync.schedule.DurationText.format(e.keep()));
        }
        List<String> destroyed = new ArrayList<>();
        for (CommandResult r : logAndRun(target, StepCommands.expire(plan), target::runAll)) {
            record(r, target, destroyed, results);
        }
        expiredDestroyed.addAll(destroyed);
    }

    /** A dataset's first send step, null if none. */
    private static Step.Send firstSend(DatasetPlan p) {
        for (Step step : p.steps()) {
            if (step instanceof Step.Send s) {
                return s;
            }
        }
        return null;
    }

    /** The size estimate of a dataset's first stream, -1 when there is none. */
    private long estimate(DatasetPlan p) {
        Step.Send s = firstSend(p);
        return s == null ? -1 : estimates.getOrDefault(s, -1L);
    }

    /**
     * Reports a dataset's end with the newest snapshot its target holds: as read after its last
     * stream, or (nothing sent, refused, skipped, or the target unreadable after a failure) as
     * {@code listed}, which then still holds at least that.
     */
    private void finished(DatasetPlan p, Delivery.Outcome o, TreeState listed) {
        DatasetResult r = o.result();
        Instant now = events.now();
        Instant start = startedAt.getOrDefault(p.source(), now);
        events.emit(new RunEvent.DatasetFinished(runId, r.source(), r.target(),
                RunEvent.DatasetStatus.valueOf(r.status().name()), r.from(), r.to(), r.bytes(), r.retries(),
                r.message(), Duration.between(start, now), newest(o.target() != null ? o.target()
                : listed.get(p.target())), now));
    }

    /**
     * The newest snapshot (by createtxg) a target dataset holds. Its {@code creation} is the source
     * snapshot's, which zfs receive keeps: the listing parses it, so no name needs decoding.
     */
    static RunEvent.HeldSnapshot newest(DatasetState target) {
        if (target == null) {
            return null;
        }
        return target.snapshots().stream().max(Comparator.comparingLong(Snapshot::createtxg))
                .map(s -> new RunEvent.HeldSnapshot(s.dataset().value(), s.name(), Instant.ofEpochSecond(s.creation())))
                .orElse(null);
    }

    static boolean succeeded(DatasetResult result) {
        return result.status() == DatasetResult.Status.DONE || result.status() == DatasetResult.Status.UP_TO_DATE;
    }

    /** @param rejoin its streams ran in a sequence and did not all arrive: go on from what the target holds */
    private Delivery.Outcome runDataset(DatasetPlan p, Plan plan, TreeState sourceNow, TreeState targetState,
                                        String snapshotError, Set<DatasetName> failedCreations, boolean rejoin) {
        DatasetState targetAtStart = targetState.get(p.target());
        if (p.refusal().isPresent()) {
            LOG.warn("refused {}: {}", p.source(), p.refusal().get().message());
            return new Delivery.Outcome(result(p, DatasetResult.Status.REFUSED, p.refusal().get().message()), null);
        }
        if (cancellation.isCancelled()) {
            return new Delivery.Outcome(result(p, DatasetResult.Status.CANCELLED, p.source()
                    + ": not started, the run was cancelled (" + cancellation.reason() + ")"), targetAtStart);
        }
        for (DatasetName failed : failedCreations) {
            if (p.source().isSelfOrDescendantOf(failed)) {
                return new Delivery.Outcome(result(p, DatasetResult.Status.SKIPPED, "skipped " + p.source()
                        + ": its parent " + failed + " could not be replicated"), null);
            }
        }
        if (snapshotError != null && plan.snapshotDatasets().contains(p.source())) {
            return new Delivery.Outcome(result(p, DatasetResult.Status.FAILED, p.source() + ": the sync snapshot failed: "
                    + snapshotError), targetAtStart);
        }
        DatasetState sourceDataset = sourceNow.get(p.source());
        if (sourceDataset == null) {
            return new Delivery.Outcome(result(p, DatasetResult.Status.FAILED, p.source()
                    + ": no longer exists on the source"), targetAtStart);
        }
        return rejoin ? delivery.rejoin(p, sourceDataset, targetAtStart) : delivery.run(p, sourceDataset, targetAtStart);
    }

    /**
     * Ends the run on the source in one session, and on the target in another: moves each
     * dataset's cursor to the newest snapshot its target really holds (read after its last
     * stream, or as listed when nothing was sent), releases this run's holds, and, for datasets
     * that reached their goal (unless the run was cancelled), destroys our older sync snapshots on
     * both sides. A cursor is a bookmark of that snapshot on the source: the next incremental can
     * start from it after source retention (or another tool) pruned the snapshot itself. The
     * previous cursors go in the same command that makes the new one, only once it exists. Nothing
     * that carries the GUID the two sides now share is destroyed, whatever its name.
     */
    private void finish(Plan plan, TreeState sourceNow, Map<DatasetName, Delivery.Outcome> outcomes, Set<String> held,
                        List<DatasetResult> results, boolean destroy, List<String> destroyedSource,
                        List<String> destroyedTarget) {
        List<Command> sourceCommands = new ArrayList<>();
        List<Command> cleanups = new ArrayList<>();
        List<Command> targetCommands = new ArrayList<>();
        for (int i = 0; i < plan.datasets().size(); i++) {
            DatasetPlan p = plan.datasets().get(i);
            DatasetState src = sourceNow.get(p.source());
            Delivery.Outcome o = outcomes.get(p.source());
            if (src == null || o == null || p.refusal().isPresent()) {
                continue;
            }
            NextStream.Common common = NextStream.common(src, o.target());
            if (common == null) {
                continue;
            }
            sourceCommands.addAll(cursorCommands(p.source(), src, common));
            if (!destroy || i >= results.size() || !succeeded(results.get(i))) {
                continue;
            }
            // On the source, this run's own holds (released in the same session, first) are no reason to
            // keep a snapshot; the planner already left out what was held before the run.
            List<String> srcNames = keep(src, p.cleanupSource(), common.guid(), false);
            if (!srcNames.isEmpty()) {
                cleanups.addAll(ZfsCommands.destroySnapshots(p.source(), srcNames));
            }
            List<String> dstNames = keep(o.target(), p.cleanupTarget(), common.guid(), true);
            if (!dstNames.isEmpty()) {
                targetCommands.addAll(ZfsCommands.destroySnapshots(p.target(), dstNames));
            }
        }
        int cursorCommands = sourceCommands.size();
        List<Command> releases = RunHolds.releases(naming.holdTag(), held).stream().map(RunHolds.HoldCommand::command)
                .toList();
        sourceCommands.addAll(releases);
        sourceCommands.addAll(cleanups);
        List<CommandResult> sourceResults;
        try {
            sourceResults = logAndRun(source, sourceCommands, sourceBatch::runAll);
        } catch (RuntimeException e) {
            LOG.warn("could not move the cursors, release the holds {} or clean up on {}: {}; the next run of this pair "
                    + "releases them", naming.holdTag(), source.name(), e.getMessage());
            return;
        }
        for (int i = 0; i < sourceResults.size(); i++) {
            CommandResult r = sourceResults.get(i);
            if (i < cursorCommands) {
                if (!r.ok()) {
                    LOG.warn("could not move a cursor on {}: {}; the previous cursor stays", source.name(), r.errorLine());
                }
            } else if (i < cursorCommands + releases.size()) {
                if (!r.ok()) {
                    LOG.warn("could not release the hold {} on {}: {} (the next run of this pair releases it)",
                            naming.holdTag(), source.name(), r.errorLine());
                }
            } else {
                record(r, source, destroyedSource, results);
            }
        }
        if (!targetCommands.isEmpty()) {
            for (CommandResult r : logAndRun(target, targetCommands, targetBatch::runAll)) {
                record(r, target, destroyedTarget, results);
            }
        }
    }

    /**
     * The commands that point this target's cursor on one dataset at {@code common}: none if a
     * cursor with its GUID exists (beyond destroying older ones); otherwise one command that makes
     * it and only then, if that worked, destroys the older ones.
     */
    private List<Command> cursorCommands(DatasetName dataset, DatasetState src, NextStream.Common common) {
        String cursor = naming.cursorName(common.guid());
        boolean exists = false;
        List<String> older = new ArrayList<>();
        for (Bookmark b : src.bookmarks()) {
            if (b.name().equals(cursor)) {
                exists = true;
            } else if (naming.isOwnCursor(b.name())) {
                older.add(b.name());
            }
        }
        if (exists) {
            return older.stream().map(b -> ZfsCommands.destroyBookmark(dataset, b)).toList();
        }
        // From the snapshot, or (OpenZFS 2.0+) from the bookmark that is the only base left.
        return List.of(ZfsCommands.bookmarkThenDestroy(common.sourceName(), dataset, cursor, older));
    }

    private static List<CommandResult> logAndRun(Host host, List<Command> commands,
                                                 Function<List<Command>, List<CommandResult>> runner) {
        if (commands.isEmpty()) {
            return List.of();
        }
        for (Command c : commands) {
            if (!c.readOnly()) {
                LOG.info("on {}: {}", host.name(), host.display(c));
            }
        }
        return runner.apply(commands);
    }

    /** What one destroy did: its names destroyed, or a failure on the run's report. */
    private static void record(CommandResult r, Host host, List<String> destroyed, List<DatasetResult> results) {
        String arg = r.command().argv().get(r.command().argv().size() - 1);
        if (r.ok()) {
            int at = arg.indexOf('@');
            if (at < 0) {
                destroyed.add(arg);
                return;
            }
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

    /** The planned names that still exist on this side, do not carry the shared GUID and (if asked) are not held. */
    private static List<String> keep(DatasetState side, List<String> planned, long sharedGuid, boolean skipHeld) {
        if (side == null || planned.isEmpty()) {
            return List.of();
        }
        Map<String, Snapshot> byName = new HashMap<>();
        side.snapshots().forEach(s -> byName.put(s.name(), s));
        List<String> names = new ArrayList<>();
        for (String name : planned) {
            Snapshot s = byName.get(name);
            if (s != null && s.guid() != sharedGuid && (!skipHeld || s.userrefs() == 0)) {
                names.add(name);
            }
        }
        return names;
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

    private static DatasetResult result(DatasetPlan p, DatasetResult.Status status, String message) {
        return new DatasetResult(p.source().value(), p.target().value(), p.action(), status, firstFrom(p), lastTo(p),
                0, 0, message);
    }
}
