package org.zfssync.replication;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for transient failures: the n-th retry waits
 * {@code initial × 2^(n-1)}, capped at {@code max}, then scaled by a random factor in
 * {@code [1 - jitter, 1]} so that many jobs cut by one network blip do not reconnect in step.
 *
 * @param attempts total attempts, the first included (1 = never retry)
 */
public record RetryPolicy(int attempts, Duration initial, Duration max, double jitter) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("retry attempts must be at least 1, got " + attempts);
        }
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= initial <= max");
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be within 0..1");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofSeconds(2), Duration.ofSeconds(60), 0.3);
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    public Duration delay(int retry, RandomGenerator random) {
        long initialMillis = initial.toMillis();
        long capped = max.toMillis();
        long exponential = retry >= 31 ? capped : Math.min(capped, initialMillis << (retry - 1));
        double factor = 1.0 - jitter * random.nextDouble();
        return Duration.ofMillis(Math.round(exponential * factor));
    }
}
