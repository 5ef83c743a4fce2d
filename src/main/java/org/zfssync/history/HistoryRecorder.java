package org.zfssync.history;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunListener;

/**
 * Writes runs to the {@link HistoryStore} as their events arrive, and prunes the history at the end
 * of each. Never stops a run: a write that fails (disk full, the file locked by another process
 * beyond the busy timeout, read-only) is logged as a warning and dropped. Dry runs are not recorded:
 * they change nothing, and would otherwise count as successes for {@code status}.
 */
public final class HistoryRecorder implements RunListener {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRecorder.class);
    private final HistoryStore store;
    private final Duration keep;
    /** The runs whose start was written: only their datasets and ends are (dry runs, a failed start: not). */
    private final Set<String> recording = ConcurrentHashMap.newKeySet();

    public HistoryRecorder(HistoryStore store) {
        this(store, HistoryStore.DEFAULT_KEEP);
    }

    /** @param keep how long runs are kept ({@code history-keep}) */
    public HistoryRecorder(HistoryStore store, Duration keep) {
        this.store = store;
        this.keep = keep;
    }

    @Override
    public void on(RunEvent event) {
        try {
            if (event instanceof RunEvent.RunStarted s && !s.dryRun()) {
                store.runStarted(s);
                recording.add(s.runId());
            } else if (event instanceof RunEvent.DatasetFinished d && recording.contains(d.runId())) {
                store.datasetFinished(d);
            } else if (event instanceof RunEvent.VerifyFinished v) {
                store.verifyFinished(v);
            } else if (event instanceof RunEvent.RunFinished f && recording.remove(f.runId())) {
                store.runFinished(f);
                int pruned = store.prune(keep, f.at());
                if (pruned > 0) {
                    LOG.debug("history: removed {} run(s) older than {} days", pruned, keep.toDays());
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not record {} of run {} in the history {}: {} (the run goes on)",
                    event.getClass().getSimpleName(), event.runId(), store.file(), e.getMessage());
        }
    }
}
