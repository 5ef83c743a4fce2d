package org.zfssync.host;

/** A program could not be started at all (not installed locally, or ssh itself failed). */
public final class HostUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HostUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    public HostUnreachableException(String message) {
        super(message);
    }
}
