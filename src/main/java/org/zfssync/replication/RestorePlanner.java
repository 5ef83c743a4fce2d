package org.zfssync.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.AsideNames;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/**
 * Plans a restore from a backup (a sync target) back to the source host. Pure: the two sides'
 * listings and the time come in, a plan goes out, so every case is tested without ZFS.
 *
 * <p>Three ways, chosen in this order, none destroying anything unless asked:
 * <ul>
 *   <li>{@link Mode#NEW} (the default): a full send of the snapshot into a dataset that does not
 *       exist yet (refused if it does: a restore never overwrites);</li>
 *   <li>{@link Mode#ROLLBACK} ({@code --in-place}): every dataset still holds the snapshot (same
 *       GUID, whatever its name there) and nothing newer, or {@code --destroy-newer} allows
 *       {@code zfs rollback -r}: the source is rolled back to it, no data is sent;</li>
 *   <li>{@link Mode#SWAP} ({@code --in-place} otherwise): the snapshot is received beside the
 *       original ({@code NAME.zfs-sync-restoring-T}), then the original is renamed aside
 *       ({@code NAME.zfs-sync-replaced-T}, kept, never destroyed) and the restored copy takes its name.</li>
 * </ul>
 * Encrypted datasets are sent raw, so they come back encrypted with the keys they had.
 */
public final class RestorePlanner {
    private RestorePlanner() {
    }

    /** How the snapshot comes back. */
    public enum Mode {
        NEW, ROLLBACK, SWAP
    }

    /**
     * What the user asked for.
     *
     * @param snapshot     the snapshot's short name on the backup, or null to pick by {@code asOf}
     * @param asOf         with no name: the newest snapshot of the backup root created at or before this
     * @param destination  the new dataset (default) or, with {@code inPlace}, the source dataset to restore
     * @param destroyNewer with {@code inPlace}: allow {@code zfs rollback -r}, destroying newer snapshots
     */
    public record Request(DatasetName backup, String snapshot, Instant asOf, DatasetName destination,
                          boolean recursive, boolean inPlace, boolean destroyNewer) {
    }

    /** {@code zfs rollback [-r] DATASET@SNAPSHOT}, with the newer snapshots that {@code -r} destroys. */
    public record Rollback(DatasetName dataset, String snapshot, List<String> destroys) {
        public Rollback {
            destroys = List.copyOf(destroys);
        }
    }

    /** The names swapped after the restored copy arrived beside the original. */
    public record Swap(DatasetName original, DatasetName aside, DatasetName restored) {
    }

    /**
     * @param snapshot  the short name restored (as on the backup)
     * @param created   its creation time
     * @param transfers full sends, parents first (none for a rollback)
     * @param notes     why this way, and what was left out
     */
    public record Plan(Mode mode, String snapshot, Instant created, List<DatasetPlan> transfers,
                       List<Rollback> rollbacks, Optional<Swap> swap, List<String> notes) {
        public Plan {
            transfers = List.copyOf(transfers);
            rollbacks = List.copyOf(rollbacks);
            notes = List.copyOf(notes);
        }
    }

    /** A restore that would overwrite or lose data: exit 4, nothing changed. */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * @param backup      the backup tree (recursive listing with {@code -r}) rooted at {@code request.backup()}
     * @param destination the destination as listed: absent for a new dataset, the source tree in place
     */
    public static Plan plan(Request request, TreeState backup, TreeState destination, Instant now) {
        if (!backup.rootExists()) {
            throw new PlanningException("backup dataset " + backup.root() + " does not exist");
        }
        Snapshot chosen = choose(request, backup.get(backup.root()));
        List<String> notes = new ArrayList<>();
        List<DatasetState> datasets = datasets(request, backup, chosen.name(), notes);
        if (!request.inPlace()) {
            if (destination.rootExists()) {
                throw new RefusedException(request.destination() + " already exists; a restore never overwrites: name a "
                        + "new dataset, or use --in-place to restore " + request.destination() + " itself");
            }
            return new Plan(Mode.NEW, chosen.name(), Instant.ofEpochSecond(chosen.creation()),
                    transfers(backup, datasets, chosen.name(), request.destination(), true), List.of(), Optional.empty(),
                    notes);
        }
        if (!destination.rootExists()) {
            throw new PlanningException(request.destination() + " does not exist, so there is nothing to restore in "
                    + "place; leave out --in-place to restore into it as a new dataset");
        }
        List<Rollback> rollbacks = new ArrayList<>();
        String why = rollbacks(request, backup, destination, datasets, chosen.name(), rollbacks);
        if (why == null) {
            notes.add("every dataset still holds @" + chosen.name() + " (same GUID): rolled back, nothing is sent");
            return new Plan(Mode.ROLLBACK, chosen.name(), Instant.ofEpochSecond(chosen.creation()), List.of(),
                    rollbacks, Optional.empty(), notes);
        }
        if (request.destination().parent() == null) {
            // NAME.zfs-sync-restoring-T beside a pool's root would name another pool, and a pool's root cannot be renamed.
            throw new RefusedException(why + ", so it would have to be received beside " + request.destination()
                    + " and swapped, but a pool's root dataset cannot be renamed: restore into a new dataset instead");
        }
        // The rename of the original takes everything below it along: what the restore does not bring
        // back would vanish from its place (moved under the replaced copy) without the plan saying so.
        for (DatasetName d : destination.datasets().keySet()) {
            boolean restoredToo = datasets.stream().anyMatch(b -> request.destination()
                    .resolve(b.name().relativeTo(backup.root())).equals(d));
            if (!restoredToo && !AsideNames.isAsideOrInside(d, request.destination())) {
                throw new RefusedException(why + ", so " + request.destination() + " would be received beside and "
                        + "swapped, but " + d + " lies below it and is not restored: the swap would move it away with "
                        + "the original. Restore into a new dataset instead" + (request.recursive() ? "" : ", or use -r"));
            }
        }
        notes.add(why + ": received beside it, then the names are swapped; the original is kept");
        DatasetName restored = AsideNames.name(request.destination(), AsideNames.Kind.RESTORING, now);
        DatasetName aside = AsideNames.name(request.destination(), AsideNames.Kind.REPLACED, now);
        return new Plan(Mode.SWAP, chosen.name(), Instant.ofEpochSecond(chosen.creation()),
                transfers(backup, datasets, chosen.name(), restored, false), List.of(),
                Optional.of(new Swap(request.destination(), aside, restored)), notes);
    }

    /** The snapshot of the backup root named, or the newest at or before {@code asOf}. */
    static Snapshot choose(Request request, DatasetState root) {
        if (root.snapshots().isEmpty()) {
            throw new PlanningException("backup dataset " + root.name() + " has no snapshots to restore");
        }
        if (request.snapshot() != null) {
            return root.snapshots().stream().filter(s -> s.name().equals(request.snapshot())).findFirst()
                    .orElseThrow(() -> new PlanningException("backup dataset " + root.name() + " has no snapshot @"
                            + request.snapshot() + " (see: zfs-sync restore list)"));
        }
        if (request.asOf() == null) {
            throw new PlanningException("name a snapshot (BACKUP@SNAPSHOT) or give --as-of TIME");
        }
        Snapshot best = null;
        for (Snapshot s : root.snapshots()) {
            if (s.creation() <= request.asOf().getEpochSecond() && (best == null || s.creation() >= best.creation())) {
                best = s;
            }
        }
        if (best == null) {
            throw new PlanningException("backup dataset " + root.name() + " has no snapshot as old as " + request.asOf()
                    + " (its oldest is @" + root.snapshots().get(0).name() + ", "
                    + Instant.ofEpochSecond(root.snapshots().get(0).creation()) + ")");
        }
        return best;
    }

    /** The backup datasets restored: the root, with -r its tree; a dataset without the snapshot is left out with its subtree. */
    private static List<DatasetState> datasets(Request request, TreeState backup, String name, List<String> notes) {
        List<DatasetState> chosen = new ArrayList<>();
        List<DatasetName> missing = new ArrayList<>();
        for (DatasetState d : Selection.of(backup, request.recursive(), List.of(), List.of())) {
            if (missing.stream().anyMatch(d.name()::isSelfOrDescendantOf)) {
                continue;
            }
            if (snapshot(d, name) == null) {
                missing.add(d.name());
                notes.add("left out: " + d.name() + " (and what is below it) has no @" + name);
                continue;
            }
            chosen.add(d);
        }
        return chosen;
    }

    private static Snapshot snapshot(DatasetState d, String name) {
        for (Snapshot s : d.snapshots()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** A full send of the snapshot per dataset into {@code root}'s tree, raw where encrypted, parents first. */
    private static List<DatasetPlan> transfers(TreeState backup, List<DatasetState> datasets, String name,
                                               DatasetName root, boolean createParent) {
        List<DatasetPlan> plans = new ArrayList<>();
        ReceiveFlags receive = ReceiveFlags.none();
        for (DatasetState d : datasets) {
            DatasetName target = root.resolve(d.name().relativeTo(backup.root()));
            SendFlags flags = SendFlags.none().withRaw(d.dataset().encrypted());
            List<Step> steps = new ArrayList<>();
            if (createParent && target.equals(root) && root.parent() != null) {
                steps.add(new Step.CreateParent(root.parent()));
            }
            steps.add(new Step.Send(d.name(), target, null, false, name, flags, receive, true));
            plans.add(new DatasetPlan(d.name(), target, Action.FULL, steps, List.of(), List.of(), Optional.empty(),
                    List.of(name), List.of()));
        }
        return plans;
    }

    /**
     * Fills {@code out} with a rollback per dataset and returns null when every dataset can be
     * rolled back; otherwise why not (then nothing is rolled back).
     */
    private static String rollbacks(Request request, TreeState backup, TreeState destination,
                                    List<DatasetState> datasets, String name, List<Rollback> out) {
        for (DatasetState d : datasets) {
            DatasetName target = request.destination().resolve(d.name().relativeTo(backup.root()));
            DatasetState t = destination.get(target);
            long guid = snapshot(d, name).guid();
            if (t == null) {
                return target + " does not exist";
            }
            int at = -1;
            for (int i = 0; i < t.snapshots().size(); i++) {
                if (t.snapshots().get(i).guid() == guid) {
                    at = i;
                }
            }
            if (at < 0) {
                return target + " no longer holds @" + name + " (compared by GUID)";
            }
            List<String> newer = t.snapshots().subList(at + 1, t.snapshots().size()).stream().map(Snapshot::name)
                    .toList();
            if (!newer.isEmpty() && !request.destroyNewer()) {
                return "rolling " + target + " back would destroy " + newer.size() + " newer snapshot(s) (@"
                        + newer.get(newer.size() - 1) + "; --destroy-newer allows it)";
            }
            // zfs rollback refuses newer bookmarks as it does newer snapshots, and -r destroys both.
            long txg = t.snapshots().get(at).createtxg();
            List<String> newerMarks = t.bookmarks().stream().filter(b -> b.createtxg() > txg).map(b -> "#" + b.name())
                    .toList();
            if (!newerMarks.isEmpty() && !request.destroyNewer()) {
                return "rolling " + target + " back would destroy " + newerMarks.size() + " newer bookmark(s) ("
                        + newerMarks.get(newerMarks.size() - 1) + "; --destroy-newer allows it)";
            }
            List<String> destroys = new ArrayList<>(newer);
            destroys.addAll(newerMarks);
            out.add(new Rollback(target, t.snapshots().get(at).name(), destroys));
        }
        return null;
    }
}
