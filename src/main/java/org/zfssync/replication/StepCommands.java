package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import org.zfssync.host.Command;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.ZfsCommands;

/** The zfs commands behind each step: one mapping, used to run a plan and to print it. */
final class StepCommands {
    private StepCommands() {
    }

    /** Commands that run on the target for a non-send step. */
    static List<Command> targetCommands(Step step) {
        if (step instanceof Step.CreateParent c) {
            return List.of(ZfsCommands.createWithParents(c.dataset()));
        }
        if (step instanceof Step.Rollback r) {
            return List.of(ZfsCommands.rollback(r.target(), r.snapshot()));
        }
        if (step instanceof Step.DestroyTargetSnapshots d) {
            return ZfsCommands.destroySnapshots(d.target(), d.snapshots());
        }
        if (step instanceof Step.AbortResume a) {
            return List.of(ZfsCommands.receiveAbort(a.target()));
        }
        if (step instanceof Step.Quarantine q) {
            java.util.LinkedHashMap<String, String> props = new java.util.LinkedHashMap<>();
            props.put("readonly", "on");
            if (q.filesystem()) {
                props.put("mountpoint", "none");
            }
            return List.of(ZfsCommands.rename(q.target(), q.aside()), ZfsCommands.set(q.aside(), props));
        }
        throw new IllegalArgumentException("not a target-only step: " + step);
    }

    static Command send(Step.Send s) {
        return ZfsCommands.send(s.sendFlags(), s.from(), s.intermediates(), s.source().snapshot(s.snapshot()));
    }

    static Command estimate(Step.Send s) {
        return ZfsCommands.sendEstimate(s.sendFlags(), s.from(), s.intermediates(), s.source().snapshot(s.snapshot()));
    }

    static Command receive(Step.Send s) {
        return ZfsCommands.receive(s.receiveFlags(), s.target());
    }

    static Command send(Step.ResumeSend r) {
        return ZfsCommands.sendResume(r.token().text());
    }

    static Command receive(Step.ResumeSend r) {
        return ZfsCommands.receive(r.receiveFlags(), r.target());
    }

    /** What a resumed stream is made of: the flags the interrupted send used, recorded in its token. */
    static SendFlags flags(ResumeToken token) {
        return new SendFlags(token.raw(), token.compressed(), token.largeBlock(), token.embed(), false);
    }

    /** Both halves of a send step, with the run's stages around them. */
    static TransferPipeline pipeline(Step.Send s, StreamShape shape) {
        return shape.around(send(s), receive(s), s.sendFlags());
    }

    static TransferPipeline pipeline(Step.ResumeSend r, StreamShape shape) {
        return shape.around(send(r), receive(r), flags(r.token()));
    }

    /** Every source snapshot the plan's streams need, intermediates included, each once, in plan order. */
    static List<String> snapshotsToHold(Plan plan) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (DatasetPlan p : plan.datasets()) {
            p.holds().forEach(n -> names.add(p.source().snapshot(n)));
        }
        return List.copyOf(names);
    }

    static Command snapshot(Plan plan) {
        return ZfsCommands.snapshot(plan.snapshotDatasets(), plan.snapshotName().orElseThrow());
    }

    /** {@code zfs destroy -r} of each aside copy whose quarantine-keep period is over. */
    static List<Command> expire(Plan plan) {
        return plan.expired().stream().map(e -> ZfsCommands.destroyAside(e.aside())).toList();
    }

    /** Batched destroys of our older sync snapshots, one list per dataset. */
    static List<Command> cleanup(List<DatasetPlan> plans, boolean sourceSide) {
        List<Command> commands = new ArrayList<>();
        for (DatasetPlan p : plans) {
            List<String> names = sourceSide ? p.cleanupSource() : p.cleanupTarget();
            DatasetName dataset = sourceSide ? p.source() : p.target();
            if (!names.isEmpty()) {
                commands.addAll(ZfsCommands.destroySnapshots(dataset, names));
            }
        }
        return commands;
    }
}
