package org.zfssync.replication;

import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.DatasetName;

/**
 * A whole run's plan: one atomic snapshot of the datasets that changed, then each dataset's
 * steps in order (parents before children).
 *
 * @param snapshotName      the sync snapshot taken this run, if any
 * @param snapshotDatasets  the datasets it is taken on, in one {@code zfs snapshot} command
 */
public record Plan(Optional<String> snapshotName, List<DatasetName> snapshotDatasets, List<DatasetPlan> datasets) {
    public Plan {
        snapshotDatasets = List.copyOf(snapshotDatasets);
        datasets = List.copyOf(datasets);
    }

    public boolean changesNothing() {
        return snapshotDatasets.isEmpty() && datasets.stream().allMatch(d -> d.steps().isEmpty()
                && d.cleanupSource().isEmpty() && d.cleanupTarget().isEmpty());
    }
}
