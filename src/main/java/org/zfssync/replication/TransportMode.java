package org.zfssync.replication;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The transport a user asks for ({@code --transport}, {@code transport:}). */
public enum TransportMode {
    /** Each half on its own ssh connection from this machine, the bytes pumped (and counted) here. */
    RELAY("relay"),
    /** The source runs the sending half and its own ssh to the target; only control traffic passes here. */
    SSH_DIRECT("ssh-direct"),
    /** A direct TCP connection from the target to a listener on the source, TLS with mutual authentication. */
    TLS("tls"),
    /**
     * What the user set up: tls where a listen address is given, else ssh-direct where a direct
     * target address is given, else the relay (the one transport that needs no setup).
     */
    AUTO("auto");

    private final String text;

    TransportMode(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** The mode a user wrote, or an error naming the choices. */
    public static TransportMode parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (TransportMode m : values()) {
            if (m.text.equals(v)) {
                return m;
            }
        }
        String choices = Arrays.stream(values()).map(TransportMode::text).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("transport must be one of " + choices + ", not '" + value + "'");
    }

    @Override
    public String toString() {
        return text;
    }
}
