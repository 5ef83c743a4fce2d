package org.zfssync.cli;

import java.io.PrintWriter;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zfssync.host.CommandStats;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.Hosts;
import org.zfssync.host.SshOptions;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.HostReport;
import org.zfssync.replication.HostProbe;
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
                + "(mbuffer, zstd, lz4) pass data end to end. A broken helper exits 3.")
public final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source: pool/fs or [user@]host:pool/fs.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DST", description = "Target: pool/fs or [user@]host:pool/fs.")
    String target;

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    @Override
    public Integer call() {
        Endpoint src = Endpoint.parse(source);
        Optional<Endpoint> dst = Optional.ofNullable(target).map(Endpoint::parse);
        PrintWriter out = spec.commandLine().getOut();
        SshOptions sshOptions = ssh.toSshOptions();
        int exit = ExitCodes.OK;
        boolean brokenHelper;
        try (Hosts hosts = new Hosts(sshOptions, new CommandStats())) {
            Host sourceHost = hosts.get(src.sshDestination());
            Zfs sourceZfs = new Zfs(sourceHost);
            brokenHelper = report(out, HostProbe.probe(sourceZfs, EnumSet.allOf(Helper.class)), sourceHost);
            TreeState s = sourceZfs.list(src.dataset(), true);
            if (s.rootExists()) {
                out.printf("ok     source %s exists: %d dataset(s), %d snapshot(s)%n", src, s.datasets().size(),
                        s.all().stream().mapToInt(d -> d.snapshots().size()).sum());
            } else {
                out.printf("FAIL   source %s does not exist%n", src);
                exit = ExitCodes.USAGE;
            }
            if (dst.isPresent()) {
                Host targetHost = hosts.get(dst.get().sshDestination());
                Zfs targetZfs = targetHost == sourceHost ? sourceZfs : new Zfs(targetHost);
                if (targetHost != sourceHost) {
                    brokenHelper |= report(out, HostProbe.probe(targetZfs, EnumSet.allOf(Helper.class)), targetHost);
                }
                TreeState t = targetZfs.list(dst.get().dataset(), false);
                out.printf("ok     target %s %s%n", dst.get(), t.rootExists() ? "exists (an incremental target)"
                        : "does not exist yet: the first sync creates it");
            }
        }
        if (brokenHelper && exit == ExitCodes.OK) {
            exit = ExitCodes.PREREQUISITE;
        }
        out.flush();
        return exit;
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
