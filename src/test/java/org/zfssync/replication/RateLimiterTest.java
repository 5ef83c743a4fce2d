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

    @Test
    void aRateChangeTakesEffectOnTheNextChunk() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter limiter = new RateLimiter(0, () -> time.now, time::sleep);
        long chunk = 1 << 20;
        for (int i = 0; i < 100; i++) {
            limiter.acquire(chunk);
        }
        assertThat(time.now).as("unlimited: no waiting").isZero();

        limiter.setRate(1L << 20); // a window boundary: 1 MiB/s from now on
        long before = time.now;
        limiter.acquire(chunk);
        assertThat(time.now - before).as("the very next chunk waits at the new rate")
                .isBetween(Duration.ofMillis(990).toNanos(), Duration.ofSeconds(1).toNanos());
        before = time.now;
        limiter.acquire(chunk);
        assertThat(time.now - before).isEqualTo(Duration.ofSeconds(1).toNanos());

        limiter.setRate(4L << 20); // a faster window
        before = time.now;
        limiter.acquire(chunk);
        assertThat(time.now - before).isEqualTo(Duration.ofMillis(250).toNanos());

        limiter.setRate(0); // outside every limited window
        before = time.now;
        limiter.acquire(100L << 20);
        assertThat(time.now).isEqualTo(before);
        assertThat(limiter.rate()).isZero();
    }

    @Test
    void creditEarnedAtAHighRateIsCappedByTheLowerBurst() throws InterruptedException {
        FakeTime time = new FakeTime();
        RateLimiter limiter = new RateLimiter(100L << 20, () -> time.now, time::sleep);
        time.now += Duration.ofSeconds(10).toNanos(); // idle: a full 25 MiB burst at 100 MiB/s
        limiter.setRate(1L << 20);
        limiter.acquire(1L << 20);
        // Only a quarter second's worth at the new rate carries over, not 25 MiB.
        assertThat(time.now - Duration.ofSeconds(10).toNanos()).isEqualTo(Duration.ofMillis(750).toNanos());
        assertThatThrownBy(() -> limiter.setRate(-1)).hasMessageContaining("must not be negative");
    }

    @Test
    void aRunUsesTheSharedLimiterSoTheDaemonCanChangeItsRate() {
        RateLimiter shared = RateLimiter.of(0);
        TransferSettings s = TransferSettings.defaults().withBandwidth(shared);
        assertThat(s.limiter()).isSameAs(shared);
        assertThat(TransferSettings.defaults().limiter()).as("no --bwlimit: none").isNull();
        TransferSettings fixed = new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(1), 1000,
                CompressionMode.AUTO, 0, 1);
        assertThat(fixed.limiter().rate()).isEqualTo(1000);
    }
}
