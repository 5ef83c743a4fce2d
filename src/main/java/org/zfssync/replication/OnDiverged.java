package org.zfssync.replication;

import java.util.Locale;

/**
 * What a sync does with a target that diverged from its source (snapshots newer than the common
 * one, or changes since it) or shares no snapshot with it. {@link #REFUSE} is the default: only a
 * person decides to change a target's data.
 */
public enum OnDiverged {
    /** Leave the target untouched and report it (exit 4). */
    REFUSE,
    /**
     * Rename the target aside ({@code NAME.zfs-sync-diverged-TIMESTAMP}, read-only, mounted nowhere),
     * with everything below it, and replicate a fresh full copy into its name: nothing it held is lost.
     */
    QUARANTINE,
    /** Roll a diverged target back to the common snapshot, as {@code --rollback}. */
    ROLLBACK;

    /** {@code refuse}, {@code quarantine} or {@code rollback}, as the command line and the config write them. */
    public static OnDiverged parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("on-diverged must be refuse, quarantine or rollback, not '" + text + "'");
        }
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
