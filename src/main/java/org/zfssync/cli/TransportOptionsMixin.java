package org.zfssync.cli;

import java.util.Optional;
import org.zfssync.replication.TransportMode;
import org.zfssync.replication.TransportSettings;
import picocli.CommandLine.Option;

/** How streams travel (picocli mixin of {@code sync} and {@code check}). */
final class TransportOptionsMixin {
    @Option(names = "--transport", paramLabel = "MODE", defaultValue = "relay", description = "What carries the "
            + "streams: relay (through this machine, the default), ssh-direct (the source runs its own ssh to the "
            + "target; needs pv on the source and a key there that the target accepts) or auto (the relay today). "
            + "See README \"Transports\" (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--direct-target-address", paramLabel = "[USER@]HOST", description = "With --transport "
            + "ssh-direct: the target's ssh destination as the source reaches it (an alias of the source's "
            + "~/.ssh/config works), when it differs from the one this machine uses.")
    String directTargetAddress;

    @Option(names = "--ssh-forward-agent", description = "With --transport ssh-direct: forward this machine's ssh "
            + "agent to the source (ssh -A) so that the source's ssh to the target may use its keys. Risky: root on "
            + "the source can use the agent while the stream runs.")
    boolean forwardAgent;

    TransportSettings toSettings() {
        return new TransportSettings(TransportMode.parse(transport), Optional.ofNullable(directTargetAddress),
                forwardAgent);
    }
}
