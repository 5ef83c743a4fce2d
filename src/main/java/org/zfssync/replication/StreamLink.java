package org.zfssync.replication;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.host.Helper;
import org.zfssync.host.Host;
import org.zfssync.host.HostPool;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.Zfs;

/**
 * The two ends of a stream, each probed once (OpenZFS, and the helpers a stream across a network
 * would use), and the stream's shape chosen from both: one setup for a sync and for a restore,
 * which sends the other way; and the transport that carries its streams, chosen and (for
 * ssh-direct) checked before any data moves; with {@code --compress auto}, the compressor measured
 * through that transport ({@link CompressionProbe}; {@code compressionNote} says what and why). The same host on both ends shares one connection and
 * one probe.
 */
record StreamLink(Host source, Host target, Zfs sourceZfs, Zfs targetZfs, HostReport sourceReport,
                  HostReport targetReport, StreamShape shape, Transport transport, Optional<String> compressionNote)
        implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamLink.class);

    /** @param sourcePools pools flushed ({@code zpool sync}) in the source's probe, so its space accounting is current */
    static StreamLink open(HostPool hosts, Endpoint source, Endpoint target, TransferSettings settings,
                           List<DatasetName> sourcePools) {
        Host sourceHost = hosts.get(source.sshDestination());
        Host targetHost = hosts.get(target.sshDestination());
        Zfs sourceZfs = new Zfs(sourceHost);
        Zfs targetZfs = sourceHost == targetHost ? sourceZfs : new Zfs(targetHost);
        boolean networkHop = !sourceHost.isLocal() || !targetHost.isLocal();
        Set<Helper> helpers = ShapeChooser.helpersToProbe(settings, networkHop);
        TransportMode mode = settings.transport().effectiveMode();
        if (mode != TransportMode.RELAY && networkHop) {
            helpers.add(Helper.PV);
        }
        if (mode == TransportMode.TLS && networkHop) {
            helpers.add(Helper.SOCAT);
            helpers.add(Helper.OPENSSL);
        }
        HostReport sourceReport = sourcePools.isEmpty() ? HostProbe.probe(sourceZfs, helpers)
                : HostProbe.probe(sourceZfs, helpers, sourcePools);
        HostReport targetReport = targetZfs == sourceZfs ? sourceReport : HostProbe.probe(targetZfs, helpers);
        LOG.info("source {} runs OpenZFS {}, target {} runs OpenZFS {}", sourceHost.name(), sourceReport.version(),
                targetHost.name(), targetReport.version());
        Transports.Choice carrier = Transports.choose(settings.transport(), sourceHost, targetHost, sourceReport,
                targetReport, settings.capped());
        carrier.notes().forEach(LOG::info);
        ShapeChooser.Choice choice = ShapeChooser.choose(settings, sourceReport, targetReport, networkHop);
        choice.warnings().forEach(LOG::warn);
        // Before any data moves: ends that cannot reach each other are one clear error, not retries.
        Transports.requireReachable(carrier, sourceHost, settings.transport(), targetHost);
        LOG.info("streams go by {}", carrier.transport().name());
        // --compress auto: measured once here, through the transport just chosen, for every stream of the run.
        CompressionProbe.Outcome compression = CompressionProbe.settle(settings, choice.shape(), networkHop, sourceHost,
                targetHost, source.dataset(), carrier.transport(), sourceReport, targetReport);
        return new StreamLink(sourceHost, targetHost, sourceZfs, targetZfs, sourceReport, targetReport,
                compression.shape(), carrier.transport(), compression.note());
    }

    /** Releases what the transport set up on the hosts; before the hosts' connections close. */
    @Override
    public void close() {
        transport.close();
    }
}
