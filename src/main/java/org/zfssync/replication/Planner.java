package org.zfssync.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.zfssync.zfs.AsideNames;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.Dataset;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.DatasetType;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/**
 * Turns the two sides' state into a plan. Pure: no I/O, no clock (the time comes in), so every
 * case is tested without ZFS.
 *
 * <p>Rules, per dataset (parents first): a missing target gets a full send of the oldest
 * snapshot, then one {@code -I} stream to the newest; an existing target gets one incremental
 * from the newest snapshot both sides share, matched by GUID (a renamed snapshot or a bookmark
 * still counts); a target that shares nothing, has newer snapshots or was modified is refused
 * unless the user gave the flag that allows destroying its data. Only datasets that changed
 * since their newest snapshot (or have none) get a new sync snapshot, all in one atomic
 * command: unchanged datasets are already captured by their newest snapshot, so the tree stays
 * consistent while a no-op run sends nothing.
 */
public final class Planner {
    /** Incrementals with less written than this since the last snapshot get no size estimate. */
    static final long ESTIMATE_THRESHOLD = 64L * 1024 * 1024;
    private final SyncOptions options;
    private final Pattern ours;

    /** Sync snapshots of any target with our prefix and template. */
    private final Pattern family;

    /** Any job's own snapshots with our prefix and template. */
    private final Pattern jobs;

    private final Map<String, Boolean> oursCache = new HashMap<>();
    private final Map<String, Boolean> familyCache = new HashMap<>();
    private final Map<String, Boolean> foreignCache = new HashMap<>();

    public Planner(SyncOptions options) {
        this.options = options;
        this.ours = options.naming().ownership();
        this.family = options.naming().familyOwnership();
        this.jobs = options.naming().jobOwnership();
    }

    /** Where a target stands relative to its source, before any snapshot is taken. */
    private record Analysis(DatasetState source, DatasetName targetName, DatasetState target, Snapshot common,
                            String commonSourceName, boolean commonIsSnapshot, List<Snapshot> newerOnTarget,
                            boolean modified, Refusal refusal, List<Step> resumeSteps, Step.Quarantine quarantine) {
        Analysis(DatasetState source, DatasetName targetName, DatasetState target, Snapshot common,
                 String commonSourceName, boolean commonIsSnapshot, List<Snapshot> newerOnTarget, boolean modified,
                 Refusal refusal, List<Step> resumeSteps) {
            this(source, targetName, target, common, commonSourceName, commonIsSnapshot, newerOnTarget, modified,
                    refusal, resumeSteps, null);
        }

        Analysis withResume(List<Step> steps) {
            return new Analysis(source, targetName, target, common, commonSourceName, commonIsSnapshot, newerOnTarget,
                    modified, refusal, steps, quarantine);
        }

        Analysis withRefusal(Refusal r) {
            return new Analysis(source, targetName, target, common, commonSourceName, commonIsSnapshot, newerOnTarget,
                    modified, r, resumeSteps, quarantine);
        }

        /**
         * The target moved aside instead of refused: planned from here on as if it did not exist
         * (a full send), after a partial receive on it, if any, is discarded (its data is the
         * source's, sent again in full).
         */
        Analysis quarantined(Step.Quarantine step, boolean discardPartial) {
            List<Step> before = resumeSteps.stream().filter(Step.AbortResume.class::isInstance).toList();
            if (before.isEmpty() && discardPartial) {
                before = List.of(new Step.AbortResume(targetName, "discarding the partial receive on " + targetName
                        + " before it is moved aside: it holds only data from the source, which is sent again"));
            }
            return new Analysis(source, targetName, null, null, null, false, List.of(), false, null, before, step);
        }

        /**
         * A sync snapshot is taken where the dataset changed, has none, or its newest snapshot is
         * another target's sync snapshot: with several targets, each then has a base that only its
         * own cleanup may remove, so one target's cleanup never takes away another's base. One is
         * also taken when the newest snapshot is another tool's (sanoid, zfs-auto-snapshot): sending
         * only up to it would make it the newest base the two sides share, and that tool may prune it
         * on either side at any time; an own snapshot on top keeps a base only zfs-sync removes.
         */
        boolean needsSnapshot(boolean take, Predicate<String> ours, Predicate<String> family,
                              Predicate<String> foreign) {
            Snapshot newest = source.newestSnapshot();
            return refusal == null && take && (newest == null || source.dataset().written() > 0
                    || foreign.test(newest.name())
                    || family.test(newest.name()) && !ours.test(newest.name())
                    && !unchangedButForOtherTargets(ours, family));
        }


        /**
         * True when nothing was written on the source since the common snapshot and every snapshot
         * after it is another target's empty sync snapshot: this target already has the data, and
         * other targets' snapshots are theirs to keep, so there is nothing to take or send.
         */
        boolean unchangedButForOtherTargets(Predicate<String> ours, Predicate<String> family) {
            if (common == null || source.dataset().written() > 0) {
                return false;
            }
            long baseTxg = -1;
            for (Snapshot snap : source.snapshots()) {
                if (snap.guid() == common.guid()) {
                    baseTxg = snap.createtxg();
                }
            }
            for (Bookmark b : source.bookmarks()) {
                if (b.guid() == common.guid()) {
                    baseTxg = Math.max(baseTxg, b.createtxg());
                }
            }
            boolean any = false;
            for (Snapshot snap : source.snapshots()) {
                if (snap.createtxg() > baseTxg) {
                    if (snap.written() > 0 || ours.test(snap.name()) || !family.test(snap.name())) {
                        return false;
                    }
                    any = true;
                }
            }
            return baseTxg >= 0 && any;
        }
    }

    public Plan plan(TreeState source, TreeState target, Instant now) {
        return plan(source, target, List.of(), now);
    }

    /**
     * @param besideRoot the datasets beside the target root (its parent's children): where the
     *                   root's own aside copies are, for quarantine-keep; empty when not read
     */
    public Plan plan(TreeState source, TreeState target, List<DatasetName> besideRoot, Instant now) {
        if (!source.rootExists()) {
            throw new PlanningException("source dataset " + source.root() + " does not exist");
        }
        List<Analysis> analyses = new ArrayList<>();
        // Targets moved aside this run, with everything below them: their children are sent in full.
        List<DatasetName> movedAside = new ArrayList<>();
        List<DatasetName> newAsides = new ArrayList<>();
        Set<DatasetName> asideNames = new HashSet<>(target.datasets().keySet());
        asideNames.addAll(besideRoot);
        List<DatasetState> selected = Selection.of(source, options.recursive(), options.includes(), options.excludes());
        // The target datasets this run replicates: only these may move aside below a quarantined target.
        Set<DatasetName> covered = new HashSet<>();
        selected.forEach(s -> covered.add(target.root().resolve(s.name().relativeTo(source.root()))));
        for (DatasetState s : selected) {
            DatasetName targetName = target.root().resolve(s.name().relativeTo(source.root()));
            if (movedAside.stream().anyMatch(targetName::isSelfOrDescendantOf)) {
                analyses.add(analyse(s, targetName, null));
                continue;
            }
            DatasetState t = target.get(targetName);
            Resumption resumption = resumption(s, targetName, t);
            Analysis a = analyse(s, targetName, resumption.target()).withResume(resumption.steps());
            Optional<DatasetName> stray = t == null ? Optional.empty() : stray(targetName, target, covered);
            if (options.onDiverged() == OnDiverged.QUARANTINE && a.refusal != null
                    && a.refusal.kind() != Refusal.Kind.NO_SOURCE_SNAPSHOT && stray.isPresent()) {
                // A rename would carry along a dataset this run does not replicate (excluded, not on the
                // source, or below a non-recursive target), and quarantine-keep would later destroy it.
                a = a.withRefusal(new Refusal(a.refusal.kind(), a.refusal.reason() + "; it is not moved aside because "
                        + stray.get() + " lies below it and this run does not replicate it", a.refusal.remedy()));
            } else if (options.onDiverged() == OnDiverged.QUARANTINE && a.refusal != null
                    && a.refusal.kind() != Refusal.Kind.NO_SOURCE_SNAPSHOT
                    && (options.takeSnapshot() || !s.snapshots().isEmpty())
                    // A pool's root dataset cannot be renamed: it stays refused.
                    && targetName.parent() != null) {
                DatasetName aside = asideName(targetName, now, asideNames);
                asideNames.add(aside);
                newAsides.add(aside);
                a = a.quarantined(new Step.Quarantine(targetName, aside,
                        t.dataset().type() == DatasetType.FILESYSTEM, a.refusal.reason()),
                        t.dataset().resumeToken().isPresent());
                movedAside.add(targetName);
            }
            analyses.add(a);
        }
        // Decided once per dataset: the snapshot list and each dataset's plan must agree.
        List<DatasetName> toSnapshot = new ArrayList<>();
        boolean[] snapshotted = new boolean[analyses.size()];
        for (int i = 0; i < analyses.size(); i++) {
            Analysis a = analyses.get(i);
            snapshotted[i] = a.needsSnapshot(options.takeSnapshot(), this::isOurs, this::isFamily, this::isForeign);
            if (snapshotted[i]) {
                toSnapshot.add(a.source.name());
            }
        }
        String newName = toSnapshot.isEmpty() ? null : uniqueName(now, analyses);
        List<DatasetPlan> plans = new ArrayList<>(analyses.size());
        for (int i = 0; i < analyses.size(); i++) {
            Analysis a = analyses.get(i);
            boolean isRoot = a.source.name().equals(source.root());
            plans.add(planDataset(a, snapshotted[i] ? newName : null,
                    isRoot && !target.rootExists()));
        }
        return new Plan(Optional.ofNullable(newName), toSnapshot, plans, expired(target, besideRoot, newAsides, movedAside, now));
    }

    /**
     * A dataset below {@code targetName} on the target that this run does not replicate (aside
     * copies, ours, do not count), if any.
     */
    private static Optional<DatasetName> stray(DatasetName targetName, TreeState target, Set<DatasetName> covered) {
        return target.datasets().keySet().stream()
                .filter(d -> !d.equals(targetName) && d.isSelfOrDescendantOf(targetName) && !covered.contains(d)
                        && !AsideNames.isAsideOrInside(d, target.root()))
                .findFirst();
    }

    /** The aside name for a target moved aside now, a second later while that name is taken. */
    private static DatasetName asideName(DatasetName target, Instant now, Set<DatasetName> taken) {
        Instant t = now;
        while (true) {
            DatasetName name = AsideNames.name(target, AsideNames.Kind.DIVERGED, t);
            if (!taken.contains(name)) {
                return name;
            }
            t = t.plusSeconds(1);
        }
    }

    /**
     * Copies of diverged targets moved aside that are older than quarantine-keep: only names that
     * parse exactly as a diverged target's aside name, of the target root (beside it) or, in a
     * recursive run, of a dataset below it that the run covers (not excluded, not itself inside
     * another aside copy, which goes with it). Nothing is expired without quarantine-keep.
     */
    private List<Plan.Expired> expired(TreeState target, List<DatasetName> besideRoot, List<DatasetName> madeNow,
                                       List<DatasetName> movedNow, Instant now) {
        if (options.quarantineKeep().isEmpty()) {
            return List.of();
        }
        java.time.Duration keep = options.quarantineKeep().get();
        List<DatasetName> candidates = new ArrayList<>(besideRoot);
        if (options.recursive()) {
            candidates.addAll(target.datasets().keySet());
        }
        List<Plan.Expired> expired = new ArrayList<>();
        for (DatasetName name : candidates) {
            Optional<AsideNames.Aside> parsed = AsideNames.parse(name);
            if (parsed.isEmpty() || parsed.get().kind() != AsideNames.Kind.DIVERGED
                    || !parsed.get().at().plus(keep).isBefore(now) || madeNow.contains(name)
                    // Below a target moved aside this run: it has moved too, no longer at this name.
                    || movedNow.stream().anyMatch(name::isSelfOrDescendantOf)) {
                continue;
            }
            DatasetName original = parsed.get().original();
            boolean ofRoot = original.equals(target.root());
            boolean below = options.recursive() && !ofRoot && original.isSelfOrDescendantOf(target.root())
                    && !AsideNames.isAsideOrInside(original, target.root()) && !excluded(original, target.root());
            if ((ofRoot || below) && expired.stream().noneMatch(e -> name.isSelfOrDescendantOf(e.aside()))) {
                expired.add(new Plan.Expired(name, parsed.get().at(), keep));
            }
        }
        return expired;
    }

    /** Whether a dataset below the target root, or one of its ancestors there, matches an exclude (or misses every include). */
    private boolean excluded(DatasetName original, DatasetName root) {
        for (DatasetName d = original; d != null && !d.equals(root); d = d.parent()) {
            String relative = d.relativeTo(root);
            DatasetName named = d;
            if (options.excludes().stream().anyMatch(g -> g.matches(named.value(), relative))) {
                return true;
            }
        }
        if (options.includes().isEmpty()) {
            return false;
        }
        String relative = original.relativeTo(root);
        for (DatasetName d = original; d != null && !d.equals(root); d = d.parent()) {
            DatasetName named = d;
            String rel = d.relativeTo(root);
            if (options.includes().stream().anyMatch(g -> g.matches(named.value(), rel))) {
                return false;
            }
        }
        return !relative.isEmpty();
    }

    /** Steps for a partial receive on the target, and the target as it will be after them. */
    private record Resumption(List<Step> steps, DatasetState target) {
    }

    /**
     * A target with a resume token is resumed first when the token still fits this run: its
     * snapshot (and incremental source) still exist on the source, matched by GUID, and it was
     * raw exactly when this run sends raw. Otherwise it is discarded with {@code zfs receive -A},
     * and the log says what was discarded and why.
     */
    private Resumption resumption(DatasetState s, DatasetName targetName, DatasetState t) {
        if (t == null || t.dataset().resumeToken().isEmpty()) {
            return new Resumption(List.of(), t);
        }
        String text = t.dataset().resumeToken().get();
        ResumeToken token = null;
        String stale;
        try {
            token = ResumeToken.decode(text);
            stale = TokenCheck.staleness(token, s, sendFlags(s)).orElse(null);
        } catch (ResumeToken.InvalidTokenException e) {
            stale = "its token is unreadable (" + e.getMessage() + ")";
        }
        Dataset settled = new Dataset(t.dataset().name(), t.dataset().type(), t.dataset().guid(),
                t.dataset().createtxg(), 0, t.dataset().encrypted(), Optional.empty());
        if (stale == null) {
            Snapshot sent = null;
            for (Snapshot snap : s.snapshots()) {
                if (snap.guid() == token.toGuid()) {
                    sent = snap;
                }
            }
            long txg = t.snapshots().isEmpty() ? 1 : t.newestSnapshot().createtxg() + 1;
            List<Snapshot> after = new ArrayList<>(t.snapshots());
            after.add(new Snapshot(t.name(), sent.name(), sent.guid(), txg, sent.creation(), sent.written(), 0));
            ReceiveFlags flags = options.receiveFlags().withForce(false);
            return new Resumption(List.of(new Step.ResumeSend(s.name(), targetName, token,
                    token.fromGuid() == 0 ? flags.forNewTarget() : flags)),
                    new DatasetState(settled, after, t.bookmarks()));
        }
        String what = token == null ? "a partial receive" : "the partial receive of " + token.toName() + " ("
                + token.bytes() + " bytes)";
        Step abort = new Step.AbortResume(targetName, "discarding " + what + " on " + targetName + ": " + stale);
        // A first (full) receive that never completed leaves a dataset that -A removes entirely.
        boolean removed = t.snapshots().isEmpty() && (token == null || token.fromGuid() == 0);
        return new Resumption(List.of(abort), removed ? null : new DatasetState(settled, t.snapshots(), t.bookmarks()));
    }

    /** The flags a dataset is sent with: encrypted datasets always raw. */
    private SendFlags sendFlags(DatasetState s) {
        return options.sendFlags().withRaw(options.sendFlags().raw() || s.dataset().encrypted());
    }

    private Analysis analyse(DatasetState s, DatasetName targetName, DatasetState t) {
        if (t == null) {
            Refusal refusal = null;
            if (s.snapshots().isEmpty() && !options.takeSnapshot()) {
                refusal = new Refusal(Refusal.Kind.NO_SOURCE_SNAPSHOT, "source " + s.name() + " has no snapshots",
                        "run without --no-snapshot so zfs-sync takes one, or snapshot it yourself");
            }
            return new Analysis(s, targetName, null, null, null, false, List.of(), false, refusal, List.of());
        }
        if (t.snapshots().isEmpty()) {
            return noCommon(s, targetName, t, new Refusal(Refusal.Kind.NO_COMMON_SNAPSHOT,
                    "target " + targetName + " exists but has no snapshots, so no incremental send can start from it",
                    "run again with --on-diverged quarantine to keep it aside and send a fresh copy, with --force-overwrite "
                            + "to replace it with " + s.name() + ", or pick another target"));
        }
        // Names are built only for the one common snapshot found, not for every candidate.
        Map<Long, Bookmark> bookmarksByGuid = new HashMap<>();
        Map<Long, Snapshot> snapshotsByGuid = new HashMap<>();
        for (Bookmark b : s.bookmarks()) {
            bookmarksByGuid.put(b.guid(), b);
        }
        for (Snapshot snap : s.snapshots()) {
            snapshotsByGuid.put(snap.guid(), snap);
        }
        List<Snapshot> targetSnaps = t.snapshots();
        int commonIndex = -1;
        for (int i = targetSnaps.size() - 1; i >= 0; i--) {
            long guid = targetSnaps.get(i).guid();
            if (snapshotsByGuid.containsKey(guid) || bookmarksByGuid.containsKey(guid)) {
                commonIndex = i;
                break;
            }
        }
        if (commonIndex < 0) {
            return noCommon(s, targetName, t, new Refusal(Refusal.Kind.NO_COMMON_SNAPSHOT,
                    "target " + targetName + " exists but shares no snapshot with " + s.name() + " (compared by GUID)",
                    "run again with --on-diverged quarantine to keep it aside and send a fresh copy, with "
                            + "--force-overwrite to replace it (destroying its " + targetSnaps.size()
                            + " snapshot(s)), or pick another target"));
        }
        Snapshot common = targetSnaps.get(commonIndex);
        List<Snapshot> newer = targetSnaps.subList(commonIndex + 1, targetSnaps.size());
        boolean modified = t.dataset().written() > 0;
        Refusal refusal = null;
        if (!options.rollback() && !newer.isEmpty()) {
            refusal = new Refusal(Refusal.Kind.DIVERGED, "target " + targetName + " has " + newer.size()
                    + " snapshot(s) newer than the common snapshot @" + common.name() + " (e.g. @"
                    + newer.get(newer.size() - 1).name() + ")",
                    "run again with --rollback to roll it back to @" + common.name() + ", destroying them, or with "
                            + "--on-diverged quarantine to keep it aside and send a fresh copy");
        } else if (!options.rollback() && modified) {
            refusal = new Refusal(Refusal.Kind.DIVERGED, "target " + targetName
                    + " was modified since its newest snapshot @" + common.name() + " (" + t.dataset().written()
                    + " bytes written; on a writable mounted target, reading files updates access times too)",
                    "run again with --rollback to discard those changes (or --on-diverged quarantine to keep them "
                            + "aside), and keep the target readonly=on");
        }
        Snapshot commonSnapshot = snapshotsByGuid.get(common.guid());
        String commonName = commonSnapshot != null ? commonSnapshot.fullName()
                : bookmarksByGuid.get(common.guid()).fullName();
        return new Analysis(s, targetName, t, common, commonName, commonSnapshot != null, List.copyOf(newer), modified,
                refusal, List.of());
    }

    private Analysis noCommon(DatasetState s, DatasetName targetName, DatasetState t, Refusal refusal) {
        return new Analysis(s, targetName, t, null, null, false, List.of(), false,
                options.forceOverwrite() ? null : refusal, List.of());
    }

    /** The sync snapshot name for this time, moved on a second while it would collide. */
    private String uniqueName(Instant now, List<Analysis> analyses) {
        Instant t = now;
        while (true) {
            String name = options.naming().nameAt(t);
            boolean taken = false;
            for (Analysis a : analyses) {
                if (hasSnapshot(a.source, name) || (a.target != null && hasSnapshot(a.target, name))) {
                    taken = true;
                    break;
                }
            }
            if (!taken) {
                return name;
            }
            t = t.plusSeconds(1);
        }
    }

    private static boolean hasSnapshot(DatasetState d, String name) {
        for (Snapshot s : d.snapshots()) {
            if (s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a stream may be big enough for a size estimate ({@code zfs send -nP}, one per
     * dataset in the run's first session) to pay off: not when the listing bounds it below
     * {@link StreamSize#SMALL} (a small dataset's full send: on a tree of many, their estimates
     * would take longer than their streams), yes when the listing cannot tell.
     *
     * @param from        the stream's base as zfs send takes it, null for a full stream
     * @param newSnapshot the snapshot this run takes (not listed yet), or null
     */
    private static boolean worthEstimating(DatasetState s, String from, String to, String newSnapshot) {
        long bound = StreamSize.bound(s, from, to, to.equals(newSnapshot));
        return bound < 0 || bound >= StreamSize.SMALL;
    }

    private DatasetPlan planDataset(Analysis a, String newSnapshot, boolean createRootParent) {
        DatasetState s = a.source;
        if (a.refusal != null) {
            return DatasetPlan.refused(s.name(), a.targetName, a.refusal);
        }
        List<String> sourceNames = new ArrayList<>(s.snapshots().size() + 1);
        for (Snapshot snap : s.snapshots()) {
            sourceNames.add(snap.name());
        }
        if (newSnapshot != null) {
            sourceNames.add(newSnapshot);
        }
        if (sourceNames.isEmpty()) {
            // Only bookmarks are left on the source and no snapshot may be taken: nothing can be sent.
            return new DatasetPlan(s.name(), a.targetName, Action.UP_TO_DATE, a.resumeSteps, List.of(), List.of(),
                    Optional.empty(), List.of(), ownCursors(s));
        }
        String newest = sourceNames.get(sourceNames.size() - 1);
        SendFlags sendFlags = sendFlags(s);
        ReceiveFlags receiveFlags = options.receiveFlags().withForce(false);
        List<Step> steps = new ArrayList<>(a.resumeSteps);
        if (a.quarantine != null) {
            steps.add(a.quarantine);
        }
        List<String> arriving = new ArrayList<>();
        Set<String> targetGone = new HashSet<>();
        Action action;

        if (a.target == null || a.common == null) {
            // Full send: the target is missing, or (with --force-overwrite) replaced.
            if (a.target != null) {
                List<String> existing = a.target.snapshots().stream().map(Snapshot::name).toList();
                if (!existing.isEmpty()) {
                    steps.add(new Step.DestroyTargetSnapshots(a.targetName, existing));
                    targetGone.addAll(existing);
                }
                receiveFlags = receiveFlags.withForce(true);
            } else if (createRootParent && a.targetName.parent() != null) {
                steps.add(new Step.CreateParent(a.targetName.parent()));
            }
            String first = options.noStream() ? newest : sourceNames.get(0);
            steps.add(new Step.Send(s.name(), a.targetName, null, false, first, sendFlags, receiveFlags.forNewTarget(),
                    worthEstimating(s, null, first, newSnapshot)));
            arriving.add(first);
            if (!first.equals(newest)) {
                steps.add(new Step.Send(s.name(), a.targetName, s.name().snapshot(first), true, newest, sendFlags,
                        options.receiveFlags().withForce(false),
                        worthEstimating(s, s.name().snapshot(first), newest, newSnapshot)));
                arriving.addAll(sourceNames.subList(1, sourceNames.size()));
            }
            action = Action.FULL;
        } else {
            if (!a.newerOnTarget.isEmpty()) {
                List<String> destroyed = a.newerOnTarget.stream().map(Snapshot::name).toList();
                steps.add(new Step.Rollback(a.targetName, a.common.name(), destroyed));
                targetGone.addAll(destroyed);
            }
            Snapshot sourceNewest = s.newestSnapshot();
            boolean unchanged = newSnapshot == null && a.unchangedButForOtherTargets(this::isOurs, this::isFamily);
            if (unchanged) {
                // Our base stays the newest snapshot this target needs; cleanup must keep it.
                newest = a.commonSourceName.substring(a.commonSourceName.indexOf('@') + 1);
            }
            if (newSnapshot == null && sourceNewest != null && (sourceNewest.guid() == a.common.guid() || unchanged)) {
                if (a.modified && options.rollback() && a.newerOnTarget.isEmpty()) {
                    steps.add(new Step.Rollback(a.targetName, a.common.name(), List.of()));
                }
                action = a.resumeSteps.stream().anyMatch(Step.ResumeSend.class::isInstance) ? Action.INCREMENTAL
                        : Action.UP_TO_DATE;
            } else {
                boolean intermediates = !options.noStream() && a.commonIsSnapshot;
                // A routine incremental (from the previous newest snapshot, little written since) is too
                // small for a size estimate to pay off; nor is a catch-up the listing bounds as small.
                boolean routine = sourceNewest != null && sourceNewest.guid() == a.common.guid()
                        && s.dataset().written() < ESTIMATE_THRESHOLD;
                steps.add(new Step.Send(s.name(), a.targetName, a.commonSourceName, intermediates, newest, sendFlags,
                        receiveFlags.withForce(a.modified && options.rollback()),
                        !routine && worthEstimating(s, a.commonSourceName, newest, newSnapshot)));
                arriving.addAll(intermediates ? after(sourceNames, a.commonSourceName) : List.of(newest));
                action = Action.INCREMENTAL;
            }
        }
        // After success the two sides share this GUID (0: the new snapshot, whose GUID is not known
        // yet); whatever carries it, on either side and under any name, is the next base and stays.
        long keepGuid = action == Action.UP_TO_DATE && a.common != null ? a.common.guid() : 0;
        for (Snapshot snap : s.snapshots()) {
            if (keepGuid == 0 && snap.name().equals(newest)) {
                keepGuid = snap.guid();
            }
        }
        List<String> cleanupSource = new ArrayList<>();
        List<String> cleanupTarget = new ArrayList<>();
        if (!options.keepSyncSnapshots()) {
            for (Snapshot snap : s.snapshots()) {
                if (isStaleOurs(snap.name(), newest) && snap.userrefs() == 0 && snap.guid() != keepGuid) {
                    cleanupSource.add(snap.name());
                }
            }
            // A snapshot the source holds under a name that is not ours was claimed by the user there
            // (renamed to pin it, say): its copy on the target stays too, whatever it is called there.
            Set<Long> claimedOnSource = new HashSet<>();
            for (Snapshot snap : s.snapshots()) {
                if (!isOurs(snap.name())) {
                    claimedOnSource.add(snap.guid());
                }
            }
            Set<String> onTarget = new HashSet<>();
            if (a.target != null) {
                for (Snapshot snap : a.target.snapshots()) {
                    onTarget.add(snap.name());
                    if (!targetGone.contains(snap.name()) && isStaleOurs(snap.name(), newest) && snap.userrefs() == 0
                            && snap.guid() != keepGuid && !claimedOnSource.contains(snap.guid())) {
                        cleanupTarget.add(snap.name());
                    }
                }
            }
            for (String name : arriving) {
                if (!onTarget.contains(name) && isStaleOurs(name, newest)) {
                    cleanupTarget.add(name);
                }
            }
            // Other targets' sync snapshots arrive here inside -I streams. Once their own cleanup has
            // removed them from the source they are orphans here: zfs-sync's, and nobody's base.
            Set<Long> onSource = new HashSet<>();
            s.snapshots().forEach(snap -> onSource.add(snap.guid()));
            if (a.target != null) {
                for (Snapshot snap : a.target.snapshots()) {
                    if (!targetGone.contains(snap.name()) && !isOurs(snap.name())
                            && isFamily(snap.name()) && !onSource.contains(snap.guid())
                            && snap.userrefs() == 0 && snap.guid() != keepGuid && !cleanupTarget.contains(snap.name())) {
                        cleanupTarget.add(snap.name());
                    }
                }
            }
        }
        return new DatasetPlan(s.name(), a.targetName, action, steps, cleanupSource, cleanupTarget, Optional.empty(),
                holds(s, steps, sourceNames), ownCursors(s));
    }

    /**
     * Every source snapshot the plan's streams need, intermediates of an {@code -I} stream
     * included, by short name in source order: held for the whole run, so no pruner (ours or
     * another tool's) can take one away while it is being sent or is about to be.
     */
    private static List<String> holds(DatasetState s, List<Step> steps, List<String> sourceNames) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (Step step : steps) {
            if (step instanceof Step.Send send) {
                int from = send.from() == null ? sourceNames.indexOf(send.snapshot())
                        : send.from().contains("@") ? sourceNames.indexOf(shortName(send.from())) : -1;
                int to = sourceNames.indexOf(send.snapshot());
                if (from >= 0 && send.intermediates()) {
                    names.addAll(sourceNames.subList(from, to + 1));
                } else {
                    if (from >= 0) {
                        names.add(sourceNames.get(from));
                    }
                    names.add(send.snapshot());
                }
            } else if (step instanceof Step.ResumeSend r) {
                for (Snapshot snap : s.snapshots()) {
                    if (snap.guid() == r.token().toGuid() || snap.guid() == r.token().fromGuid()) {
                        names.add(snap.name());
                    }
                }
            }
        }
        return List.copyOf(names);
    }

    private List<String> ownCursors(DatasetState s) {
        List<String> cursors = new ArrayList<>();
        for (Bookmark b : s.bookmarks()) {
            if (options.naming().isOwnCursor(b.name())) {
                cursors.add(b.name());
            }
        }
        return cursors;
    }

    private static String shortName(String fullName) {
        return fullName.substring(fullName.indexOf('@') + 1);
    }

    /*
     * Ownership is decided once per distinct name: a recursive tree repeats the same snapshot names
     * in every dataset, and a regular expression per snapshot was most of the planning time.
     */
    private boolean isOurs(String name) {
        return oursCache.computeIfAbsent(name, n -> ours.matcher(n).matches());
    }

    private boolean isFamily(String name) {
        return familyCache.computeIfAbsent(name, n -> family.matcher(n).matches());
    }

    /** Neither any target's sync snapshot nor any job's own: another tool's or the user's. */
    private boolean isForeign(String name) {
        return foreignCache.computeIfAbsent(name, n -> !family.matcher(n).matches() && !jobs.matcher(n).matches());
    }

    private boolean isStaleOurs(String name, String newest) {
        return !name.equals(newest) && isOurs(name);
    }

    /** Short names after the given full snapshot name ({@code fs@a}) in source order. */
    private static List<String> after(List<String> sourceNames, String fromFullName) {
        String from = fromFullName.substring(fromFullName.indexOf('@') + 1);
        int i = sourceNames.indexOf(from);
        return sourceNames.subList(i + 1, sourceNames.size());
    }
}
