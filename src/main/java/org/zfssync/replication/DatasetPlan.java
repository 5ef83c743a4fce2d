package org.zfssync.replication;

import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.DatasetName;

/**
 * The plan for one dataset: steps to run, then (after success) our older sync snapshots to
 * destroy on each side.
 */
public record DatasetPlan(DatasetName source, DatasetName target, Action action, List<Step> steps,
                          List<String> cleanupSource, List<String> cleanupTarget, Optional<Refusal> refusal) {
    public DatasetPlan {
        steps = List.copyOf(steps);
        cleanupSource = List.copyOf(cleanupSource);
        cleanupTarget = List.copyOf(cleanupTarget);
    }

    public static DatasetPlan refused(DatasetName source, DatasetName target, Refusal refusal) {
        return new DatasetPlan(source, target, Action.REFUSED, List.of(), List.of(), List.of(), Optional.of(refusal));
    }

    /** Whether this plan creates the target dataset (children depend on it succeeding). */
    public boolean createsTarget() {
        return action == Action.FULL;
    }
}
