package org.zfssync.host;

import java.util.regex.Pattern;

/**
 * Certificates from the user's own CA for a TLS stream ({@code --tls-ca}, {@code --tls-cert},
 * {@code --tls-key}): paths that each host holds, its own certificate and key under the same
 * paths on both ends, each signed by the CA. Without them every run makes its own pair.
 */
public record TlsFiles(String ca, String cert, String key) {
    /** Absolute paths of plain characters: socat reads ',' and ':' in an option's value as syntax. */
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._/+-]{1,4095}");

    public TlsFiles {
        check("--tls-ca", ca);
        check("--tls-cert", cert);
        check("--tls-key", key);
    }

    /** The user's CA files as given (null for an option not given): all three, or none. */
    public static java.util.Optional<TlsFiles> of(String ca, String cert, String key) {
        if (ca == null && cert == null && key == null) {
            return java.util.Optional.empty();
        }
        if (ca == null || cert == null || key == null) {
            throw new IllegalArgumentException("--tls-ca, --tls-cert and --tls-key go together (tls-ca, tls-cert and "
                    + "tls-key in a job): give all three, or none to use certificates made for each run");
        }
        return java.util.Optional.of(new TlsFiles(ca, cert, key));
    }

    private static void check(String option, String path) {
        if (path == null || !PATH.matcher(path).matches() || path.contains("/../") || path.endsWith("/..")) {
            throw new IllegalArgumentException("invalid " + option + " '" + (path == null ? "" : SshHost.printable(path))
                    + "': give an absolute path of letters, digits and '._/+-' (the same path on both hosts), "
                    + "or leave out --tls-ca, --tls-cert and --tls-key to use certificates made for each run");
        }
    }
}
