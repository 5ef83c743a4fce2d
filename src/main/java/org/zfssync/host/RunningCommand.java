package org.zfssync.host;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * A started data-stream command (zfs send, zfs receive, possibly behind ssh): its stdin/stdout
 * are the stream, its stderr is collected for the error report.
 */
public final class RunningCommand {
    private static final int STDERR_LIMIT = 64 * 1024;
    private final Command command;
    private final String host;
    private final Process process;
    private final OutputCollector stderr;

    RunningCommand(Command command, String host, Process process) {
        this.command = command;
        this.host = host;
        this.process = process;
        this.stderr = OutputCollector.start(process.getErrorStream(), STDERR_LIMIT, "stderr " + command.program());
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process (and so the data connection, for a remote command). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for exit and returns the result; stdout is empty because the stream consumed it. */
    public CommandResult await() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        return new CommandResult(command, host, process.exitValue(), "", stderr.await());
    }

    /** Waits at most the given time; false if still running. */
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit);
    }
}
