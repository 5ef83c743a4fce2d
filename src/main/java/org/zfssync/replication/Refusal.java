package org.zfssync.replication;

/**
 * Why a dataset is not replicated, and what would make it so.
 *
 * @param reason what is wrong, naming the dataset
 * @param remedy what the user can do, naming the flag where one exists
 */
public record Refusal(Kind kind, String reason, String remedy) {
    public enum Kind {
        /** The target exists but shares no snapshot with the source. */
        NO_COMMON_SNAPSHOT,
        /** The target has snapshots newer than the common one, or changes since it. */
        DIVERGED,
        /** The source has no snapshot and zfs-sync was told not to take one. */
        NO_SOURCE_SNAPSHOT
    }

    public String message() {
        return reason + "; " + remedy;
    }
}
