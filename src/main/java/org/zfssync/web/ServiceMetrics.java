package org.zfssync.web;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;

/**
 * zfs-sync's Prometheus metrics. Counters and histograms are fed by the daemon as runs end (the {@code *Finished}
 * methods, {@link #bytesSent}, {@link #runSkipped}); the gauges (last success, RPO, running transfers) are read
 * from the {@link StatusSource} at each scrape, so they are never stale. Every series is listed in the README.
 *
 * <p>The metrics live in this instance's own registry, not the client's process-wide default one, so two
 * servers (or two tests) never share counts.
 */
public final class ServiceMetrics {
    /** Replication runs last from seconds (nothing to send) to a day (a first full send of a large pool). */
    private static final double[] DURATION_BUCKETS = {1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter runs;
    private final Counter datasets;
    private final Counter bytes;
    private final Counter skipped;
    private final Histogram runDuration;
    private final Histogram datasetDuration;

    public ServiceMetrics(StatusSource source) {
        Objects.requireNonNull(source, "source");
        runs = Counter.builder().name("zfs_sync_runs_total")
                .help("Finished runs of a job to a target, by result.")
                .labelNames("job", "target", "result").register(registry);
        datasets = Counter.builder().name("zfs_sync_datasets_total")
                .help("Datasets a run finished with, by status.")
                .labelNames("job", "target", "status").register(registry);
        bytes = Counter.builder().name("zfs_sync_bytes_sent_total")
                .help("Bytes of zfs send streams delivered to a target.")
                .labelNames("job", "target").register(registry);
        skipped = Counter.builder().name("zfs_sync_skipped_runs_total")
                .help("Scheduled runs skipped because the previous run of the job was still going.")
                .labelNames("job").register(registry);
        runDuration = Histogram.builder().name("zfs_sync_run_duration_seconds").unit(Unit.SECONDS)
                .help("How long a run of a job to a target took.")
                .labelNames("job", "target").classicOnly().classicUpperBounds(DURATION_BUCKETS).register(registry);
        datasetDuration = Histogram.builder().name("zfs_sync_dataset_duration_seconds").unit(Unit.SECONDS)
                .help("How long replicating one dataset took.")
                .labelNames("job", "target").classicOnly().classicUpperBounds(DURATION_BUCKETS).register(registry);
        registry.register(new StatusGauges(source));
    }

    /** A run of {@code job} to {@code target} ended with {@code result} (e.g. success, failed, refused) after {@code took}. */
    public void runFinished(String job, String target, String result, Duration took) {
        runs.labelValues(job, target, result).inc();
        runDuration.labelValues(job, target).observe(seconds(took));
    }

    /** One dataset of a run ended with {@code status} (e.g. replicated, up-to-date, failed) after {@code took}. */
    public void datasetFinished(String job, String target, String status, Duration took) {
        datasets.labelValues(job, target, status).inc();
        datasetDuration.labelValues(job, target).observe(seconds(took));
    }

    /**
     * {@code n} more bytes reached {@code target}. The one feed of {@code zfs_sync_bytes_sent_total}: call it as
     * progress arrives (the counter then grows during a long send) or once per stream, not both.
     */
    public void bytesSent(String job, String target, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("bytes sent cannot be negative: " + n);
        }
        bytes.labelValues(job, target).inc(n);
    }

    /** The scheduler skipped a run of {@code job} because its previous run was still going. */
    public void runSkipped(String job) {
        skipped.labelValues(job).inc();
    }

    /** The Content-Type of {@link #writeTo}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every series in the Prometheus text format (version 0.0.4). */
    public void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** The gauges, all from one {@link StatusSource#status()} per scrape so they agree with each other. */
    private static final class StatusGauges implements MultiCollector {
        private final StatusSource source;

        StatusGauges(StatusSource source) {
            this.source = source;
        }

        @Override
        public MetricSnapshots collect() {
            ServiceStatus status = source.status();
            GaugeSnapshot.Builder lastSuccess = GaugeSnapshot.builder().name("zfs_sync_last_success_timestamp_seconds")
                    .help("When the last successful run of a job to a target ended (Unix time); absent before the first.");
            GaugeSnapshot.Builder rpo = GaugeSnapshot.builder().name("zfs_sync_rpo_seconds").unit(Unit.SECONDS)
                    .help("Age of the newest snapshot a target holds: the history lost if the source died now.");
            for (JobStatus job : status.jobs()) {
                for (TargetStatus target : job.targets()) {
                    Labels labels = Labels.of("job", job.name(), "target", target.target());
                    if (target.lastSuccess() != null) {
                        lastSuccess.dataPoint(point(labels, target.lastSuccess().toEpochMilli() / 1e3));
                    }
                    target.rpo(status.now()).ifPresent(age -> rpo.dataPoint(point(labels, seconds(age))));
                }
            }
            GaugeSnapshot running = GaugeSnapshot.builder().name("zfs_sync_running_transfers")
                    .help("zfs send | zfs receive streams in flight.")
                    .dataPoint(point(Labels.EMPTY, status.running().size())).build();
            return MetricSnapshots.of(lastSuccess.build(), rpo.build(), running);
        }

        private static GaugeDataPointSnapshot point(Labels labels, double value) {
            return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
        }
    }
}
