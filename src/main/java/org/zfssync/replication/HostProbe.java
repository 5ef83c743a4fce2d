package org.zfssync.replication;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;
import org.zfssync.zfs.ZfsVersion;

/**
 * The check at the start of every run, once per host: the OpenZFS version and an end-to-end
 * probe of each helper the configuration may use, all in one round trip on a remote host.
 * Never installs anything.
 */
public final class HostProbe {
    private static final Logger LOG = LoggerFactory.getLogger(HostProbe.class);
    private HostProbe() {
    }

    public static HostReport probe(Zfs zfs, Set<Helper> helpers) {
        return probe(zfs, helpers, List.of());
    }

    /**
     * Also flushes {@code pools} ({@code zpool sync}) ahead of the listing: ZFS updates {@code written} only when a
     * transaction group commits (every few seconds), so without it a file written just before the
     * run would look unchanged to the listing and miss this run's snapshot. Changes no data.
     */
    public static HostReport probe(Zfs zfs, Set<Helper> helpers, List<DatasetName> pools) {
        Host host = zfs.host();
        List<Helper> order = new ArrayList<>(helpers);
        List<Command> commands = new ArrayList<>();
        ZfsVersion version = null;
        if (host.isLocal()) {
            // Locally each command is its own process anyway; a missing zfs fails to start and is reported as such.
            version = zfs.version();
        } else {
            commands.add(ZfsCommands.version());
        }
        if (!pools.isEmpty()) {
            commands.add(ZfsCommands.poolSync(pools));
        }
        order.forEach(h -> commands.add(h.probe()));
        List<CommandResult> results = host.runAll(commands);
        int next = 0;
        if (version == null) {
            version = zfs.acceptVersion(results.get(next++));
        }
        if (!pools.isEmpty()) {
            CommandResult flushed = results.get(next++);
            if (!flushed.ok()) {
                LOG.warn("could not flush {} on {} ({}): data written in the last few seconds may be seen as "
                        + "unchanged until the next run", pools, host.name(), flushed.errorLine());
            }
        }
        Map<Helper, HelperState> states = new EnumMap<>(Helper.class);
        for (Helper h : order) {
            states.put(h, h.judge(results.get(next++)));
        }
        return new HostReport(host.name(), version, states);
    }
}
