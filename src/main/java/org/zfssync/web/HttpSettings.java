package org.zfssync.web;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The config's {@code http:} section. HTTP is off unless the section is present.
 *
 * <pre>
 * http:
 *   listen: 127.0.0.1:9860       # the default
 *   token-file: /etc/zfs-sync/api-token   # optional on loopback, required elsewhere
 * </pre>
 *
 * @param listen    where to listen
 * @param tokenFile the bearer token's file; empty for none
 */
public record HttpSettings(ListenAddress listen, Optional<Path> tokenFile) {
    public HttpSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }

    /** From the config's strings: {@code listen} may be null (the default), {@code tokenFile} null for none. */
    public static HttpSettings of(String listen, String tokenFile) {
        return new HttpSettings(listen == null ? ListenAddress.DEFAULT : ListenAddress.parse(listen),
                Optional.ofNullable(tokenFile).map(Path::of));
    }
}
