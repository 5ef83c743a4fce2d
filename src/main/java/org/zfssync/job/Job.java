package org.zfssync.job;

import java.util.List;
import java.util.Map;

/**
 * One job, with defaults applied: a source replicated to each of its targets (fan-out).
 *
 * @param line          where the job starts in the config file, for messages
 * @param targetOwn     per target (as written in {@code targets}), the settings that target sets for itself
 *                      (only the transport keys), over the job's; a target without any is absent
 */
public record Job(String name, String source, List<String> targets, Settings settings, int line,
                  Map<String, Settings> targetOwn) {
    public Job {
        targets = List.copyOf(targets);
        targetOwn = Map.copyOf(targetOwn);
    }

    public Job(String name, String source, List<String> targets, Settings settings, int line) {
        this(name, source, targets, settings, line, Map.of());
    }

    /** The settings a sync to {@code target} runs with: the target's own transport keys over the job's. */
    public Settings settingsFor(String target) {
        Settings own = targetOwn.get(target);
        return own == null ? settings : own.over(settings);
    }
}
