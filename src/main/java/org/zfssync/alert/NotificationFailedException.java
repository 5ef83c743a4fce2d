package org.zfssync.alert;

/** An alert that could not be delivered, with why. */
public final class NotificationFailedException extends RuntimeException {
    public NotificationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
