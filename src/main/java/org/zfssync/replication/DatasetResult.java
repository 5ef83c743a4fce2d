package org.zfssync.replication;

/**
 * What happened to one dataset.
 *
 * @param from    incremental source, or null for a full send or no send
 * @param to      newest snapshot sent, or null
 * @param bytes   bytes moved, counted by zfs-sync, over every attempt (re-sent bytes included)
 * @param retries transfers retried after a transient failure (each resumed where possible)
 * @param message the refusal or error, naming the dataset, the command and its stderr
 */
public record DatasetResult(String source, String target, Action action, Status status, String from, String to,
                            long bytes, int retries, String message) {
    public enum Status {
        /** Replicated. */
        DONE,
        /** Nothing to send. */
        UP_TO_DATE,
        /** Dry run: what would happen. */
        PLANNED,
        /** Not safe without a flag; nothing done. */
        REFUSED,
        /** A command failed. */
        FAILED,
        /** The run was cancelled (SIGTERM, SIGINT) before this dataset finished; resume state is kept. */
        CANCELLED,
        /** Not attempted because its parent failed. */
        SKIPPED
    }
}
