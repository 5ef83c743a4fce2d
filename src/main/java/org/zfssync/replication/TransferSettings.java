package org.zfssync.replication;

import java.time.Duration;

/**
 * How transfers behave when the network does not.
 *
 * @param retry        attempts and backoff for transient failures
 * @param stallTimeout a stream that moves no byte for this long is killed and retried
 * @param bytesPerSecond cap on the stream rate ({@code --bwlimit}), 0 for none
 */
public record TransferSettings(RetryPolicy retry, Duration stallTimeout, long bytesPerSecond) {
    public TransferSettings {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive");
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth limit must not be negative");
        }
    }

    public static TransferSettings defaults() {
        return new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(2), 0);
    }
}
