package org.zfssync.replication;

import java.util.Optional;
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
        String host = destination.substring(destination.indexOf('@') + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            destination = destination.replace("[", "").replace("]", "");
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || destination.endsWith("@") || destination.startsWith("-") || destination.startsWith("@")
                || destination.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'' || c == '"' || c == '\\')) {
            throw new IllegalArgumentException("invalid host in '" + text + "': expected [user@]host:pool/fs");
        }
        if (dataset.isEmpty()) {
            throw new IllegalArgumentException("no dataset in '" + text + "': expected [user@]host:pool/fs");
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

    @Override
    public String toString() {
        return sshDestination.map(d -> d + ":" + dataset).orElse(dataset.value());
    }
}
