package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock that only moves when the limiter sleeps. */
    static final class FakeTime {
        long now;

        void sleep(Duration d) {
            now += d.toNanos();
        }
    }

    @Test
    void averageRateConvergesToTheLimit() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter limiter = new RateLimiter(10L << 20, () -> time.now, time::sleep);
        long total = 100L << 20;
        for (long sent = 0; sent < total; sent += 1 << 20) {
            limiter.acquire(1 << 20);
        }
        double seconds = time.now / 1e9;
        // 100 MiB at 10 MiB/s, minus the initial quarter-second burst.
        assertThat(seconds).isBetween(9.7, 10.0);
    }

    @Test
    void parsesRates() {
        assertThat(RateLimiter.parseRate("50M")).isEqualTo(50L << 20);
        assertThat(RateLimiter.parseRate("500k")).isEqualTo(500L << 10);
        assertThat(RateLimiter.parseRate("1.5G")).isEqualTo(3L << 29);
        assertThat(RateLimiter.parseRate("10MB/s")).isEqualTo(10L << 20);
        assertThat(RateLimiter.parseRate("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> RateLimiter.parseRate("fast")).hasMessageContaining("invalid rate 'fast'");
        assertThatThrownBy(() -> RateLimiter.parseRate("-5M")).hasMessageContaining("invalid rate");
    }
}
