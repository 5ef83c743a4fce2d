package org.zfssync.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zfssync.permissions.DelegationOptions;
import org.zfssync.zfs.ReceiveFlags;
import picocli.CommandLine.Option;

/**
 * The options of {@code sync} that change which {@code zfs allow} permissions a run needs, under
 * the same names, for {@code allow} and {@code check} (picocli mixin).
 */
final class DelegationOptionsMixin {
    @Option(names = "--no-snapshot", description = "The runs take no sync snapshot (no snapshot permission needed).")
    boolean noSnapshot;

    @Option(names = {"-w", "--raw"}, description = "The runs send raw (zfs send -w).")
    boolean raw;

    @Option(names = {"-p", "--props"}, description = "The runs send properties (zfs send -p): the target needs "
            + "userprop and each native property the source sets.")
    boolean props;

    @Option(names = {"-F", "--rollback"}, description = "The runs may roll the target back (rollback).")
    boolean rollback;

    @Option(names = "--force-overwrite", description = "The runs may replace a target that shares no snapshot "
            + "(rollback).")
    boolean forceOverwrite;

    @Option(names = "--writable-targets", description = "New targets stay writable (no readonly permission needed).")
    boolean writableTargets;

    @Option(names = "--recv-option", paramLabel = "PROP=VALUE", description = "A property the runs set on receive "
            + "(zfs receive -o): its permission on the target. Repeatable.")
    Map<String, String> receiveSet = new LinkedHashMap<>();

    @Option(names = "--recv-exclude", paramLabel = "PROP", description = "A property the runs leave out of the "
            + "receive (zfs receive -x): its permission on the target. Repeatable.")
    List<String> receiveExclude = new ArrayList<>();

    DelegationOptions toOptions() {
        // The same property-name check as sync's, so a name that sync would refuse is refused here.
        new ReceiveFlags(false, false, receiveSet, receiveExclude, !writableTargets);
        return new DelegationOptions(!noSnapshot, raw, props, rollback, forceOverwrite, !writableTargets,
                receiveSet.keySet(), Set.copyOf(receiveExclude));
    }
}
