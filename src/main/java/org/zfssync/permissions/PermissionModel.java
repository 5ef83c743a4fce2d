package org.zfssync.permissions;

import java.util.ArrayList;
import java.util.List;

/**
 * The one list of the {@code zfs allow} permissions zfs-sync needs, per side, for the options in
 * use. The README and {@code zfs-sync allow}/{@code check} all read it from here, so what is
 * delegated, what is checked and what is documented cannot drift apart. Pure: options in,
 * permissions out.
 */
public final class PermissionModel {
    private PermissionModel() {
    }

    public static Required required(DelegationOptions options) {
        return new Required(source(options), target(options));
    }

    private static Permissions source(DelegationOptions o) {
        List<Need> needs = new ArrayList<>();
        needs.add(new Need("send", o.raw() ? "zfs send -w (raw) of every stream" : "zfs send of every stream"));
        if (o.takeSnapshot()) {
            needs.add(new Need("snapshot", "the sync snapshot (zfs snapshot)"));
        }
        needs.add(new Need("hold", "holds on every snapshot a stream needs (zfs hold)"));
        needs.add(new Need("release", "releasing those holds (zfs release)"));
        needs.add(new Need("bookmark", "the target's cursor bookmark (zfs bookmark)"));
        needs.add(new Need("destroy", "destroying its own older sync snapshots and replaced cursors"));
        // zfs allow: "destroy ... Must also have the mount ability".
        needs.add(new Need("mount", "zfs destroy needs mount as well"));
        return new Permissions(needs);
    }

    private static Permissions target(DelegationOptions o) {
        List<Need> needs = new ArrayList<>();
        // zfs allow: "receive ... Must also have the mount and create ability".
        needs.add(new Need("receive", "zfs receive of every stream"));
        needs.add(new Need("create", "new datasets (zfs receive, zfs create -p of missing parents)"));
        needs.add(new Need("mount", "zfs receive and zfs destroy need mount as well"));
        needs.add(new Need("destroy", "destroying its own older sync snapshots; zfs receive -A of a stale partial receive"));
        if (o.readonlyNewTargets() && !o.receiveSet().contains("readonly") && !o.receiveExcluded().contains("readonly")) {
            needs.add(new Need("readonly", "readonly=on on new targets (--writable-targets leaves it out)"));
        }
        if (o.rollback()) {
            needs.add(new Need("rollback", "--rollback (zfs rollback -r, zfs receive -F)"));
        }
        if (o.forceOverwrite()) {
            needs.add(new Need("rollback", "--force-overwrite (zfs receive -F replaces the target)"));
        }
        if (o.quarantine()) {
            // zfs allow: "rename ... Must also have the mount and create ability in the new parent".
            needs.add(new Need("rename", "--on-diverged quarantine (zfs rename of a diverged target aside)"));
            needs.add(new Need("readonly", "--on-diverged quarantine (readonly=on on the aside copy)"));
            needs.add(new Need("mountpoint", "--on-diverged quarantine (mountpoint=none on the aside copy)"));
        }
        if (o.props()) {
            needs.add(new Need("userprop", "-p sends user properties"));
        }
        o.receiveSet().forEach(p -> needs.add(property(p, "--recv-option " + p + "=...")));
        o.receiveExcluded().forEach(p -> needs.add(property(p, "--recv-exclude " + p)));
        return new Permissions(needs);
    }

    /** A native property is delegated by its own name; every user property ({@code module:name}) by {@code userprop}. */
    private static Need property(String name, String reason) {
        return new Need(name.contains(":") ? "userprop" : name, reason);
    }
}
