package org.zfssync.host;

/** A program zfs-sync needs is not installed on a host; the message names the package to install. */
public final class MissingToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MissingToolException(String host, String tool, String packages) {
        super("on " + host + ": `" + tool + "` is not installed; install " + packages);
    }
}
