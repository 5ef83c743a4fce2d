package org.zfssync.replication;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zfssync.host.Command;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsCommands;

/**
 * The commands that put this run's hold tag on the snapshots its streams need and take it off
 * again, as few transaction groups as is safe: ZFS holds and releases each snapshot of a listed
 * {@code zfs hold} in a txg of its own, and one {@code -r} command does a whole tree in one.
 * Pure: names in, commands out.
 *
 * <ul>
 * <li>Holds go recursive only for this run's own sync snapshot from the topmost dataset that took
 *     it: that name exists on exactly the datasets this run's {@code zfs snapshot} named, so
 *     {@code -r} can reach nothing else. Any other name (the user's intermediates) is held by list:
 *     {@code -r} could reach a dataset this run excludes, whose hold a killed run would leave where
 *     no later run sweeps.</li>
 * <li>Releases go recursive from each topmost held snapshot of a name that has held ones below it:
 *     the tag is this target's own, so whatever carries it under that snapshot is this run's (or a
 *     killed run's) to release. The rest go by list.</li>
 * </ul>
 */
final class RunHolds {
    private RunHolds() {
    }

    /** A command and the snapshots ({@code fs@name}) it holds or releases. */
    record HoldCommand(Command command, List<String> covers) {
    }

    /** Holds for {@code fresh} (full snapshot names), the sync snapshot of {@code plan} by {@code -r} where it may be. */
    static List<HoldCommand> holds(String tag, List<String> fresh, Plan plan) {
        List<String> byList = new ArrayList<>(fresh);
        List<HoldCommand> commands = new ArrayList<>();
        if (plan.snapshotName().isPresent() && !plan.snapshotDatasets().isEmpty()) {
            String name = plan.snapshotName().get();
            DatasetName top = plan.snapshotDatasets().get(0);
            List<String> all = plan.snapshotDatasets().stream().map(d -> d.snapshot(name)).toList();
            boolean oneTree = plan.snapshotDatasets().stream().allMatch(d -> d.isSelfOrDescendantOf(top));
            if (all.size() > 1 && oneTree && fresh.containsAll(all)) {
                commands.add(new HoldCommand(ZfsCommands.holdRecursive(tag, top.snapshot(name)), all));
                byList.removeAll(all);
            }
        }
        if (!byList.isEmpty()) {
            for (Command c : ZfsCommands.inChunks(n -> ZfsCommands.hold(tag, n), byList)) {
                commands.add(new HoldCommand(c, c.argv().subList(3, c.argv().size())));
            }
        }
        return commands;
    }

    /** Releases of everything in {@code held}: one {@code -r} per topmost held snapshot of each name. */
    static List<HoldCommand> releases(String tag, Collection<String> held) {
        Map<String, List<DatasetName>> byName = new LinkedHashMap<>();
        for (String full : held) {
            int at = full.indexOf('@');
            byName.computeIfAbsent(full.substring(at + 1), n -> new ArrayList<>())
                    .add(DatasetName.of(full.substring(0, at)));
        }
        List<HoldCommand> commands = new ArrayList<>();
        List<String> alone = new ArrayList<>();
        byName.forEach((name, datasets) -> {
            Set<DatasetName> set = new HashSet<>(datasets);
            Map<DatasetName, List<String>> covered = new LinkedHashMap<>();
            for (DatasetName d : datasets) {
                DatasetName top = d;
                for (DatasetName a = d.parent(); a != null; a = a.parent()) {
                    if (set.contains(a)) {
                        top = a;
                    }
                }
                covered.computeIfAbsent(top, t -> new ArrayList<>()).add(d.snapshot(name));
            }
            covered.forEach((top, covers) -> {
                if (covers.size() == 1) {
                    alone.addAll(covers);
                } else {
                    commands.add(new HoldCommand(ZfsCommands.releaseRecursive(tag, top.snapshot(name)), covers));
                }
            });
        });
        if (!alone.isEmpty()) {
            for (Command c : ZfsCommands.inChunks(n -> ZfsCommands.release(tag, n), alone)) {
                commands.add(new HoldCommand(c, c.argv().subList(3, c.argv().size())));
            }
        }
        return commands;
    }
}
