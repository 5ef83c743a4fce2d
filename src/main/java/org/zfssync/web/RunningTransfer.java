package org.zfssync.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code zfs send | zfs receive} in flight.
 *
 * @param job            the job it belongs to
 * @param source         the source side, as the job names it
 * @param target         the target side, as the job names it
 * @param dataset        the dataset being sent
 * @param bytes          bytes sent so far
 * @param estimate       the size {@code zfs send -nP} estimated; 0 when unknown
 * @param bytesPerSecond the current rate (the daemon smooths it over its progress lines)
 * @param started        when the transfer started
 */
public record RunningTransfer(String job, String source, String target, String dataset, long bytes, long estimate,
                              double bytesPerSecond, Instant started) {
    public RunningTransfer {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(started, "started");
    }

    /**
     * How long the rest takes at the current rate; empty without an estimate or a rate. A stream that has sent
     * more than estimated (estimates are approximate) is about done: zero.
     */
    public Optional<Duration> eta() {
        if (estimate <= 0 || bytesPerSecond <= 0) {
            return Optional.empty();
        }
        long remaining = Math.max(0, estimate - bytes);
        return Optional.of(Duration.ofSeconds((long) Math.ceil(remaining / bytesPerSecond)));
    }

    /** Share done, 0 to 1; empty without an estimate. */
    public Optional<Double> fractionDone() {
        return estimate <= 0 ? Optional.empty() : Optional.of(Math.min(1.0, (double) bytes / estimate));
    }
}
