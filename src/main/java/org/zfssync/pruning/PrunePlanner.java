package org.zfssync.pruning;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.Snapshot;
import org.zfssync.zfs.TreeState;

/**
 * Plans pruning of one side of a job. Pure: listings in, a plan out. Replication-aware: the
 * newest snapshot this side shares (by GUID) with each peer, and the snapshots a pending resume
 * needs, are never chosen, nor a held snapshot, nor one outside our naming.
 */
public final class PrunePlanner {
    private final Retention retention;
    private final Predicate<String> ours;

    public PrunePlanner(Retention retention, Predicate<String> ours) {
        this.retention = retention;
        this.ours = ours;
    }

    /**
     * One side a pruned side replicates with.
     *
     * @param state       its listing; an absent root means the peer is offline (a USB pool exported, say)
     * @param isItsCursor whether a bookmark on the pruned side is this peer's replication cursor
     */
    public record Peer(TreeState state, Predicate<String> isItsCursor, boolean sends,
                       java.util.function.LongFunction<String> cursorName) {
        /** A side that sends to the pruned side (the source, when a target is pruned). */
        public static Peer of(TreeState state) {
            return new Peer(state, name -> false, true, guid -> null);
        }

        /** A side the pruned side sends to (a target, when the source is pruned), with its cursors here. */
        public static Peer receiver(TreeState state, Predicate<String> isItsCursor) {
            return new Peer(state, isItsCursor, false, guid -> null);
        }

        /** As {@link #receiver}, naming a new cursor of this peer for a GUID (for provisional cursors). */
        public static Peer receiver(TreeState state, Predicate<String> isItsCursor,
                                    java.util.function.LongFunction<String> cursorName) {
            return new Peer(state, isItsCursor, false, cursorName);
        }
    }

    /** @see #plan(TreeState, List) */
    public PrunePlan planAgainst(TreeState side, List<TreeState> peers) {
        return plan(side, peers.stream().map(Peer::of).toList());
    }

    /**
     * @param side  the side to prune
     * @param peers the other side(s): every target when pruning a source, the source when pruning a target
     */
    public PrunePlan plan(TreeState side, List<Peer> peers) {
        TreeMap<org.zfssync.zfs.DatasetName, List<String>> destroy = new TreeMap<>();
        List<org.zfssync.host.Command> cursorsFirst = new ArrayList<>();
        for (DatasetState d : side.all()) {
            if (org.zfssync.zfs.AsideNames.isAsideOrInside(d.name(), side.root())) {
                // A copy kept aside (a quarantined target, a replaced original) keeps every snapshot it had.
                continue;
            }
            if (offlinePeerWithoutCursor(d, peers)) {
                // An absent peer may need any of these as its base; without its cursor here, keep them all.
                continue;
            }
            Set<Long> needed = neededGuids(side, d, peers);
            List<Candidate> candidates = new ArrayList<>();
            for (Snapshot s : d.snapshots()) {
                candidates.add(new Candidate(s.name(), Instant.ofEpochSecond(s.creation()), s.guid(),
                        ours.test(s.name()), s.userrefs() > 0, needed.contains(s.guid())));
            }
            List<String> names = retention.decide(candidates).destroy().stream().map(Candidate::name).toList();
            if (!names.isEmpty()) {
                destroy.put(d.name(), names);
                cursorsFirst.addAll(provisionalCursors(d, names, peers));
            }
        }
        return new PrunePlan(destroy, cursorsFirst);
    }

    /**
     * An offline peer's cursor may lag behind what it really received (its run was killed before
     * moving it, say). Every snapshot newer than that cursor that is about to be pruned gets a
     * cursor of that peer first, so whichever of them the peer holds when it returns is still a
     * base here. The peer's next successful run keeps the one it needs and destroys the rest.
     */
    private static List<org.zfssync.host.Command> provisionalCursors(DatasetState d, List<String> names,
                                                                     List<Peer> peers) {
        List<org.zfssync.host.Command> commands = new ArrayList<>();
        for (Peer peer : peers) {
            if (peer.state().rootExists() || peer.sends()) {
                continue;
            }
            long cursorTxg = -1;
            Set<Long> cursorGuids = new java.util.HashSet<>();
            for (org.zfssync.zfs.Bookmark b : d.bookmarks()) {
                if (peer.isItsCursor().test(b.name())) {
                    cursorTxg = Math.max(cursorTxg, b.createtxg());
                    cursorGuids.add(b.guid());
                }
            }
            Set<String> pruned = Set.copyOf(names);
            for (Snapshot s : d.snapshots()) {
                String cursor = peer.cursorName().apply(s.guid());
                if (cursor != null && pruned.contains(s.name()) && s.createtxg() > cursorTxg
                        && !cursorGuids.contains(s.guid())) {
                    commands.add(org.zfssync.zfs.ZfsCommands.bookmark(s.fullName(), d.name(), cursor));
                }
            }
        }
        return commands;
    }

    /**
     * A peer whose root is absent is offline, not empty: it still has whatever base it had. Its
     * cursor bookmark on this dataset keeps that base usable whatever is pruned; without one, the
     * dataset is not pruned at all.
     */
    private static boolean offlinePeerWithoutCursor(DatasetState d, List<Peer> peers) {
        for (Peer peer : peers) {
            if (!peer.state().rootExists() && d.bookmarks().stream().noneMatch(b -> peer.isItsCursor().test(b.name()))) {
                return true;
            }
        }
        return false;
    }

    /** GUIDs of this dataset's snapshots that some peer still needs: each peer's newest common one and resume bases. */
    static Set<Long> neededGuids(TreeState side, DatasetState d, List<Peer> peerSides) {
        Set<Long> needed = new java.util.HashSet<>();
        String relative = d.name().relativeTo(side.root());
        Set<Long> mine = new java.util.HashSet<>();
        d.snapshots().forEach(s -> mine.add(s.guid()));
        for (Peer peerSide : peerSides) {
            TreeState peer = peerSide.state();
            DatasetState other = peer.get(peer.root().resolve(relative));
            if (other == null) {
                continue;
            }
            // The newest of ours (by createtxg) that the peer also has, as a snapshot or as a bookmark
            // (a cursor, after the snapshot was pruned there): the next incremental's base.
            Set<Long> theirs = new java.util.HashSet<>();
            other.snapshots().forEach(s -> theirs.add(s.guid()));
            if (peerSide.sends()) {
                // A receiver needs the snapshot itself as its base; a sender can start from its bookmark.
                other.bookmarks().forEach(b -> theirs.add(b.guid()));
            }
            for (int i = d.snapshots().size() - 1; i >= 0; i--) {
                if (theirs.contains(d.snapshots().get(i).guid())) {
                    needed.add(d.snapshots().get(i).guid());
                    break;
                }
            }
            for (DatasetState withToken : List.of(other, d)) {
                withToken.dataset().resumeToken().ifPresent(text -> {
                    try {
                        ResumeToken token = ResumeToken.decode(text);
                        needed.add(token.toGuid());
                        needed.add(token.fromGuid());
                    } catch (IllegalArgumentException e) {
                        // An unreadable token protects nothing; the next sync discards it.
                    }
                });
            }
        }
        needed.retainAll(mine);
        return needed;
    }
}
