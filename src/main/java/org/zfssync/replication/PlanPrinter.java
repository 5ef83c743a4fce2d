package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import org.zfssync.host.Command;
import org.zfssync.host.Host;
import org.zfssync.zfs.TreeState;

/**
 * Writes a plan for people: what happens to each dataset and every command exactly as it would
 * run, quoted so it can be pasted into a shell.
 */
public final class PlanPrinter {
    private final Host source;
    private final Host target;

    private final StreamShape shape;
    private final Transport transport;

    private final String holdTag;
    private final SnapshotNaming naming;

    public PlanPrinter(Host source, Host target, StreamShape shape, SnapshotNaming naming) {
        this(source, target, shape, naming, new RelayTransport(source, target));
    }

    /** @param transport shows each stream as it would carry it */
    public PlanPrinter(Host source, Host target, StreamShape shape, SnapshotNaming naming, Transport transport) {
        this.transport = transport;
        this.holdTag = naming.holdTag();
        this.naming = naming;
        this.source = source;
        this.target = target;
        this.shape = shape;
    }

    private String display(TransferPipeline p) {
        return transport.display(p);
    }

    public List<String> lines(Plan plan) {
        return lines(plan, null);
    }

    /**
     * @param sourceState the source as planned from, so each stream shows the shape it will run
     *                    with ({@link StreamSize#shape}); null shows the run's shape on every one
     */
    public List<String> lines(Plan plan, TreeState sourceState) {
        List<String> out = new ArrayList<>();
        if (!plan.snapshotDatasets().isEmpty()) {
            out.add("snapshot @" + plan.snapshotName().orElseThrow() + " of " + plan.snapshotDatasets().size()
                    + " changed dataset(s), atomically:");
            out.add("    " + source.display(StepCommands.snapshot(plan)));
        }
        List<String> held = StepCommands.snapshotsToHold(plan);
        if (!held.isEmpty()) {
            out.add("hold every snapshot the streams need, intermediates included, until the run ends (released "
                    + "afterwards, whatever happens; holds " + holdTag + " left by a killed run are released first):");
            out.add("    " + source.display(org.zfssync.zfs.ZfsCommands.hold(holdTag, held)));
            out.add("    " + source.display(org.zfssync.zfs.ZfsCommands.release(holdTag, held)));
        }
        java.util.Set<Integer> sequenced = new java.util.HashSet<>();
        if (sourceState != null) {
            Sequences.choose(transport, plan, sourceState).forEach(sequenced::addAll);
        }
        if (!sequenced.isEmpty()) {
            out.add("the tiny streams of " + sequenced.size() + " dataset(s) run back to back on one session on each "
                    + "side, parents first (each marked # in sequence below; what fails there goes on alone):");
        }
        for (int i = 0; i < plan.datasets().size(); i++) {
            DatasetPlan p = plan.datasets().get(i);
            out.add(p.source() + " -> " + p.target() + ": " + describe(p));
            for (Step step : p.steps()) {
                if (step instanceof Step.Send s) {
                    StreamShape sendShape = sourceState == null ? shape
                            : StreamSize.shape(shape, sourceState.get(p.source()), s);
                    out.add("    " + display(StepCommands.pipeline(s, sendShape))
                            + (sequenced.contains(i) ? "   # in sequence" : ""));
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
        addCursors(out, plan);
        addCleanup(out, plan, true);
        addCleanup(out, plan, false);
        if (!plan.expired().isEmpty()) {
            out.add("destroy the aside copies of diverged targets older than quarantine-keep, with everything below "
                    + "them, on target (" + target.name() + "):");
            for (Plan.Expired e : plan.expired()) {
                out.add("    " + target.display(org.zfssync.zfs.ZfsCommands.destroyAside(e.aside()))
                        + "   # destructive: moved aside " + e.at() + ", kept "
                        + org.zfssync.schedule.DurationText.format(e.keep()));
            }
        }
        if (plan.changesNothing()) {
            out.add("nothing to do: every target is up to date");
        }
        return out;
    }

    /** The cursor moves: made from what each target is read to hold after its streams, old ones then destroyed. */
    private void addCursors(List<String> out, Plan plan) {
        List<String> lines = new ArrayList<>();
        for (DatasetPlan p : plan.datasets()) {
            if (p.refusal().isPresent()) {
                continue;
            }
            String goal = p.goal();
            if (goal != null) {
                // The GUID of a snapshot taken by this run is known only once it exists.
                lines.add("    " + source.display(Command.changing("zfs", "bookmark", p.source().snapshot(goal),
                        p.source() + "#" + naming.cursorPlaceholder(goal))));
            }
            for (String cursor : p.cursors()) {
                lines.add("    " + source.display(org.zfssync.zfs.ZfsCommands.destroyBookmark(p.source(), cursor))
                        + "   # once the new cursor exists");
            }
        }
        if (!lines.isEmpty()) {
            out.add("move this target's cursors (bookmarks of the newest snapshot it holds, checked by GUID after "
                    + "each stream) on the source:");
            out.addAll(lines);
        }
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
            case FULL -> quarantine(p).map(q -> "full send after moving the target aside to " + q.aside()
                    + " (--on-diverged quarantine: " + q.reason() + ")").orElse("full send (target does not exist)");
            case INCREMENTAL -> "incremental from " + Executor.firstFrom(p);
            case UP_TO_DATE -> "up to date";
            case REFUSED -> "REFUSED: " + p.refusal().orElseThrow().message();
        };
    }

    private static java.util.Optional<Step.Quarantine> quarantine(DatasetPlan p) {
        return p.steps().stream().filter(Step.Quarantine.class::isInstance).map(Step.Quarantine.class::cast).findFirst();
    }

    private static String why(Step step) {
        if (step instanceof Step.Quarantine) {
            return "--on-diverged quarantine: kept, read-only, mounted nowhere";
        }
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
