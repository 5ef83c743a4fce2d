package org.zfssync.web;

import java.util.Optional;

/**
 * Which requests need the bearer token.
 *
 * <ul>
 *   <li>On a loopback address without a token file, everything is open: only this machine's users reach it,
 *       and a trigger does no more than the schedule would.</li>
 *   <li>On a loopback address with a token file, reading (GET) stays open and triggering (POST) needs the token.</li>
 *   <li>On any other address a token file is required (the server refuses to start without one), and every
 *       request but {@code /healthz} needs the token: job names, targets and errors are not for the network.</li>
 * </ul>
 */
final class AccessPolicy {
    private final Optional<BearerToken> token;
    private final boolean loopback;

    AccessPolicy(Optional<BearerToken> token, boolean loopback, ListenAddress listen) {
        if (!loopback && token.isEmpty()) {
            throw new IllegalArgumentException("http.listen " + listen + " is reachable from other machines: "
                    + "set http.token-file too (or listen on 127.0.0.1)");
        }
        this.token = token;
        this.loopback = loopback;
    }

    /** Whether the request may proceed with the {@code Authorization} header it brought (null when none). */
    boolean admits(String method, String path, String authorization) {
        if (token.isEmpty() || path.equals("/healthz")) {
            return true;
        }
        boolean reading = method.equals("GET") || method.equals("HEAD");
        if (loopback && reading) {
            return true;
        }
        return token.get().admits(authorization);
    }
}
