package org.zfssync.replication;

import java.util.List;
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
 */
public record SyncOptions(boolean recursive, List<Glob> excludes, boolean takeSnapshot, boolean noStream,
                          SendFlags sendFlags, ReceiveFlags receiveFlags, boolean rollback, boolean forceOverwrite,
                          boolean keepSyncSnapshots, SnapshotNaming naming, List<Glob> includes) {
    public SyncOptions {
        excludes = List.copyOf(excludes);
        includes = List.copyOf(includes);
    }

    /** Options selecting every dataset of the tree but the excluded subtrees. */
    public SyncOptions(boolean recursive, List<Glob> excludes, boolean takeSnapshot, boolean noStream,
                       SendFlags sendFlags, ReceiveFlags receiveFlags, boolean rollback, boolean forceOverwrite,
                       boolean keepSyncSnapshots, SnapshotNaming naming) {
        this(recursive, excludes, takeSnapshot, noStream, sendFlags, receiveFlags, rollback, forceOverwrite,
                keepSyncSnapshots, naming, List.of());
    }
}
