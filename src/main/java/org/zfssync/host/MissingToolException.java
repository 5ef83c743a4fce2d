package org.zfssync.host;

/**
 * A program zfs-sync needs is not installed on a host, or is installed but broken; the message
 * names the host, the tool, what it said, and the package to install or the option to go without.
 */
public final class MissingToolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MissingToolException(String host, String tool, String packages) {
        super("on " + host + ": `" + tool + "` is not installed; install " + packages);
    }

    private MissingToolException(String message) {
        super(message);
    }

    /** An installed helper that failed its probe. */
    public static MissingToolException broken(String host, HelperState state) {
        Helper h = state.helper();
        return new MissingToolException("on " + host + ": `" + h.program() + "` is installed but broken ("
                + state.detail() + "); repair or reinstall " + h.packages() + ", or run with " + h.bypass());
    }
}
