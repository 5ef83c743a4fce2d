package org.zfssync.permissions;

import java.util.regex.Pattern;
import org.zfssync.host.Command;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ZfsCommands;

/**
 * What one side of a replication must delegate: to {@code user}, on {@code grantOn}, the
 * permissions {@code needs}.
 *
 * @param role    "source" or "target"
 * @param where   "this machine" or the ssh destination that reaches the host
 * @param dataset the endpoint's dataset
 * @param grantOn where the delegation goes: the source itself; the target's parent, since the
 *                first sync creates the target there (the grant reaches every descendant)
 * @param user    who runs zfs there: root needs no delegation
 */
public record SideGrant(String role, String where, DatasetName dataset, DatasetName grantOn, String user,
                        Permissions needs) {
    /** A login name as useradd takes it: nothing a shell, zfs or ssh could read as more than a name. */
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");

    public SideGrant {
        checkUser(user);
    }

    public static SideGrant source(String where, DatasetName dataset, String user, Permissions needs) {
        return new SideGrant("source", where, dataset, dataset, user, needs);
    }

    public static SideGrant target(String where, DatasetName dataset, String user, Permissions needs) {
        DatasetName parent = dataset.parent();
        return new SideGrant("target", where, dataset, parent == null ? dataset : parent, user, needs);
    }

    /** Validates a user name given on the command line, with the rule in the message. */
    public static String checkUser(String user) {
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("invalid user name '" + user + "': expected letters, digits, '_', '.' "
                    + "and '-', not starting with a digit, '.' or '-', at most 32 characters");
        }
        return user;
    }

    public boolean root() {
        return user.equals("root");
    }

    /** The delegation as a command for the host's root: {@code zfs allow -u USER PERMS DATASET}. */
    public Command command() {
        return ZfsCommands.allow(user, needs.names(), grantOn);
    }
}
