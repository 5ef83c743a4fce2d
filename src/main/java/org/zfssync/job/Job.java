package org.zfssync.job;

import java.util.List;

/**
 * One job, with defaults applied: a source replicated to each of its targets (fan-out).
 *
 * @param line where the job starts in the config file, for messages
 */
public record Job(String name, String source, List<String> targets, Settings settings, int line) {
    public Job {
        targets = List.copyOf(targets);
    }
}
