package org.zfssync.pruning;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.zfssync.host.Command;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsCommands;

/** What pruning one side would destroy, per dataset, and the batched commands that do it. */
public record PrunePlan(SortedMap<DatasetName, List<String>> destroy) {
    public PrunePlan {
        destroy = new TreeMap<>(destroy);
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
