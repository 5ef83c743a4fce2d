package org.zfssync.replication;

import java.time.Duration;

/**
 * How transfers behave when the network does not.
 *
 * @param retry        attempts and backoff for transient failures
 * @param stallTimeout a stream that moves no byte for this long is killed and retried
 */
public record TransferSettings(RetryPolicy retry, Duration stallTimeout) {
    public TransferSettings {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive");
        }
    }

    public static TransferSettings defaults() {
        return new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(2));
    }
}
