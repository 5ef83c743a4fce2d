package org.zfssync.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the HTTP server listens: the config's {@code http.listen}, {@code HOST:PORT} or {@code [IPv6]:PORT}.
 *
 * @param host an address or a name resolving to one (no wildcard is implied: the server binds to this only)
 * @param port 1 to 65535, or 0 for a free port (tests)
 */
public record ListenAddress(String host, int port) {
    /** The documented default, {@code 127.0.0.1:9860}: this machine only. */
    public static final ListenAddress DEFAULT = new ListenAddress("127.0.0.1", 9860);

    private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.%\\w]+)]|([^:\\[\\]\\s]+)):(\\d{1,5})");

    public ListenAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("http.listen needs a host: HOST:PORT, e.g. 127.0.0.1:9860");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("http.listen port " + port + " is out of range (1 to 65535)");
        }
    }

    /** Parses {@code HOST:PORT} or {@code [IPv6]:PORT}; a bad value is one line saying what is expected. */
    public static ListenAddress parse(String value) {
        Matcher m = FORM.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("http.listen '" + value
                    + "' is not HOST:PORT (e.g. 127.0.0.1:9860, [::1]:9860, 0.0.0.0:9860)");
        }
        return new ListenAddress(m.group(1) != null ? m.group(1) : m.group(2), Integer.parseInt(m.group(3)));
    }

    /** Resolves the host; a name that does not resolve is one clear line. */
    InetSocketAddress resolve() {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("http.listen " + this + ": no such host " + host);
        }
    }

    /** Whether only this machine can reach the address (127.0.0.0/8, ::1, a name for them). */
    boolean isLoopback() {
        return resolve().getAddress().isLoopbackAddress();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
