package org.zfssync.pruning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.zfssync.host.Command;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsCommands;

/**
 * What pruning one side would destroy, per dataset, and the batched commands that do it.
 *
 * @param cursorsFirst bookmarks to make before anything is destroyed ({@code zfs bookmark fs@s fs#cursor}):
 *                     provisional cursors of an offline target for the snapshots it may have received
 *                     since its cursor was last moved; a snapshot whose bookmark fails is not destroyed
 */
public record PrunePlan(SortedMap<DatasetName, List<String>> destroy, List<Command> cursorsFirst) {
    public PrunePlan {
        destroy = new TreeMap<>(destroy);
        cursorsFirst = List.copyOf(cursorsFirst);
    }

    public PrunePlan(SortedMap<DatasetName, List<String>> destroy) {
        this(destroy, List.of());
    }

    /** One {@code zfs destroy fs@a,b,c} per dataset, split only where an argument would be too long. */
    public List<Command> commands() {
        List<Command> commands = new ArrayList<>();
        for (Map.Entry<DatasetName, List<String>> e : destroy.entrySet()) {
            if (!e.getValue().isEmpty()) {
                commands.addAll(ZfsCommands.destroySnapshots(e.getKey(), e.getValue()));
            }
        }
        return commands;
    }

    public int count() {
        return destroy.values().stream().mapToInt(List::size).sum();
    }
}
