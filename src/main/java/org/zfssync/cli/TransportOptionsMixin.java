package org.zfssync.cli;

import java.util.Optional;
import org.zfssync.host.TlsFiles;
import org.zfssync.host.TlsListen;
import org.zfssync.replication.TransportMode;
import org.zfssync.replication.TransportSettings;
import picocli.CommandLine.Option;

/** How streams travel (picocli mixin of {@code sync} and {@code check}). */
final class TransportOptionsMixin {
    @Option(names = "--transport", paramLabel = "MODE", defaultValue = "relay", description = "What carries the "
            + "streams: relay (through this machine, the default), ssh-direct (the source runs its own ssh to the "
            + "target; needs pv on the source and a key there that the target accepts), tls (the target connects "
            + "to a listener on the source, --tls-listen; socat on both ends) or auto (tls with --tls-listen, else "
            + "ssh-direct with --direct-target-address, else the relay). See README \"Transports\" "
            + "(default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--direct-target-address", paramLabel = "[USER@]HOST", description = "With --transport "
            + "ssh-direct: the target's ssh destination as the source reaches it (an alias of the source's "
            + "~/.ssh/config works), when it differs from the one this machine uses.")
    String directTargetAddress;

    @Option(names = "--ssh-forward-agent", description = "With --transport ssh-direct: forward this machine's ssh "
            + "agent to the source (ssh -A) so that the source's ssh to the target may use its keys. Risky: root on "
            + "the source can use the agent while the stream runs.")
    boolean forwardAgent;

    @Option(names = "--tls-listen", paramLabel = "ADDRESS[:PORT[-PORT]]", description = "With --transport tls: an "
            + "address of the source that the target connects to; the source's listener binds it, for one stream at a "
            + "time. Without a port the source picks a free one for each stream; give a port or a range for a "
            + "firewall.")
    String tlsListen;

    @Option(names = "--insecure-direct", description = "With --transport tls: a plain TCP stream, neither encrypted "
            + "nor authenticated. Only for an isolated network you trust.")
    boolean insecureDirect;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "With --transport tls: your CA's certificate, "
            + "on both hosts (with --tls-cert and --tls-key). Without them each run makes its own key pairs.")
    String tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "With --tls-ca: each host's certificate signed "
            + "by that CA, at this path on both hosts; the source's must name the --tls-listen address.")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "With --tls-ca: each host's private key, at this "
            + "path on both hosts.")
    String tlsKey;

    @Option(names = "--reuse-connections", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With the relay: run each stream the source's listing bounds under 16 MiB on a kept ssh "
            + "connection to each host (one stream at a time on each) instead of new ones (the default); "
            + "--no-reuse-connections gives every stream its own. See README \"ssh options\".")
    boolean reuseConnections = true;

    TransportSettings toSettings() {
        return new TransportSettings(TransportMode.parse(transport), Optional.ofNullable(directTargetAddress),
                forwardAgent, Optional.ofNullable(tlsListen).map(TlsListen::parse), insecureDirect,
                TlsFiles.of(tlsCa, tlsCert, tlsKey), reuseConnections);
    }
}
