package org.zfssync.replication;

import java.util.Optional;
import org.zfssync.host.SshHost;
import org.zfssync.zfs.DatasetName;

/**
 * One side of a replication, written as in scp and syncoid: {@code pool/fs} is local,
 * {@code [user@]host:pool/fs} is remote ({@code [user@][v6addr]:pool/fs} for IPv6).
 * A string is remote when the part before its first ':' has no '/', which is never the case for
 * a dataset path; a local pool whose name contains ':' cannot be written this way.
 *
 * @param sshDestination the ssh destination ({@code user@host}, an alias, …) or empty for local
 */
public record Endpoint(Optional<String> sshDestination, DatasetName dataset) {
    public Endpoint {
        sshDestination.flatMap(SshHost::destinationProblem).ifPresent(problem -> {
            throw new IllegalArgumentException("invalid ssh destination '" + SshHost.printable(sshDestination.get())
                    + "': " + problem + "; expected [user@]host " + SshHost.DESTINATION_RULES);
        });
    }

    public static Endpoint parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty endpoint: expected pool/fs or [user@]host:pool/fs");
        }
        int colon = remoteSeparator(text);
        if (colon < 0) {
            return new Endpoint(Optional.empty(), DatasetName.of(text));
        }
        String destination = text.substring(0, colon);
        String dataset = text.substring(colon + 1);
        // Checked before anything else: the host reaches ssh's argv and a log line, so it may hold
        // nothing a shell or ssh could read as syntax or an option.
        Optional<String> problem = SshHost.destinationProblem(destination);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("invalid host in endpoint '" + SshHost.printable(text) + "': "
                    + problem.get() + "; expected [user@]host:pool/fs " + SshHost.DESTINATION_RULES);
        }
        // ssh takes an IPv6 address bare; the brackets only separate it from the dataset here.
        destination = destination.replace("[", "").replace("]", "");
        if (dataset.isEmpty()) {
            throw new IllegalArgumentException("no dataset in '" + SshHost.printable(text) + "': expected [user@]host:pool/fs");
        }
        return new Endpoint(Optional.of(destination), DatasetName.of(dataset));
    }

    private static int remoteSeparator(String text) {
        if (text.contains("[")) {
            int close = text.indexOf("]:");
            return close < 0 ? -1 : close + 1;
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return -1;
        }
        return text.substring(0, colon).contains("/") ? -1 : colon;
    }

    public boolean isLocal() {
        return sshDestination.isEmpty();
    }

    /** The host's name as zfs-sync reports it. */
    public String hostName() {
        return sshDestination.orElse("local");
    }

    /** As written: an IPv6 host back in brackets, so the text parses to this endpoint again. */
    @Override
    public String toString() {
        return sshDestination.map(d -> bracketed(d) + ":" + dataset).orElse(dataset.value());
    }

    private static String bracketed(String destination) {
        int at = destination.indexOf('@');
        String host = destination.substring(at + 1);
        return host.contains(":") ? destination.substring(0, at + 1) + "[" + host + "]" : destination;
    }
}
