package org.zfssync.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunListener;
import org.zfssync.web.ServiceMetrics;

/** Feeds the Prometheus series from the run events: runs, datasets, durations and bytes per job and target. */
final class Metrics implements RunListener {
    private final ServiceMetrics metrics;
    private final Map<String, RunEvent.RunStarted> runs = new HashMap<>();

    Metrics(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public synchronized void on(RunEvent event) {
        if (event instanceof RunEvent.RunStarted s && s.job() != null && s.target() != null && !s.dryRun()) {
            runs.put(s.runId(), s);
        } else if (event instanceof RunEvent.DatasetFinished f) {
            RunEvent.RunStarted s = runs.get(f.runId());
            if (s != null) {
                metrics.datasetFinished(s.job(), s.target(), f.status().name().toLowerCase(Locale.ROOT),
                        f.duration() == null ? Duration.ZERO : f.duration());
                // Bytes once per stream, when it ends: counting progress too would count them twice.
                metrics.bytesSent(s.job(), s.target(), f.bytes());
            }
        } else if (event instanceof RunEvent.RunFinished f) {
            RunEvent.RunStarted s = runs.remove(f.runId());
            if (s != null) {
                metrics.runFinished(s.job(), s.target(), f.result().name().toLowerCase(Locale.ROOT),
                        Duration.between(s.at(), f.at() == null ? Instant.now() : f.at()));
            }
        }
    }
}
