package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import org.zfssync.host.Command;
import org.zfssync.host.Host;

/**
 * Writes a plan for people: what happens to each dataset and every command exactly as it would
 * run, quoted so it can be pasted into a shell.
 */
public final class PlanPrinter {
    private final Host source;
    private final Host target;

    private final StreamShape shape;

    private final String holdTag;

    public PlanPrinter(Host source, Host target, StreamShape shape, String holdTag) {
        this.holdTag = holdTag;
        this.source = source;
        this.target = target;
        this.shape = shape;
    }

    /** Both halves joined by a pipe: zfs-sync relays (and counts) the bytes between them. */
    private String display(TransferPipeline p) {
        return source.display(p.sender()) + " | " + target.display(p.receiver());
    }

    public List<String> lines(Plan plan) {
        List<String> out = new ArrayList<>();
        if (!plan.snapshotDatasets().isEmpty()) {
            out.add("snapshot @" + plan.snapshotName().orElseThrow() + " of " + plan.snapshotDatasets().size()
                    + " changed dataset(s), atomically:");
            out.add("    " + source.display(StepCommands.snapshot(plan)));
        }
        List<String> held = StepCommands.snapshotsToHold(plan);
        if (!held.isEmpty()) {
            out.add("hold the snapshots being sent until the run ends (released afterwards, whatever happens):");
            out.add("    " + source.display(org.zfssync.zfs.ZfsCommands.hold(holdTag, held)));
            out.add("    " + source.display(org.zfssync.zfs.ZfsCommands.release(holdTag, held)));
        }
        for (DatasetPlan p : plan.datasets()) {
            out.add(p.source() + " -> " + p.target() + ": " + describe(p));
            for (Step step : p.steps()) {
                if (step instanceof Step.Send s) {
                    out.add("    " + display(StepCommands.pipeline(s, shape)));
                } else if (step instanceof Step.ResumeSend r) {
                    out.add("    # resume: " + r.token());
                    out.add("    " + display(StepCommands.pipeline(r, shape)));
                } else {
                    for (Command c : StepCommands.targetCommands(step)) {
                        out.add("    " + target.display(c) + "   # destructive: " + why(step));
                    }
                }
            }
        }
        addCleanup(out, plan, true);
        addCleanup(out, plan, false);
        if (plan.changesNothing()) {
            out.add("nothing to do: every target is up to date");
        }
        return out;
    }

    private void addCleanup(List<String> out, Plan plan, boolean sourceSide) {
        List<Command> commands = StepCommands.cleanup(plan.datasets(), sourceSide);
        if (commands.isEmpty()) {
            return;
        }
        Host host = sourceSide ? source : target;
        out.add("after success, destroy our older sync snapshots on " + (sourceSide ? "source" : "target") + " ("
                + host.name() + ", one session):");
        for (Command c : commands) {
            out.add("    " + host.display(c));
        }
    }

    private static String describe(DatasetPlan p) {
        return switch (p.action()) {
            case FULL -> "full send (target does not exist)";
            case INCREMENTAL -> "incremental from " + Executor.firstFrom(p);
            case UP_TO_DATE -> "up to date";
            case REFUSED -> "REFUSED: " + p.refusal().orElseThrow().message();
        };
    }

    private static String why(Step step) {
        if (step instanceof Step.Rollback) {
            return "--rollback";
        }
        if (step instanceof Step.DestroyTargetSnapshots) {
            return "--force-overwrite";
        }
        if (step instanceof Step.AbortResume a) {
            return a.reason();
        }
        return "creates the target's parent";
    }
}
