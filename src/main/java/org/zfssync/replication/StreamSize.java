package org.zfssync.replication;

import org.zfssync.zfs.Bookmark;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.Snapshot;

/**
 * Whether a stream is small enough that setting up a connection would be most of its cost, judged
 * from the source listing alone (no {@code zfs send -nP}): the {@code written} of every snapshot
 * the stream carries, summed, bounds what it moves (blocks freed since count too, so it errs
 * towards big). Small streams may share a kept data connection ({@code Host#startReusing}); a
 * stream of unknown size is treated as big and gets its own connection, as every stream did before.
 */
final class StreamSize {
    /**
     * Below this a stream goes on a kept connection. A connection's setup (key exchange, sshd's
     * fork, authentication) costs from tens of milliseconds to seconds, which is the time of
     * several MiB on most links; a bigger stream gains nothing from sharing and keeps the
     * dedicated connection it always had.
     */
    static final long SMALL = 16L << 20;
    /**
     * Below this a stream runs without the run's compressor and mbuffers: a compressor saves
     * well under a second on any link at this size, mbuffer smooths nothing, and each costs a
     * process on both ends.
     */
    static final long TINY = 1L << 20;

    private StreamSize() {
    }

    /**
     * @param source the source dataset as listed (with the run's sync snapshot)
     * @param from   the stream's base as {@code zfs send} takes it ({@code ds@snap}, {@code ds#bookmark}), or
     *               null for a full stream
     * @param to     the name (without dataset) of the snapshot the stream ends with
     */
    static boolean small(DatasetState source, String from, String to) {
        long bound = bound(source, from, to, false);
        return bound >= 0 && bound < SMALL;
    }

    /**
     * At most the bytes a stream carries, by the listing: the {@code written} of every snapshot
     * after its base up to {@code to}; -1 when the listing does not show its base or its end.
     *
     * @param toIsNew {@code to} is the snapshot this run is about to take: everything written
     *                since the newest snapshot goes too
     */
    static long bound(DatasetState source, String from, String to, boolean toIsNew) {
        if (source == null) {
            return -1;
        }
        long after = -1;
        if (from != null) {
            after = baseTxg(source, from);
            if (after < 0) {
                return -1;
            }
        }
        long end = Long.MAX_VALUE;
        if (!toIsNew) {
            end = -1;
            for (Snapshot s : source.snapshots()) {
                if (s.name().equals(to)) {
                    end = s.createtxg();
                }
            }
            if (end < 0) {
                return -1;
            }
        }
        long sum = toIsNew ? Math.max(0, source.dataset().written()) : 0;
        for (Snapshot s : source.snapshots()) {
            if (s.createtxg() > after && s.createtxg() <= end) {
                sum += Math.max(0, s.written());
            }
        }
        return sum;
    }

    /**
     * The shape one send runs with: the run's, or none when the listing bounds the stream below
     * {@link #TINY} (its compressor and mbuffers, four processes with their buffers, would take
     * longer to start than the stream to run, and a single-stage pipeline needs no stage script).
     * The plan printer and the delivery ask the same question, so a dry run shows what runs.
     *
     * @param source the source dataset as listed; the send's snapshot may be the one the run is
     *               about to take (then everything written since the newest snapshot counts)
     */
    static StreamShape shape(StreamShape runShape, DatasetState source, Step.Send send) {
        long bound = boundOf(source, send);
        return bound >= 0 && bound < TINY ? StreamShape.plain() : runShape;
    }

    /**
     * At most the bytes a send carries, by the listing ({@link #bound}); its snapshot may be the
     * one the run is about to take. -1 when unknown.
     */
    static long boundOf(DatasetState source, Step.Send send) {
        if (source == null) {
            return -1;
        }
        boolean listed = source.snapshots().stream().anyMatch(s -> s.name().equals(send.snapshot()));
        return bound(source, send.from(), send.snapshot(), !listed);
    }

    /** The createtxg of a stream's base, -1 if it is not in the listing. */
    private static long baseTxg(DatasetState source, String from) {
        int snap = from.lastIndexOf('@');
        int mark = from.lastIndexOf('#');
        if (snap >= 0) {
            String name = from.substring(snap + 1);
            for (Snapshot s : source.snapshots()) {
                if (s.name().equals(name)) {
                    return s.createtxg();
                }
            }
        } else if (mark >= 0) {
            String name = from.substring(mark + 1);
            for (Bookmark b : source.bookmarks()) {
                if (b.name().equals(name)) {
                    return b.createtxg();
                }
            }
        }
        return -1;
    }
}
