package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.zfssync.replication.RateLimiter;
import org.zfssync.testing.FakeZfsHost;

/** The daemon's handle on a running job's bandwidth: the limiter it passes is the one the streams obey. */
class JobBandwidthTest {
    @Test
    void aJobsTransfersPassThroughTheLimiterTheCallerHolds() {
        JobRunnerFleet fleet = new JobRunnerFleet();
        FakeZfsHost src = fleet.host("src", "tank");
        fleet.host("nas", "pool");
        src.create("tank/a").write("tank/a", 4L << 20);
        Job job = JobRunnerFleet.job("""
                jobs:
                  - name: vms
                    source: src:tank/a
                    targets: [nas:pool/x]
                """);
        AtomicLong slept = new AtomicLong();
        AtomicLong now = new AtomicLong();
        RateLimiter bandwidth = new RateLimiter(1L << 20, now::get, d -> {
            slept.addAndGet(d.toNanos());
            now.addAndGet(d.toNanos());
        });
        JobRunner.Outcome o = fleet.runner().run(job, false, bandwidth);
        assertThat(o.failures()).isEmpty();
        long bytes = o.syncs().get(0).bytes();
        assertThat(bytes).isGreaterThan(4L << 20);
        // At 1 MiB/s, all but the first quarter-second burst was slept off on the caller's limiter.
        assertThat(Duration.ofNanos(slept.get()).toMillis()).isBetween(bytes * 1000 / (1L << 20) - 300,
                bytes * 1000 / (1L << 20));
    }
}
