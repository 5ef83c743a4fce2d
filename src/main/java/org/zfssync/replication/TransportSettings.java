package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.DirectStream;
import org.zfssync.host.TlsFiles;
import org.zfssync.host.TlsListen;

/**
 * The transport a run asks for and what the direct transports need to know.
 *
 * @param mode           relay, ssh-direct, tls or auto
 * @param directAddress  the target's ssh destination as the source reaches it ({@code --direct-target-address});
 *                       empty: the target's own destination as this machine names it
 * @param forwardAgent   forward this machine's ssh agent to the source for the source's ssh to the target
 *                       ({@code --ssh-forward-agent}; opt-in, see README "Transports")
 * @param tlsListen      where the source listens for the target's TCP connection ({@code --tls-listen})
 * @param insecureDirect the direct TCP stream without TLS ({@code --insecure-direct}; isolated networks only)
 * @param tlsFiles       the user's CA and each host's certificate and key, instead of certificates made for the run
 * @param reuseConnections the relay runs small streams on kept ssh connections ({@code --reuse-connections})
 */
public record TransportSettings(TransportMode mode, Optional<String> directAddress, boolean forwardAgent,
                                Optional<TlsListen> tlsListen, boolean insecureDirect, Optional<TlsFiles> tlsFiles,
                                boolean reuseConnections) {
    public TransportSettings {
        // Validated here so that a bad address is a bad request before any host is reached.
        directAddress.ifPresent(a -> new DirectStream.Link(a, false));
        if (mode == TransportMode.TLS && tlsListen.isEmpty()) {
            throw new IllegalArgumentException("--transport tls needs --tls-listen ADDRESS[:PORT[-PORT]]: an address "
                    + "of the source that the target connects to (tls-listen: in a job)");
        }
        boolean tlsAsked = mode == TransportMode.TLS || mode == TransportMode.AUTO && tlsListen.isPresent();
        if (insecureDirect && !tlsAsked) {
            throw new IllegalArgumentException("--insecure-direct applies to --transport tls only (it drops TLS from "
                    + "the direct TCP stream); leave it out or add --transport tls --tls-listen ADDRESS");
        }
        if (insecureDirect && tlsFiles.isPresent()) {
            throw new IllegalArgumentException("--insecure-direct uses no certificates: leave out --tls-ca, "
                    + "--tls-cert and --tls-key, or --insecure-direct");
        }
    }

    /** With kept connections for small streams, the default. */
    public TransportSettings(TransportMode mode, Optional<String> directAddress, boolean forwardAgent,
                             Optional<TlsListen> tlsListen, boolean insecureDirect, Optional<TlsFiles> tlsFiles) {
        this(mode, directAddress, forwardAgent, tlsListen, insecureDirect, tlsFiles, true);
    }

    /** Without the TLS settings (relay, ssh-direct). */
    public TransportSettings(TransportMode mode, Optional<String> directAddress, boolean forwardAgent) {
        this(mode, directAddress, forwardAgent, Optional.empty(), false, Optional.empty());
    }

    public static TransportSettings relay() {
        return new TransportSettings(TransportMode.RELAY, Optional.empty(), false);
    }

    /** The transport asked for, {@code auto} resolved by what the user set up (see {@link TransportMode#AUTO}). */
    public TransportMode effectiveMode() {
        if (mode != TransportMode.AUTO) {
            return mode;
        }
        return tlsListen.isPresent() ? TransportMode.TLS
                : directAddress.isPresent() ? TransportMode.SSH_DIRECT : TransportMode.RELAY;
    }
}
