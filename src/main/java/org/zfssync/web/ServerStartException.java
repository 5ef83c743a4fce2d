package org.zfssync.web;

/** The HTTP server could not start; the message is one line saying why (port in use, address not here). */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
