package org.zfssync.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunListener;
import org.zfssync.web.ServiceMetrics;

/** Feeds the Prometheus series from the run events: runs, datasets, durations and bytes per job and target. */
final class Metrics implements RunListener {
    private final ServiceMetrics metrics;
    private final StartedRuns runs = new StartedRuns();

    Metrics(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public synchronized void on(RunEvent event) {
        runs.note(event);
        if (event instanceof RunEvent.DatasetFinished f) {
            runs.of(f.runId()).ifPresent(s -> {
                metrics.datasetFinished(s.job(), s.target(), f.status().name().toLowerCase(Locale.ROOT),
                        f.duration() == null ? Duration.ZERO : f.duration());
                // Bytes once per stream, when it ends: counting progress too would count them twice.
                metrics.bytesSent(s.job(), s.target(), f.bytes());
            });
        } else if (event instanceof RunEvent.RunFinished f) {
            runs.finish(f.runId()).ifPresent(s -> metrics.runFinished(s.job(), s.target(),
                    f.result().name().toLowerCase(Locale.ROOT),
                    Duration.between(s.at(), f.at() == null ? Instant.now() : f.at())));
        }
    }
}
