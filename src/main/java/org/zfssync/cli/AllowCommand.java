package org.zfssync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.zfssync.host.CommandResult;
import org.zfssync.host.CommandStats;
import org.zfssync.host.HostPool;
import org.zfssync.host.ShellQuote;
import org.zfssync.permissions.AllowScript;
import org.zfssync.permissions.PermissionModel;
import org.zfssync.permissions.Required;
import org.zfssync.permissions.SideGrant;
import org.zfssync.replication.Endpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zfs-sync allow SRC DST}: the {@code zfs allow} delegations each side needs for the
 * options given (the list lives in {@link PermissionModel}), printed, or applied over ssh with
 * {@code --apply}, plus the {@code authorized_keys} line for each remote side.
 */
@Command(name = "allow", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Prints the zfs allow commands that let a non-root user run zfs-sync SRC DST with the same "
                + "options on each side, what each permission is for, and the authorized_keys line (restrict, from=) "
                + "for each remote side. With --apply, runs each zfs allow on its host (log in as root there, "
                + "e.g. root@nas:pool/backup, and name the replication user with --user).",
            "Root needs no delegation: a side that runs as root only lists what another user would need."})
public final class AllowCommand implements Callable<Integer> {
    /** An ssh {@code from=} pattern list: addresses, host names, CIDR, wildcards, '!' negation. */
    private static final Pattern FROM = Pattern.compile("[0-9A-Za-z.:/*?!,_-]+");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "Source: pool/fs or [user@]host:pool/fs.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Target: pool/fs or [user@]host:pool/fs.")
    String target;

    @Option(names = "--user", paramLabel = "NAME", description = "The user zfs-sync will log in as on the remote "
            + "side(s). Default: the endpoint's user@, else your user name (as ssh does). A side on this machine is "
            + "the user running this command.")
    String user;

    @Option(names = "--apply", description = "Run each zfs allow on its host (through ssh as the endpoint is "
            + "written), instead of only printing it.")
    boolean apply;

    @Option(names = "--from", paramLabel = "PATTERN", description = "The from= of the authorized_keys line: the "
            + "address(es) the remote side sees this machine connect from (default: this machine's addresses).")
    String from;

    @CommandLine.Mixin
    DelegationOptionsMixin delegation = new DelegationOptionsMixin();

    @CommandLine.Mixin
    SshOptionsMixin ssh = new SshOptionsMixin();

    private final HostPool.Factory hosts;

    public AllowCommand() {
        this(HostPool.Factory.ssh());
    }

    /** Tests apply on in-memory hosts. */
    AllowCommand(HostPool.Factory hosts) {
        this.hosts = hosts;
    }

    @Override
    public Integer call() {
        Endpoint src = Endpoint.parse(source);
        Endpoint dst = Endpoint.parse(target);
        if (user != null) {
            SideGrant.checkUser(user);
        }
        if (from != null && !FROM.matcher(from).matches()) {
            throw new IllegalArgumentException("invalid --from '" + from + "': expected addresses, host names or "
                    + "CIDR blocks separated by commas (e.g. 192.0.2.10,2001:db8::/64)");
        }
        Required required = PermissionModel.required(delegation.toOptions());
        String localUser = System.getProperty("user.name");
        List<SideGrant> sides = List.of(
                SideGrant.source(where(src), src.dataset(), userOf(src, localUser), required.source()),
                SideGrant.target(where(dst), dst.dataset(), userOf(dst, localUser), required.target()));
        PrintWriter out = spec.commandLine().getOut();
        AllowScript.lines(sides, from != null ? from : localAddresses(), publicKey()).forEach(out::println);
        out.flush();
        return apply ? apply(List.of(src, dst), sides, out) : ExitCodes.OK;
    }

    private int apply(List<Endpoint> endpoints, List<SideGrant> sides, PrintWriter out) {
        int exit = ExitCodes.OK;
        try (HostPool pool = hosts.open(ssh.toSshOptions(), new CommandStats())) {
            for (int i = 0; i < sides.size(); i++) {
                SideGrant side = sides.get(i);
                if (side.root()) {
                    continue;
                }
                CommandResult r = pool.get(endpoints.get(i).sshDestination()).run(side.command());
                String shown = ShellQuote.join(side.command().argv());
                if (r.ok()) {
                    out.printf("applied on %s: %s%n", side.where(), shown);
                } else {
                    out.printf("FAIL   %s: %s: %s (log in as root there, or run it as root)%n", side.where(), shown,
                            r.errorLine());
                    exit = ExitCodes.FAILED;
                }
            }
        }
        out.flush();
        return exit;
    }

    private static String where(Endpoint e) {
        return e.sshDestination().map(d -> d.substring(d.indexOf('@') + 1)).orElse(AllowScript.THIS_MACHINE);
    }

    private String userOf(Endpoint e, String localUser) {
        if (e.isLocal()) {
            return localUser;
        }
        if (user != null) {
            return user;
        }
        String d = e.sshDestination().orElseThrow();
        return d.contains("@") ? d.substring(0, d.indexOf('@')) : localUser;
    }

    /** The public half of {@code -i FILE}, when it is there to read. */
    private Optional<String> publicKey() {
        if (ssh.sshIdentity == null) {
            return Optional.empty();
        }
        Path pub = Path.of(ssh.sshIdentity + ".pub");
        if (!Files.isReadable(pub)) {
            return Optional.empty();
        }
        try {
            return Files.readAllLines(pub, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty()).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pub + ": " + e.getMessage(), e);
        }
    }

    /** This machine's global addresses, IPv4 first: what a peer most likely sees it connect from. */
    private static String localAddresses() {
        try {
            List<String> found = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
                    .sorted(Comparator.comparing((InetAddress a) -> !(a instanceof Inet4Address)))
                    .map(a -> a.getHostAddress().replaceFirst("%.*$", "")).distinct().toList();
            return found.isEmpty() ? "ADDRESS" : String.join(",", found);
        } catch (SocketException e) {
            return "ADDRESS";
        }
    }
}
