package org.zfssync.replication;

import java.util.List;

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
     * Whether {@link #startSequence} works: many small streams, back to back, on one session on
     * each host.
     */
    default boolean carriesSequences() {
        return false;
    }

    /**
     * Starts many small streams as one: their sends run one after another on one session on the
     * source, writing one stream; their receives, in the same order, take it in turn on one
     * session on the target (a receive reads exactly its own stream and stops). Each side stops at
     * its first failure. Every stream must be a single send and a single receive (no stages
     * between: a buffer or a compressor would read past a stream's end). The ended stream has one
     * result per send and per receive, in order; those after a failure say they did not run.
     *
     * @throws UnsupportedOperationException unless {@link #carriesSequences()}
     */
    default RunningStream startSequence(List<TransferPipeline> streams, RateLimiter limiter) {
        throw new UnsupportedOperationException(name() + " carries no stream sequences");
    }

    /** The stream as it would run, for the plan (--dry-run) and the log, quoted for a POSIX shell. */
    String display(TransferPipeline pipeline);

    /** Releases what the transport set up for the run on the hosts (a TLS link's keys); the relay has nothing. */
    @Override
    default void close() {
    }
}
