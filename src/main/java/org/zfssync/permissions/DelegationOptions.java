package org.zfssync.permissions;

import java.util.Set;
import java.util.TreeSet;

/**
 * The options of a replication that change what its user must be allowed to do on each side:
 * the same flags as {@code zfs-sync sync} (and a job's keys of the same names).
 *
 * @param takeSnapshot       a sync snapshot is taken on the source ({@code --no-snapshot} turns it off)
 * @param raw                every send is raw ({@code -w}); encrypted datasets are sent raw anyway
 * @param props              properties are sent ({@code -p}) and so received on the target
 * @param rollback           the target may be rolled back ({@code --rollback})
 * @param forceOverwrite     a target sharing no snapshot may be replaced ({@code --force-overwrite})
 * @param readonlyNewTargets new targets get {@code readonly=on} (unless {@code --writable-targets})
 * @param receiveSet         properties set on receive ({@code --recv-option PROP=VALUE}), by name
 * @param receiveExcluded    properties left out of the receive ({@code --recv-exclude PROP})
 * @param quarantine         a diverged target may be renamed aside ({@code --on-diverged quarantine})
 */
public record DelegationOptions(boolean takeSnapshot, boolean raw, boolean props, boolean rollback,
                                boolean forceOverwrite, boolean readonlyNewTargets, Set<String> receiveSet,
                                Set<String> receiveExcluded, boolean quarantine) {
    public DelegationOptions {
        receiveSet = Set.copyOf(new TreeSet<>(receiveSet));
        receiveExcluded = Set.copyOf(new TreeSet<>(receiveExcluded));
    }

    /** Options without quarantine. */
    public DelegationOptions(boolean takeSnapshot, boolean raw, boolean props, boolean rollback,
                             boolean forceOverwrite, boolean readonlyNewTargets, Set<String> receiveSet,
                             Set<String> receiveExcluded) {
        this(takeSnapshot, raw, props, rollback, forceOverwrite, readonlyNewTargets, receiveSet, receiveExcluded,
                false);
    }

    /** What a plain {@code zfs-sync sync SRC DST} uses. */
    public static DelegationOptions defaults() {
        return new DelegationOptions(true, false, false, false, false, true, Set.of(), Set.of());
    }
}
