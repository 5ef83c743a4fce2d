package org.zfssync.history;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Path;
import java.util.Map;

/** Where the run history lives when no {@code --history-db} says otherwise. */
public final class HistoryLocation {
    /** Root's: system state, next to the other daemons' databases. */
    static final Path ROOT = Path.of("/var/lib/zfs-sync/history.db");

    private HistoryLocation() {
    }

    /**
     * Root uses {@code /var/lib/zfs-sync/history.db}; others {@code $XDG_STATE_HOME/zfs-sync/history.db},
     * or {@code ~/.local/state/zfs-sync/history.db} when that is unset or not absolute (as the XDG
     * base directory specification says to ignore a relative one).
     */
    public static Path of(long uid, Map<String, String> env, Path home) {
        if (uid == 0) {
            return ROOT;
        }
        String state = env.get("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank() && Path.of(state).isAbsolute() ? Path.of(state)
                : home.resolve(".local/state");
        return base.resolve("zfs-sync").resolve("history.db");
    }

    /** This process's default, by its uid as the lock directory finds it. */
    public static Path of() {
        return of(new UnixSystem().getUid(), System.getenv(), Path.of(System.getProperty("user.home")));
    }
}
