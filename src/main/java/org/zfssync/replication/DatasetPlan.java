package org.zfssync.replication;

import java.util.List;
import java.util.Optional;
import org.zfssync.zfs.DatasetName;

/**
 * The plan for one dataset: steps to run, then (after success) our older sync snapshots to
 * destroy on each side.
 *
 * @param holds   short names of the source snapshots the streams need, intermediates included
 * @param cursors this target's cursor bookmarks on the source as listed; the one matching the
 *                confirmed snapshot stays, the others go once a new one is made
 */
public record DatasetPlan(DatasetName source, DatasetName target, Action action, List<Step> steps,
                          List<String> cleanupSource, List<String> cleanupTarget, Optional<Refusal> refusal,
                          List<String> holds, List<String> cursors) {
    public DatasetPlan {
        steps = List.copyOf(steps);
        cleanupSource = List.copyOf(cleanupSource);
        cleanupTarget = List.copyOf(cleanupTarget);
        holds = List.copyOf(holds);
        cursors = List.copyOf(cursors);
    }

    public static DatasetPlan refused(DatasetName source, DatasetName target, Refusal refusal) {
        return new DatasetPlan(source, target, Action.REFUSED, List.of(), List.of(), List.of(), Optional.of(refusal),
                List.of(), List.of());
    }

    /** The short name of the snapshot this plan's streams end at (the planned newest), or null when none is sent. */
    public String goal() {
        String goal = null;
        for (Step s : steps) {
            if (s instanceof Step.Send send) {
                goal = send.snapshot();
            } else if (s instanceof Step.ResumeSend r && goal == null) {
                goal = r.token().toName().substring(r.token().toName().indexOf('@') + 1);
            }
        }
        return goal;
    }

    /** Whether this plan creates the target dataset (children depend on it succeeding). */
    public boolean createsTarget() {
        return action == Action.FULL;
    }
}
