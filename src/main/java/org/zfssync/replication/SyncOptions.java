package org.zfssync.replication;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;

/**
 * Everything that shapes a plan besides the two sides' state.
 *
 * @param recursive        replicate the whole tree below the source
 * @param excludes         subtrees left out
 * @param takeSnapshot     take a sync snapshot where the source changed (false: send existing snapshots only)
 * @param noStream         send only the newest snapshot ({@code -i}), not every one in between ({@code -I})
 * @param sendFlags        flags for every send; encrypted datasets are always sent raw
 * @param receiveFlags     flags for every receive ({@code -F} is added only by {@code rollback})
 * @param rollback         allow rolling back a diverged or modified target
 * @param forceOverwrite   allow replacing a target that shares no snapshot with the source
 * @param keepSyncSnapshots keep our older sync snapshots instead of destroying them after success
 * @param includes         with recursion, only these subtrees (and the datasets above them); empty: all
 * @param onDiverged       what happens to a diverged target, or one that shares no snapshot; {@code rollback}
 *                         and {@link OnDiverged#ROLLBACK} are one choice, and quarantine excludes both flags
 * @param quarantineKeep   how long copies moved aside under the target root are kept; empty: until the user
 *                         destroys them
 */
public record SyncOptions(boolean recursive, List<Glob> excludes, boolean takeSnapshot, boolean noStream,
                          SendFlags sendFlags, ReceiveFlags receiveFlags, boolean rollback, boolean forceOverwrite,
                          boolean keepSyncSnapshots, SnapshotNaming naming, List<Glob> includes, OnDiverged onDiverged,
                          Optional<Duration> quarantineKeep) {
    public SyncOptions {
        excludes = List.copyOf(excludes);
        includes = List.copyOf(includes);
        if (onDiverged == OnDiverged.QUARANTINE && (rollback || forceOverwrite)) {
            throw new IllegalArgumentException("--on-diverged quarantine keeps a diverged target aside; it cannot be "
                    + "combined with --rollback or --force-overwrite, which destroy its data");
        }
        if (quarantineKeep.isPresent() && quarantineKeep.get().isNegative()) {
            throw new IllegalArgumentException("quarantine-keep must not be negative");
        }
        if (rollback && onDiverged == OnDiverged.REFUSE) {
            onDiverged = OnDiverged.ROLLBACK;
        }
        rollback = rollback || onDiverged == OnDiverged.ROLLBACK;
    }

    /** Options that refuse diverged targets and keep aside copies until the user destroys them. */
    public SyncOptions(boolean recursive, List<Glob> excludes, boolean takeSnapshot, boolean noStream,
                       SendFlags sendFlags, ReceiveFlags receiveFlags, boolean rollback, boolean forceOverwrite,
                       boolean keepSyncSnapshots, SnapshotNaming naming, List<Glob> includes) {
        this(recursive, excludes, takeSnapshot, noStream, sendFlags, receiveFlags, rollback, forceOverwrite,
                keepSyncSnapshots, naming, includes, OnDiverged.REFUSE, Optional.empty());
    }

    /**
     * These options with another choice for diverged targets and aside copies ({@code rollback}
     * set here still means {@link OnDiverged#ROLLBACK}; with quarantine it is a contradiction).
     */
    public SyncOptions withDiverged(OnDiverged choice, Optional<Duration> keep) {
        return new SyncOptions(recursive, excludes, takeSnapshot, noStream, sendFlags, receiveFlags, rollback,
                forceOverwrite, keepSyncSnapshots, naming, includes, choice, keep);
    }

    /** Options selecting every dataset of the tree but the excluded subtrees. */
    public SyncOptions(boolean recursive, List<Glob> excludes, boolean takeSnapshot, boolean noStream,
                       SendFlags sendFlags, ReceiveFlags receiveFlags, boolean rollback, boolean forceOverwrite,
                       boolean keepSyncSnapshots, SnapshotNaming naming) {
        this(recursive, excludes, takeSnapshot, noStream, sendFlags, receiveFlags, rollback, forceOverwrite,
                keepSyncSnapshots, naming, List.of());
    }
}
