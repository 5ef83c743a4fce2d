package org.zfssync.replication;

import java.util.List;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;

/** One thing the executor does for a dataset, in plan order. */
public sealed interface Step {
    /** {@code zfs create -p} on the target: the parent a full receive needs. */
    record CreateParent(DatasetName dataset) implements Step {
    }

    /** {@code zfs rollback -r} on the target, destroying the listed later snapshots (only with --rollback). */
    record Rollback(DatasetName target, String snapshot, List<String> destroys) implements Step {
        public Rollback {
            destroys = List.copyOf(destroys);
        }
    }

    /** Destroys every snapshot of a target about to be overwritten (only with --force-overwrite). */
    record DestroyTargetSnapshots(DatasetName target, List<String> snapshots) implements Step {
        public DestroyTargetSnapshots {
            snapshots = List.copyOf(snapshots);
        }
    }

    /**
     * {@code zfs send | zfs receive}.
     *
     * @param from          full name of the incremental source ({@code fs@a} or {@code fs#a}), null for a full send
     * @param intermediates {@code -I} rather than {@code -i}
     * @param snapshot      short name of the snapshot sent
     * @param worthEstimating whether the stream may be big enough for a {@code zfs send -nP} size
     *                      estimate to pay off (full sends, catch-ups); routine small incrementals skip it
     */
    record Send(DatasetName source, DatasetName target, String from, boolean intermediates, String snapshot,
                SendFlags sendFlags, ReceiveFlags receiveFlags, boolean worthEstimating) implements Step {
        public boolean full() {
            return from == null;
        }
    }

    /** {@code zfs send -t TOKEN | zfs receive -s}: finishes an interrupted receive where it stopped. */
    record ResumeSend(DatasetName source, DatasetName target, ResumeToken token, ReceiveFlags receiveFlags)
            implements Step {
    }

    /**
     * Moves a target that diverged (or shares nothing with its source) aside with everything below
     * it: {@code zfs rename TARGET ASIDE}, then {@code readonly=on} and, for a file system,
     * {@code mountpoint=none} on the aside copy, so it is kept, unchanged and mounted nowhere,
     * while a fresh copy is received into the target's name (only with --on-diverged quarantine).
     *
     * @param reason why the target could not be updated, as a refusal would have said it
     */
    record Quarantine(DatasetName target, DatasetName aside, boolean filesystem, String reason) implements Step {
    }

    /** {@code zfs receive -A}: discards a partial receive that no longer applies, saying why. */
    record AbortResume(DatasetName target, String reason) implements Step {
    }
}
