package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.Command;
import org.zfssync.zfs.SendFlags;

/**
 * One link wrapped around a stream, like an interceptor: a stage after {@code zfs send} on the
 * sending side and its counterpart before {@code zfs receive} on the receiving side. Stages are
 * composed by {@link StreamShape}; each decides for itself whether it applies to a stream.
 */
public interface StreamStage {
    /** Whether this stage is worth running for a stream sent with these flags. */
    default boolean appliesTo(SendFlags flags) {
        return true;
    }

    /** The stage on the sending side, if any. */
    Optional<Command> sending();

    /** The stage on the receiving side, if any. */
    Optional<Command> receiving();
}
