package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.Command;

/**
 * mbuffer on either end of a network hop, so a burst on one side does not stall the other (zfs
 * send reads in bursts; zfs receive writes in txg-sized bursts). Each side has it only where it
 * is installed and working.
 *
 * @param bytes   memory of each buffer
 * @param sender  on the sending side
 * @param receiver on the receiving side
 */
public record Buffering(long bytes, boolean sender, boolean receiver) implements StreamStage {
    public Buffering {
        if (bytes < 1024 * 1024) {
            throw new IllegalArgumentException("an mbuffer needs at least 1M, got " + bytes + " bytes");
        }
    }

    @Override
    public Optional<Command> sending() {
        return sender ? Optional.of(command()) : Optional.empty();
    }

    @Override
    public Optional<Command> receiving() {
        return receiver ? Optional.of(command()) : Optional.empty();
    }

    private Command command() {
        return Command.reading("mbuffer", "-q", "-s", "128k", "-m", (bytes / 1024) + "k");
    }
}
