package org.zfssync.host;

/**
 * Reads, line by line, what a direct stream's metered stage (its first, {@code zfs send -v -P})
 * prints on stderr: its progress, which the caller counts, and its own messages.
 */
@FunctionalInterface
public interface ProgressLines {
    /** @return false if the line is the stage's own message (kept as its stderr), not progress */
    boolean read(String line);
}
