package org.zfssync.daemon;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.zfssync.event.RunEvent;

/**
 * The runs of jobs in flight, by run id: later events carry only the id, and each listener of
 * the daemon needs the job and target they belong to. Dry runs and plain syncs are not kept;
 * the daemon's listeners ignore them. Not thread-safe: each listener keeps its own under its lock.
 */
final class StartedRuns {
    private final Map<String, RunEvent.RunStarted> runs = new HashMap<>();

    /** Keeps a job's real run when {@code event} starts one. */
    void note(RunEvent event) {
        if (event instanceof RunEvent.RunStarted s && s.job() != null && s.target() != null && !s.dryRun()) {
            runs.put(s.runId(), s);
        }
    }

    /** The start of a run in flight. */
    Optional<RunEvent.RunStarted> of(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /** The start of a run that has just finished; it is forgotten. */
    Optional<RunEvent.RunStarted> finish(String runId) {
        return Optional.ofNullable(runs.remove(runId));
    }
}
