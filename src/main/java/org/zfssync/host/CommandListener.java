package org.zfssync.host;

/** Told about every command before it runs: for logging and for counting commands per host. */
@FunctionalInterface
public interface CommandListener {
    /**
     * @param host    the host's name as the user wrote it ("local" for this machine)
     * @param display the command exactly as it runs, copy-pasteable into a shell
     * @param session whether it costs a process locally or a session on a remote host (false for
     *                a command batched into a session that is reported on its own)
     */
    void beforeRun(String host, String display, boolean session);
}
