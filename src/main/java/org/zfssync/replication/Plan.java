package org.zfssync.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.DatasetName;

/**
 * A whole run's plan: one atomic snapshot of the datasets that changed, then each dataset's
 * steps in order (parents before children).
 *
 * @param snapshotName      the sync snapshot taken this run, if any
 * @param snapshotDatasets  the datasets it is taken on, in one {@code zfs snapshot} command
 * @param expired           copies moved aside under the target root whose quarantine-keep period is over:
 *                          destroyed (recursively) on the target after the streams
 */
public record Plan(Optional<String> snapshotName, List<DatasetName> snapshotDatasets, List<DatasetPlan> datasets,
                   List<Expired> expired) {
    public Plan {
        snapshotDatasets = List.copyOf(snapshotDatasets);
        datasets = List.copyOf(datasets);
        expired = List.copyOf(expired);
    }

    public Plan(Optional<String> snapshotName, List<DatasetName> snapshotDatasets, List<DatasetPlan> datasets) {
        this(snapshotName, snapshotDatasets, datasets, List.of());
    }

    /**
     * An aside copy to destroy.
     *
     * @param aside the dataset, whose name parses as a diverged target's aside name
     * @param at    when it was moved aside (from its name)
     * @param keep  the period it was kept for
     */
    public record Expired(DatasetName aside, Instant at, Duration keep) {
    }

    public boolean changesNothing() {
        return snapshotDatasets.isEmpty() && expired.isEmpty() && datasets.stream().allMatch(d -> d.steps().isEmpty()
                && d.cleanupSource().isEmpty() && d.cleanupTarget().isEmpty());
    }
}
