package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.DirectStream;

/**
 * The transport a run asks for and what ssh-direct needs to know.
 *
 * @param mode          relay, ssh-direct or auto
 * @param directAddress the target's ssh destination as the source reaches it ({@code --direct-target-address});
 *                      empty: the target's own destination as this machine names it
 * @param forwardAgent  forward this machine's ssh agent to the source for the source's ssh to the target
 *                      ({@code --ssh-forward-agent}; opt-in, see README "Transports")
 */
public record TransportSettings(TransportMode mode, Optional<String> directAddress, boolean forwardAgent) {
    public TransportSettings {
        // Validated here so that a bad address is a bad request before any host is reached.
        directAddress.ifPresent(a -> new DirectStream.Link(a, false));
    }

    public static TransportSettings relay() {
        return new TransportSettings(TransportMode.RELAY, Optional.empty(), false);
    }
}
