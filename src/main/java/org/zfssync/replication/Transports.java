package org.zfssync.replication;

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

/**
 * Picks the transport of a run from what the user asked for and the two hosts. ssh-direct only
 * differs from the relay when both ends are remote and distinct: with this machine at one end,
 * the relay's bytes already cross the network once, so it carries the stream (and says so).
 * {@code auto} is the relay today: ssh-direct needs the source to hold a key for the target,
 * which only the user can know (see README "Transports").
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

    /** @param sourceReport the source's probe (ssh-direct needs {@code pv} there) */
    public static Choice choose(TransportSettings settings, Host source, Host target, HostReport sourceReport) {
        RelayTransport relay = new RelayTransport(source, target);
        if (settings.mode() != TransportMode.SSH_DIRECT) {
            return new Choice(relay, List.of());
        }
        if (!(source instanceof SshHost ssh) || target.isLocal() || source == target) {
            return new Choice(relay, List.of("--transport ssh-direct: " + (source == target
                    ? "source and target are the same host"
                    : "this machine is one end of the stream") + ", so its bytes cross the network once anyway; "
                    + "relaying it"));
        }
        HelperState pv = sourceReport.helper(Helper.PV).orElse(new HelperState(Helper.PV, HelperState.Status.MISSING,
                "not probed"));
        if (pv.status() == HelperState.Status.BROKEN) {
            throw MissingToolException.broken(sourceReport.host(), pv);
        }
        if (pv.status() != HelperState.Status.OK) {
            throw new MissingToolException(sourceReport.host(), Helper.PV.program(), Helper.PV.packages()
                    + " (--transport ssh-direct counts the bytes on the source with it), or use --transport relay");
        }
        return new Choice(new SshDirectTransport(ssh, target.name(), link(settings, target)), List.of());
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
        if (choice.transport() instanceof SshDirectTransport) {
            unreachable(source, link(settings, target)).ifPresent(why -> {
                throw new HostUnreachableException(why);
            });
        }
    }

    /** How the source reaches the target: the address given, else the target's name as this machine uses it. */
    public static DirectStream.Link link(TransportSettings settings, Host target) {
        return new DirectStream.Link(settings.directAddress().orElse(target.name()), settings.forwardAgent());
    }
}
