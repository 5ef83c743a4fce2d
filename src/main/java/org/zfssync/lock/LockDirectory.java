package org.zfssync.lock;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/** Where the locks of every run of one user live, so that all of that user's runs see each other. */
public final class LockDirectory {
    /** Root's, whatever its environment says. */
    static final Path ROOT = Path.of("/run/zfs-sync");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private LockDirectory() {
    }

    /**
     * The lock directory for a user, the same whatever the environment: cron has no
     * XDG_RUNTIME_DIR while a login (or a systemd user timer) has /run/user/UID, and two directories
     * would let the same job run twice. Root uses /run/zfs-sync; others /tmp/zfs-sync-USER (a service
     * with PrivateTmp= sees a /tmp of its own: run every job of that user from that service, or pass
     * the same --lock-dir everywhere).
     */
    public static Path location(long uid, String user, Map<String, String> env) {
        if (uid == 0) {
            return ROOT;
        }
        return Path.of("/tmp", "zfs-sync-" + user);
    }

    /** This process's lock directory. */
    public static Path location() {
        UnixSystem me = new UnixSystem();
        return location(me.getUid(), me.getUsername(), System.getenv());
    }

    /**
     * Creates the directory (mode 0700) or checks the one there: a directory, not a link, owned by
     * this user. In /tmp anyone may create it first; a run that used theirs would show its locks to
     * them and let them delete its lock files, so it is refused instead.
     */
    static void prepare(Path dir) {
        long uid = new UnixSystem().getUid();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            boolean directory = Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
            int owner = directory ? (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS) : -1;
            checkOwner(dir, directory, owner, uid);
            if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the lock directory " + dir + ": " + e, e);
        }
    }

    static void checkOwner(Path dir, boolean directory, long owner, long uid) {
        if (!directory) {
            throw new IllegalStateException("lock directory " + dir + " is not a directory (or is a symbolic link); "
                    + "remove it or pass another");
        }
        if (owner != uid) {
            throw new IllegalStateException("lock directory " + dir + " belongs to uid " + owner + ", not to this "
                    + "user (uid " + uid + "); not using it: remove it");
        }
    }
}
