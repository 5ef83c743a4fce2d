package org.zfssync.cli;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zfssync.host.CommandStats;
import org.zfssync.host.DirectStream;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.HostUnreachableException;
import org.zfssync.host.SshHost;
import org.zfssync.host.TlsListen;
import org.zfssync.host.TlsStream;
import org.zfssync.host.HostPool;
import org.zfssync.host.SshOptions;
import org.zfssync.permissions.PermissionAudit;
import org.zfssync.permissions.PermissionModel;
import org.zfssync.permissions.Permissions;
import org.zfssync.permissions.Required;
import org.zfssync.permissions.SideGrant;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.HostReport;
import org.zfssync.replication.HostProbe;
import org.zfssync.replication.TransportMode;
import org.zfssync.replication.TransportSettings;
import org.zfssync.replication.Transports;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zfs-sync check SRC [DST]}: the checks every sync makes before it changes anything, on
 * their own: each host answers over ssh, runs OpenZFS, and the source exists. Changes nothing.
 */
@Command(name = "check", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Checks, without changing anything, that each host is reachable, runs OpenZFS, and that the "
                + "source dataset exists (and where the target would be created), and that the optional helpers "
                + "(mbuffer, zstd, lz4, pv) pass data end to end; with --transport ssh-direct, that the source reaches the target "
                + "over ssh by itself. A broken helper exits 3. A side that runs as another "
                + "user than root has its zfs allow delegations read and every permission the options given need and "
                + "it lacks is named (exit 3); zfs-sync allow prints the commands that grant them.")
public final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source: pool/fs or [user@]host:pool/fs.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Target: pool/fs or [user@]host:pool/fs.")
    String target;

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    @CommandLine.Mixin
    DelegationOptionsMixin delegation = new DelegationOptionsMixin();

    @CommandLine.Mixin
    TransportOptionsMixin transports = new TransportOptionsMixin();

    private final HostPool.Factory hosts;

    public CheckCommand() {
        this(HostPool.Factory.ssh());
    }

    /** Tests check against in-memory hosts. */
    CheckCommand(HostPool.Factory hosts) {
        this.hosts = hosts;
    }

    @Override
    public Integer call() {
        Endpoint src = Endpoint.parse(source);
        Optional<Endpoint> dst = Optional.ofNullable(target).map(Endpoint::parse);
        PrintWriter out = spec.commandLine().getOut();
        SshOptions sshOptions = ssh.toSshOptions();
        TransportSettings transport = transports.toSettings();
        Required required = PermissionModel.required(delegation.toOptions());
        int exit = ExitCodes.OK;
        boolean brokenHelper;
        boolean lacking = false;
        try (HostPool pool = hosts.open(sshOptions, new CommandStats())) {
            Host sourceHost = pool.get(src.sshDestination());
            Zfs sourceZfs = new Zfs(sourceHost);
            brokenHelper = report(out, HostProbe.probe(sourceZfs, EnumSet.allOf(Helper.class)), sourceHost);
            TreeState s = sourceZfs.list(src.dataset(), true);
            if (s.rootExists()) {
                out.printf("ok     source %s exists: %d dataset(s), %d snapshot(s)%n", src, s.datasets().size(),
                        s.all().stream().mapToInt(d -> d.snapshots().size()).sum());
                lacking = !delegated(out, sourceHost, src.dataset(), required.source());
            } else {
                out.printf("FAIL   source %s does not exist%n", src);
                exit = ExitCodes.USAGE;
            }
            if (dst.isPresent()) {
                Host targetHost = pool.get(dst.get().sshDestination());
                Zfs targetZfs = targetHost == sourceHost ? sourceZfs : new Zfs(targetHost);
                if (targetHost != sourceHost) {
                    brokenHelper |= report(out, HostProbe.probe(targetZfs, EnumSet.allOf(Helper.class)), targetHost);
                }
                TreeState t = targetZfs.list(dst.get().dataset(), false);
                out.printf("ok     target %s %s%n", dst.get(), t.rootExists() ? "exists (an incremental target)"
                        : "does not exist yet: the first sync creates it");
                // A new target is received into its parent: the delegation has to be there.
                DatasetName where = t.rootExists() ? dst.get().dataset()
                        : SideGrant.target("", dst.get().dataset(), "root", required.target()).grantOn();
                lacking |= !delegated(out, targetHost, where, required.target());
                lacking |= !direct(out, transport, sourceHost, targetHost);
            }
        }
        if ((brokenHelper || lacking) && exit == ExitCodes.OK) {
            exit = ExitCodes.PREREQUISITE;
        }
        out.flush();
        return exit;
    }

    /**
     * Reads the delegations of the user zfs-sync runs as on {@code dataset} and prints one line per
     * permission it lacks, naming what needs it; true if nothing is missing (or the user is root).
     */
    private static boolean delegated(PrintWriter out, Host host, DatasetName dataset, Permissions needed) {
        PermissionAudit.Finding f = PermissionAudit.audit(host, dataset, needed);
        if (f.root()) {
            out.printf("ok     %s: runs as root: every zfs permission on %s%n", host.name(), dataset);
        } else if (!f.error().isEmpty()) {
            out.printf("FAIL   %s: cannot read the zfs allow delegations of user %s on %s: %s%n", host.name(), f.user(),
                    dataset, f.error());
        } else if (f.missing().isEmpty()) {
            out.printf("ok     %s: user %s may do everything zfs-sync needs on %s (%s)%n", host.name(), f.user(),
                    dataset, needed.names());
        } else {
            f.missing().needs().forEach(n -> out.printf("FAIL   %s: user %s lacks the zfs permission '%s' on %s, "
                    + "needed for %s%n", host.name(), f.user(), n.permission(), dataset, n.reason()));
            out.printf("       fix, as root on %s: zfs allow -u %s %s %s (or: zfs-sync allow ... --apply)%n", host.name(),
                    f.user(), f.missing().names(), dataset);
        }
        return f.complete();
    }

    /**
     * With a direct transport, whether the hosts can carry a stream between themselves: with
     * ssh-direct an ssh from the source to the target that needs no password, with tls a handshake
     * from the target to the source's listener; true if so (or not asked for).
     */
    private static boolean direct(PrintWriter out, TransportSettings transport, Host sourceHost, Host targetHost) {
        TransportMode mode = transport.effectiveMode();
        if (mode == TransportMode.RELAY) {
            return true;
        }
        if (!(sourceHost instanceof SshHost source) || !(targetHost instanceof SshHost target)
                || sourceHost == targetHost) {
            out.printf("ok     --transport %s: this machine is one end of the stream (or both ends are one "
                    + "host): the relay carries it%n", mode.text());
            return true;
        }
        if (mode == TransportMode.TLS) {
            return tls(out, transport, source, target);
        }
        DirectStream.Link link = Transports.link(transport, targetHost);
        Optional<String> problem = Transports.unreachable(sourceHost, link);
        if (problem.isPresent()) {
            out.printf("FAIL   %s%n", problem.get());
            return false;
        }
        out.printf("ok     %s reaches %s over ssh by itself (--transport ssh-direct)%n", sourceHost.name(),
                link.address());
        return true;
    }

    /** The TLS (or plain TCP) link checked end to end, as a run checks it before any data moves. */
    private static boolean tls(PrintWriter out, TransportSettings transport, SshHost source, SshHost target) {
        TlsListen listen = transport.tlsListen().orElseThrow();
        Optional<String> problem;
        try (TlsStream.Session session = TlsStream.Session.open(source, target, listen,
                new TlsStream.Security(transport.insecureDirect(), transport.tlsFiles()))) {
            problem = TlsStream.check(session);
        } catch (HostUnreachableException e) {
            problem = Optional.of(e.getMessage());
        }
        if (problem.isPresent()) {
            out.printf("FAIL   %s%n", problem.get());
            return false;
        }
        out.printf("ok     %s connects to %s's listener at %s (%s)%n", target.name(), source.name(), listen,
                transport.insecureDirect() ? "plain TCP, --insecure-direct" : "TLS, both ends authenticated");
        return true;
    }

    /** Prints what the probe found on one host; true if a helper is installed but broken. */
    private static boolean report(PrintWriter out, HostReport report, Host host) {
        out.printf("ok     %s: %s, OpenZFS %s%n", host.name(), host.isLocal() ? "this machine" : "reachable over ssh",
                report.version());
        boolean broken = false;
        for (Helper h : Helper.values()) {
            HelperState state = report.helper(h).orElseThrow();
            switch (state.status()) {
                case OK -> out.printf("ok     %s: %s works%n", host.name(), h.program());
                case MISSING -> out.printf("warn   %s: %s is not installed (optional; install %s)%n", host.name(),
                        h.program(), h.packages());
                default -> {
                    broken = true;
                    out.printf("FAIL   %s: %s is installed but broken: %s (repair it, or run with %s)%n", host.name(),
                            h.program(), state.detail(), h.bypass());
                }
            }
        }
        return broken;
    }
}
