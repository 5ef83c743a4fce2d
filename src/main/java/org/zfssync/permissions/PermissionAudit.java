package org.zfssync.permissions;

import java.util.List;
import java.util.Set;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Host;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsCommands;

/**
 * Reads, in one round trip, who zfs-sync runs as on a host ({@code id}) and the delegations on a
 * dataset ({@code zfs allow DATASET}), and names each permission that user lacks there. Changes
 * nothing.
 */
public final class PermissionAudit {
    private PermissionAudit() {
    }

    /**
     * What the audit found.
     *
     * @param user    the login zfs-sync runs as there
     * @param root    uid 0: every permission, nothing to check
     * @param missing the needs the user's delegations do not cover
     * @param error   why the delegations could not be read ("" when they were)
     */
    public record Finding(String user, boolean root, Permissions missing, String error) {
        public boolean complete() {
            return root || (error.isEmpty() && missing.isEmpty());
        }
    }

    public static Finding audit(Host host, DatasetName dataset, Permissions needed) {
        List<CommandResult> r = host.runAll(List.of(Command.reading("id", "-u"), Command.reading("id", "-un"),
                Command.reading("id", "-Gn"), ZfsCommands.showAllow(dataset)));
        if (!r.get(0).ok() || !r.get(1).ok()) {
            return new Finding("?", false, needed, "id failed: " + r.get(0).errorLine());
        }
        // output(), not stdout(): over ssh the four run as one batch, whose output comes back merged.
        String user = r.get(1).output().strip();
        if (r.get(0).output().strip().equals("0")) {
            return new Finding(user, true, new Permissions(List.of()), "");
        }
        CommandResult allow = r.get(3);
        if (!allow.ok()) {
            return new Finding(user, false, needed, "zfs allow " + dataset + " failed: " + allow.errorLine());
        }
        Set<String> groups = Set.of(r.get(2).output().strip().split("\\s+"));
        try {
            Set<String> granted = AllowListing.parse(allow.output()).effective(dataset.value(), user, groups);
            return new Finding(user, false, needed.missingFrom(granted), "");
        } catch (IllegalArgumentException e) {
            return new Finding(user, false, needed, e.getMessage());
        }
    }
}
