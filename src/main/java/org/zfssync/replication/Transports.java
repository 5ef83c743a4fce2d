package org.zfssync.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zfssync.host.CommandResult;
import org.zfssync.host.HostUnreachableException;
import org.zfssync.host.DirectStream;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.MissingToolException;
import org.zfssync.host.SshHost;
import org.zfssync.host.TlsStream;

/**
 * Picks the transport of a run from what the user asked for and the two hosts. The direct
 * transports only differ from the relay when both ends are remote and distinct: with this machine
 * at one end, the relay's bytes already cross the network once, so it carries the stream (and says
 * so). {@code auto} takes what the user set up (see {@link TransportMode#AUTO}): a direct transport
 * needs a key on the source or an address the target reaches, which only the user can know, and
 * a helper missing under auto means the relay, not an error (see README "Transports").
 */
public final class Transports {
    private Transports() {
    }

    /** The transport, and why it differs from the one asked for (or nothing to say). */
    public record Choice(Transport transport, List<String> notes) {
        public Choice {
            notes = List.copyOf(notes);
        }
    }

    /**
     * @param sourceReport the source's probe (tls needs {@code socat} and, for certificates made for
     *                     the run, {@code openssl} there; a capped stream needs {@code pv} there unless the
     *                     target has it)
     * @param targetReport the target's probe (tls needs {@code socat} and {@code openssl} there too)
     * @param capped       the streams may have a rate cap ({@code --bwlimit}, or a daemon's window)
     */
    public static Choice choose(TransportSettings settings, Host source, Host target, HostReport sourceReport,
                                HostReport targetReport, boolean capped) {
        RelayTransport relay = new RelayTransport(source, target, settings.reuseConnections());
        TransportMode mode = settings.effectiveMode();
        if (mode == TransportMode.RELAY) {
            return new Choice(relay, List.of());
        }
        String asked = settings.mode() == TransportMode.AUTO ? "--transport auto (" + mode.text() + ")"
                : "--transport " + mode.text();
        if (!(source instanceof SshHost ssh) || !(target instanceof SshHost sshTarget) || source == target) {
            return new Choice(relay, List.of(asked + ": " + (source == target
                    ? "source and target are the same host"
                    : "this machine is one end of the stream") + ", so its bytes cross the network once anyway; "
                    + "relaying it"));
        }
        List<Helper> sourceNeeds = new ArrayList<>();
        if (capped && !capOnTarget(targetReport)) {
            // The cap is held by pv where there is one (RateCap); zfs send counts the stream itself.
            sourceNeeds.add(Helper.PV);
        }
        List<Helper> targetNeeds = new ArrayList<>();
        if (mode == TransportMode.TLS) {
            sourceNeeds.add(Helper.SOCAT);
            targetNeeds.add(Helper.SOCAT);
            if (!settings.insecureDirect() && settings.tlsFiles().isEmpty()) {
                sourceNeeds.add(Helper.OPENSSL);
                targetNeeds.add(Helper.OPENSSL);
            }
        }
        Optional<String> missing = missing(sourceReport, sourceNeeds, asked, settings.mode() != TransportMode.AUTO)
                .or(() -> missing(targetReport, targetNeeds, asked, settings.mode() != TransportMode.AUTO));
        if (missing.isPresent()) {
            return new Choice(relay, List.of(missing.get()));
        }
        if (mode == TransportMode.TLS) {
            TlsStream.Security security = new TlsStream.Security(settings.insecureDirect(), settings.tlsFiles());
            return new Choice(new TlsTransport(TlsStream.Session.open(ssh, sshTarget,
                    settings.tlsListen().orElseThrow(), security), capOnTarget(targetReport)), settings.insecureDirect()
                    ? List.of("--insecure-direct: the stream crosses the network UNENCRYPTED and unauthenticated")
                    : List.of());
        }
        return new Choice(new SshDirectTransport(ssh, target.name(), link(settings, target),
                capOnTarget(targetReport)), List.of());
    }

    /** A rate cap is held on the target when it has pv (see {@link org.zfssync.host.RateCap}). */
    private static boolean capOnTarget(HostReport targetReport) {
        return targetReport.helper(Helper.PV).map(HelperState::ok).orElse(false);
    }

    /**
     * The first helper of {@code needs} the host lacks: an error when the user named the transport,
     * else (auto) the note that the relay carries the stream instead.
     */
    private static Optional<String> missing(HostReport report, List<Helper> needs, String asked, boolean explicit) {
        for (Helper h : needs) {
            HelperState state = report.helper(h).orElse(new HelperState(h, HelperState.Status.MISSING, "not probed"));
            if (state.status() == HelperState.Status.OK) {
                continue;
            }
            if (!explicit) {
                return Optional.of(asked + ": " + report.host() + " has no working " + h.program() + " ("
                        + state.detail() + "); relaying the stream");
            }
            if (state.status() == HelperState.Status.BROKEN) {
                throw MissingToolException.broken(report.host(), state);
            }
            throw new MissingToolException(report.host(), h.program(), h.packages() + " (" + asked + " needs it "
                    + "there), or use --transport relay");
        }
        return Optional.empty();
    }

    /**
     * Whether the source can open the direct link, asked from the source itself
     * ({@code ssh -o BatchMode=yes TARGET true}): empty if it can, else what ssh said there.
     */
    public static Optional<String> unreachable(Host source, DirectStream.Link link) {
        CommandResult r = source.run(link.probe());
        if (r.ok()) {
            return Optional.empty();
        }
        return Optional.of(source.name() + " cannot reach " + link.address() + " over ssh (exit " + r.exitCode() + "): "
                + r.errorLine() + "; the source needs a key the target accepts and the target's host key in its "
                + "known_hosts (or --ssh-forward-agent), or use --transport relay");
    }

    /** Checks the direct link of a chosen ssh-direct transport; a source that cannot reach the target stops the run. */
    public static void requireReachable(Choice choice, Host source, TransportSettings settings, Host target) {
        Optional<String> problem = Optional.empty();
        if (choice.transport() instanceof SshDirectTransport) {
            problem = unreachable(source, link(settings, target));
        } else if (choice.transport() instanceof TlsTransport tls) {
            problem = TlsStream.check(tls.session());
        }
        problem.ifPresent(why -> {
            choice.transport().close();
            throw new HostUnreachableException(why);
        });
    }

    /** How the source reaches the target: the address given, else the target's name as this machine uses it. */
    public static DirectStream.Link link(TransportSettings settings, Host target) {
        return new DirectStream.Link(settings.directAddress().orElse(target.name()), settings.forwardAgent());
    }
}
