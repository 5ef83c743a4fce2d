package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    /** A generator that always returns the same double: pins the jitter. */
    static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void doublesFromTheInitialDelayUpToTheCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.3);
        RandomGenerator noJitter = fixed(0.0);
        assertThat(p.delay(1, noJitter)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(2, noJitter)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.delay(5, noJitter)).isEqualTo(Duration.ofSeconds(32));
        assertThat(p.delay(6, noJitter)).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.delay(40, noJitter)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jitterOnlyShortensAndStaysWithinItsFraction() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.3);
        assertThat(p.delay(3, fixed(1.0))).isEqualTo(Duration.ofMillis(5600));
        RandomGenerator random = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            assertThat(p.delay(3, random)).isBetween(Duration.ofMillis(5600), Duration.ofSeconds(8));
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(5), Duration.ofSeconds(1), 0))
                .hasMessageContaining("initial <= max");
    }
}
