package org.zfssync.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zfssync.permissions.DelegationOptions;
import org.zfssync.replication.OnDiverged;
import org.zfssync.zfs.ReceiveFlags;
import picocli.CommandLine.Option;

/**
 * The options of {@code sync} that change which {@code zfs allow} permissions a run needs: one
 * declaration for {@code sync}, {@code allow} and {@code check} (picocli mixin), so the flags
 * that {@code allow} computes permissions for are exactly those {@code sync} runs with.
 */
final class DelegationOptionsMixin {
    @Option(names = "--no-snapshot", description = "Take no sync snapshot: send the snapshots that exist "
            + "(e.g. made by sanoid).")
    boolean noSnapshot;

    @Option(names = {"-F", "--rollback"}, description = "Allow rolling back a target that has snapshots newer than "
            + "the common one, or changes since it (destroys them; logged and shown by --dry-run).")
    boolean rollback;

    @Option(names = "--force-overwrite", description = "Allow replacing a target that shares no snapshot with the "
            + "source (destroys its snapshots and data).")
    boolean forceOverwrite;

    @Option(names = "--on-diverged", paramLabel = "CHOICE", defaultValue = "refuse", description = "What to do with "
            + "a target that diverged (snapshots newer than the common one, or changes since it) or shares no snapshot "
            + "with SRC: refuse (leave it, exit 4), quarantine (rename it aside to NAME.zfs-sync-diverged-TIMESTAMP, "
            + "read-only and mounted nowhere, with everything below it, then send a fresh full copy; nothing is lost) "
            + "or rollback (as --rollback) (default: ${DEFAULT-VALUE}).")
    String onDiverged = "refuse";

    @Option(names = {"-w", "--raw"}, description = "Raw sends (zfs send -w) for every dataset. Encrypted datasets "
            + "are always sent raw, so they arrive still encrypted.")
    boolean raw;

    @Option(names = {"-p", "--props"}, description = "Send dataset properties (zfs send -p).")
    boolean props;

    @Option(names = "--writable-targets", description = "Create targets writable. By default a target zfs-sync "
            + "creates gets readonly=on: on a writable mounted replica even reading files changes it (access times), "
            + "which blocks the next incremental until --rollback.")
    boolean writableTargets;

    @Option(names = "--recv-option", paramLabel = "PROP=VALUE", description = "Set a property on received "
            + "datasets (zfs receive -o). Repeatable.")
    Map<String, String> receiveSet = new LinkedHashMap<>();

    @Option(names = "--recv-exclude", paramLabel = "PROP", description = "Do not receive this property "
            + "(zfs receive -x). Repeatable.")
    List<String> receiveExclude = new ArrayList<>();

    DelegationOptions toOptions() {
        // The same property-name check as sync's, so a name that sync would refuse is refused here.
        new ReceiveFlags(false, false, receiveSet, receiveExclude, !writableTargets);
        OnDiverged choice = OnDiverged.parse(onDiverged);
        return new DelegationOptions(!noSnapshot, raw, props, rollback || choice == OnDiverged.ROLLBACK,
                forceOverwrite, !writableTargets, receiveSet.keySet(), Set.copyOf(receiveExclude),
                choice == OnDiverged.QUARANTINE);
    }
}
