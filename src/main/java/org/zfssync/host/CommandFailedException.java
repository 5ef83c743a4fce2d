package org.zfssync.host;

/** A command exited non-zero; the message names the host, the command and its stderr. */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult result;

    public CommandFailedException(CommandResult result) {
        super("on " + result.host() + ": `" + result.command() + "` failed (exit " + result.exitCode() + "): "
                + result.errorLine());
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }
}
