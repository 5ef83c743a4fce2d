package org.zfssync.host;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the source listens for the target's connection of a direct TCP stream ({@code --tls-listen}):
 * an address of the source that the target reaches, and the ports it may use. The listener binds
 * that address only, and the target connects to it. No port (the default) lets the source's
 * kernel pick a free one for each stream; a port or a range suits a firewall that opens only those.
 *
 * @param address  an IPv4 address or a host name, as the target reaches the source
 * @param lowPort  first port the listener may use, 0 for any free port
 * @param highPort last port the listener may use (equal to {@code lowPort} for one port)
 */
public record TlsListen(String address, int lowPort, int highPort) {
    /** Host names and IPv4 literals: nothing a socat address or a shell could read as syntax. */
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern SPEC = Pattern.compile("([^:]*)(?::(\\d{1,5})(?:-(\\d{1,5}))?)?");
    private static final String FORM = "expected ADDRESS, ADDRESS:PORT or ADDRESS:LOW-HIGH, where ADDRESS is an IPv4 "
            + "address or a host name of the source that the target reaches";

    public TlsListen {
        Optional<String> problem = problem(address, lowPort, highPort);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
    }

    /** The listen address a user wrote, or an error naming what is wrong and the form expected. */
    public static TlsListen parse(String text) {
        String t = text.strip();
        if (t.contains("[") || t.chars().filter(c -> c == ':').count() > 1) {
            throw new IllegalArgumentException("invalid --tls-listen '" + SshHost.printable(text) + "': IPv6 addresses "
                    + "are not supported yet; " + FORM);
        }
        Matcher m = SPEC.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid --tls-listen '" + SshHost.printable(text) + "': " + FORM);
        }
        int low = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int high = m.group(3) == null ? low : Integer.parseInt(m.group(3));
        if (m.group(2) != null && low == 0) {
            throw new IllegalArgumentException("invalid --tls-listen '" + SshHost.printable(text) + "': port 0; leave "
                    + "the port out to let the source pick a free one");
        }
        Optional<String> problem = problem(m.group(1), low, high);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("invalid --tls-listen '" + SshHost.printable(text) + "': "
                    + problem.get());
        }
        return new TlsListen(m.group(1), low, high);
    }

    private static Optional<String> problem(String address, int low, int high) {
        if (address == null || !ADDRESS.matcher(address).matches()) {
            return Optional.of("the address must be an IPv4 address or a host name (letters, digits, '.', '-'); "
                    + FORM);
        }
        if (low < 0 || high > 65_535 || high < low || (low == 0 && high != 0)) {
            return Optional.of("ports must lie in 1-65535 with LOW <= HIGH; " + FORM);
        }
        return Optional.empty();
    }

    /** The port to ask for: 0 (the kernel picks), or one of the range at random. */
    public int pickPort() {
        return lowPort == highPort ? lowPort : ThreadLocalRandom.current().nextInt(lowPort, highPort + 1);
    }

    @Override
    public String toString() {
        return lowPort == 0 ? address : lowPort == highPort ? address + ":" + lowPort
                : address + ":" + lowPort + "-" + highPort;
    }
}
