package org.zfssync.zfs;

/** A dataset, snapshot or bookmark name that ZFS would reject; the message says why. */
public final class InvalidNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidNameException(String message) {
        super(message);
    }
}
