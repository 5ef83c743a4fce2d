package org.zfssync.replication;

import java.time.Duration;

/**
 * How transfers behave when the network does not, and what wraps the stream on its way.
 *
 * @param retry          attempts and backoff for transient failures
 * @param stallTimeout   a stream that moves no byte for this long is killed and retried
 * @param bytesPerSecond cap on the stream rate ({@code --bwlimit}), 0 for none
 * @param compression    compressor around network hops ({@code --compress})
 * @param bufferBytes    mbuffer size on each end of a network hop, 0 for none ({@code --mbuffer-size}, {@code --no-mbuffer}),
 *                       or {@link #BUFFER_UNSET} when the user named none
 * @param workers        datasets replicated at once ({@code --workers}); a child never before its parent
 * @param bandwidth      a limiter shared with whoever may change its rate while the run goes on (the
 *                       daemon, at a window boundary), used instead of {@code bytesPerSecond}; null for none
 * @param transport      what carries the streams ({@code --transport})
 */
public record TransferSettings(RetryPolicy retry, Duration stallTimeout, long bytesPerSecond,
        CompressionMode compression, long bufferBytes, int workers, RateLimiter bandwidth,
        TransportSettings transport) {
    public static final long DEFAULT_BUFFER = 32L * 1024 * 1024;
    /**
     * {@code bufferBytes} when the user set no size: none on an uncapped stream, {@link #DEFAULT_BUFFER}
     * on each end of a capped one. A direct stream is one TCP connection from the source to the
     * target, whose socket buffers (and ssh's channel window) already sit between {@code zfs send}
     * and {@code zfs receive}; the relay holds up to 32 MiB itself, between its two connections
     * ({@link RelayPump}). On the lab's one-CPU guest the two mbuffers cost a direct stream 13 % of
     * its rate and the relay 15 % (each copies every byte twice more) and bought nothing there. A
     * size given by the user is used on every transport; {@link #streamBufferBytes} says why a capped stream keeps them.
     */
    public static final long BUFFER_UNSET = -1;

    public TransferSettings {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive");
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth limit must not be negative");
        }
        if (bufferBytes != 0 && bufferBytes != BUFFER_UNSET && bufferBytes < 1024 * 1024) {
            throw new IllegalArgumentException("--mbuffer-size must be at least 1M, got " + bufferBytes + " bytes");
        }
        if (transport == null) {
            throw new IllegalArgumentException("a transport is required (relay by default)");
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("--workers must be between 1 and 64, got " + workers);
        }
    }

    public TransferSettings(RetryPolicy retry, Duration stallTimeout, long bytesPerSecond,
            CompressionMode compression, long bufferBytes, int workers) {
        this(retry, stallTimeout, bytesPerSecond, compression, bufferBytes, workers, null, TransportSettings.relay());
    }

    public TransferSettings(RetryPolicy retry, Duration stallTimeout, long bytesPerSecond,
            CompressionMode compression, long bufferBytes, int workers, RateLimiter bandwidth) {
        this(retry, stallTimeout, bytesPerSecond, compression, bufferBytes, workers, bandwidth,
                TransportSettings.relay());
    }

    /** These settings with their rate cap in {@code bandwidth}'s hands: adjustable while the run goes on. */
    public TransferSettings withBandwidth(RateLimiter control) {
        return new TransferSettings(retry, stallTimeout, control.rate(), compression, bufferBytes, workers, control,
                transport);
    }

    /** These settings with streams carried as {@code choice} says. */
    public TransferSettings withTransport(TransportSettings choice) {
        return new TransferSettings(retry, stallTimeout, bytesPerSecond, compression, bufferBytes, workers, bandwidth,
                choice);
    }

    /** The limiter of a run: the shared adjustable one, else one of its own for {@code --bwlimit}, else none. */
    RateLimiter limiter() {
        if (bandwidth != null) {
            return bandwidth;
        }
        return bytesPerSecond > 0 ? RateLimiter.of(bytesPerSecond) : null;
    }

    public static TransferSettings defaults() {
        return new TransferSettings(RetryPolicy.defaults(), Duration.ofMinutes(2), 0, CompressionMode.DEFAULT,
                BUFFER_UNSET, 1);
    }

    /** The streams may have a rate cap: {@code --bwlimit}, or a limiter the daemon adjusts. */
    public boolean capped() {
        return bandwidth != null || bytesPerSecond > 0;
    }

    /**
     * The mbuffer size on each end of a stream: the user's, else none, except the default on a
     * capped stream. A capped stream runs at the cap, not at what the CPUs allow, so buffers cost
     * it nothing; without them the pauses of zfs send (reading the pool) and of zfs receive cost
     * the cap its rate, as pv -L and the relay's limiter lend themselves credit for only a moment
     * (0.88–0.94 of --bwlimit in the two-guest lab without the buffers, 0.996 with them).
     */
    public long streamBufferBytes() {
        if (bufferBytes != BUFFER_UNSET) {
            return bufferBytes;
        }
        return capped() ? DEFAULT_BUFFER : 0;
    }
}
