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
        for (OnDiverged choice : values()) {
            if (text != null && choice.word().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return choice;
            }
        }
        throw new IllegalArgumentException("on-diverged must be refuse, quarantine or rollback, not '" + text + "'");
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
