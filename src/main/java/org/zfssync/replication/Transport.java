package org.zfssync.replication;

/**
 * What carries a stream from the source to the target: where its sending and receiving halves
 * run and what joins them. The retry loop, progress, stall detection and the run's plan sit
 * above and never ask which transport it is ({@link Transfer}).
 */
public interface Transport extends AutoCloseable {
    /** The transport's name as the user chose it ({@code relay}, {@code ssh-direct}). */
    String name();

    /**
     * Starts one stream.
     *
     * @param limiter caps the rate, or null for none
     */
    RunningStream start(TransferPipeline pipeline, RateLimiter limiter);

    /**
     * Starts one stream that is known to be small ({@link StreamSize}): a transport may carry it
     * on connections it keeps for such streams. By default, as {@link #start(TransferPipeline, RateLimiter)}.
     */
    default RunningStream startSmall(TransferPipeline pipeline, RateLimiter limiter) {
        return start(pipeline, limiter);
    }

    /**
     * The stream goes from the source straight to the target over one connection (not through this
     * machine): without a buffer size from the user it then has no mbuffer ({@link TransferSettings#BUFFER_BY_TRANSPORT}).
     */
    default boolean direct() {
        return false;
    }

    /** The stream as it would run, for the plan (--dry-run) and the log, quoted for a POSIX shell. */
    String display(TransferPipeline pipeline);

    /** Releases what the transport set up for the run on the hosts (a TLS link's keys); the relay has nothing. */
    @Override
    default void close() {
    }
}
