package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.Snapshot;

/**
 * What to send next to bring one target to its goal snapshot, decided from what the two sides
 * hold <em>now</em> (the target read again after every stream and every failure). Pure: the
 * retry loop asks it after each attempt, so a resumed stream that completed only one snapshot of
 * an {@code -I} range, a stream whose exit status was lost after it arrived, or a stale token
 * each lead to the right next step instead of a wrong "done" or a wrong "diverged".
 */
public final class NextStream {
    private NextStream() {
    }

    /** The decision. */
    public sealed interface Next {
    }

    /** The target holds the goal snapshot (by GUID). */
    public record Done() implements Next {
    }

    /** Resume the target's partial receive. */
    public record Resume(ResumeToken token) implements Next {
    }

    /** Discard the target's partial receive ({@code zfs receive -A}), then decide again. */
    public record Abort(String reason) implements Next {
    }

    /**
     * Send to the goal.
     *
     * @param from          full name of the incremental source ({@code fs@a}, {@code fs#b}), null for a full send
     * @param snapshot      short name of the snapshot sent (the goal, or for a full send the first one)
     * @param intermediates {@code -I}
     */
    public record Send(String from, String snapshot, boolean intermediates) implements Next {
    }

    /**
     * No stream can bring the target to its goal without a person's decision.
     *
     * @param diverged the target has snapshots the source does not (a refusal, exit 4), rather than a failure
     */
    public record Stuck(String reason, boolean diverged) implements Next {
    }

    /**
     * @param source    the source dataset now (held snapshots cannot have gone)
     * @param target    the target dataset now, null when it does not exist
     * @param goalGuid  the GUID of the snapshot the plan sends last
     * @param goalName  its short name on the source
     * @param firstFull for a target that may be created or overwritten: the snapshot a full send starts
     *                  with; null when a full send is not allowed (the target existed with data)
     */
    public static Next decide(DatasetState source, DatasetState target, long goalGuid, String goalName,
                              SendFlags flags, boolean noStream, String firstFull) {
        if (target != null) {
            for (Snapshot s : target.snapshots()) {
                if (s.guid() == goalGuid) {
                    return new Done();
                }
            }
            Optional<String> text = target.dataset().resumeToken();
            if (text.isPresent()) {
                try {
                    ResumeToken token = ResumeToken.decode(text.get());
                    Optional<String> stale = TokenCheck.staleness(token, source, flags);
                    if (stale.isEmpty()) {
                        return new Resume(token);
                    }
                    return new Abort("discarding the partial receive of " + token.toName() + " (" + token.bytes()
                            + " bytes) on " + target.name() + ": " + stale.get());
                } catch (ResumeToken.InvalidTokenException e) {
                    return new Abort("discarding a partial receive on " + target.name() + ": its token is unreadable ("
                            + e.getMessage() + ")");
                }
            }
        }
        if (target == null || target.snapshots().isEmpty()) {
            if (firstFull == null) {
                return new Stuck("target " + (target == null ? "disappeared" : target.name() + " has no snapshots left")
                        + " while it was being replicated", false);
            }
            return new Send(null, firstFull, false);
        }
        Common common = common(source, target);
        if (common == null) {
            return new Stuck("target " + target.name() + " no longer shares a snapshot with " + source.name()
                    + " (compared by GUID)", true);
        }
        Snapshot newestOnTarget = target.newestSnapshot();
        if (newestOnTarget.guid() != common.guid()) {
            return new Stuck("target " + target.name() + " has snapshot @" + newestOnTarget.name()
                    + " that the source does not, newer than the common snapshot @" + common.targetName(), true);
        }
        long goalTxg = -1;
        for (Snapshot s : source.snapshots()) {
            if (s.guid() == goalGuid) {
                goalTxg = s.createtxg();
            }
        }
        if (goalTxg >= 0 && common.createtxg() >= goalTxg) {
            // The target is past the goal already: nothing older can be received on top.
            return new Done();
        }
        return new Send(common.sourceName(), goalName, !noStream && common.isSnapshot());
    }

    /**
     * The newest snapshot of the target whose GUID the source has as a snapshot (preferred) or a
     * bookmark, or null.
     *
     * @param sourceName full name on the source ({@code fs@a} or {@code fs#b})
     */
    public record Common(long guid, long createtxg, String sourceName, boolean isSnapshot, String targetName) {
    }

    public static Common common(DatasetState source, DatasetState target) {
        if (target == null || target.snapshots().isEmpty()) {
            return null;
        }
        java.util.Map<Long, Snapshot> snapshots = new java.util.HashMap<>();
        java.util.Map<Long, Bookmark> bookmarks = new java.util.HashMap<>();
        source.snapshots().forEach(s -> snapshots.put(s.guid(), s));
        source.bookmarks().forEach(b -> bookmarks.putIfAbsent(b.guid(), b));
        for (int i = target.snapshots().size() - 1; i >= 0; i--) {
            Snapshot t = target.snapshots().get(i);
            Snapshot s = snapshots.get(t.guid());
            if (s != null) {
                return new Common(s.guid(), s.createtxg(), s.fullName(), true, t.name());
            }
            Bookmark b = bookmarks.get(t.guid());
            if (b != null) {
                return new Common(b.guid(), b.createtxg(), b.fullName(), false, t.name());
            }
        }
        return null;
    }
}
