package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {
    private final ServiceMetrics metrics = new ServiceMetrics(new FakeService());

    private String scrape() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runEventsCountPerJobTargetAndResult() throws Exception {
        metrics.runFinished("home", "backup:tank/home", "success", Duration.ofSeconds(42));
        metrics.runFinished("home", "backup:tank/home", "success", Duration.ofSeconds(3));
        metrics.runFinished("home", "backup:tank/home", "failed", Duration.ofMinutes(2));
        metrics.datasetFinished("home", "backup:tank/home", "replicated", Duration.ofSeconds(7));
        metrics.bytesSent("home", "backup:tank/home", 1000);
        metrics.bytesSent("home", "backup:tank/home", 24);
        metrics.runSkipped("vms");
        assertThat(scrape()).contains(
                "zfs_sync_runs_total{job=\"home\",result=\"success\",target=\"backup:tank/home\"} 2.0",
                "zfs_sync_runs_total{job=\"home\",result=\"failed\",target=\"backup:tank/home\"} 1.0",
                "zfs_sync_datasets_total{job=\"home\",status=\"replicated\",target=\"backup:tank/home\"} 1.0",
                "zfs_sync_bytes_sent_total{job=\"home\",target=\"backup:tank/home\"} 1024.0",
                "zfs_sync_skipped_runs_total{job=\"vms\"} 1.0",
                "zfs_sync_run_duration_seconds_bucket{job=\"home\",target=\"backup:tank/home\",le=\"5.0\"} 1",
                "zfs_sync_run_duration_seconds_bucket{job=\"home\",target=\"backup:tank/home\",le=\"60.0\"} 2",
                "zfs_sync_run_duration_seconds_count{job=\"home\",target=\"backup:tank/home\"} 3",
                "zfs_sync_run_duration_seconds_sum{job=\"home\",target=\"backup:tank/home\"} 165.0",
                "zfs_sync_dataset_duration_seconds_count{job=\"home\",target=\"backup:tank/home\"} 1");
    }

    @Test
    void gaugesAreReadFromTheStatusAtScrape() throws Exception {
        assertThat(scrape()).contains(
                "zfs_sync_last_success_timestamp_seconds{job=\"home\",target=\"backup:tank/home\"} 1.7145642E9",
                "zfs_sync_rpo_seconds{job=\"vms\",target=\"backup:tank/vms\"} 108000.0",
                "zfs_sync_rpo_seconds{job=\"home\",target=\"offsite:pool/home\"} 7500.0",
                "zfs_sync_running_transfers 1.0");
    }

    @Test
    void negativeBytesAreABug() {
        assertThatThrownBy(() -> metrics.bytesSent("j", "t", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
