package org.zfssync.host;

import java.io.IOException;
import java.util.List;

/** Starting local processes from argv (never through a shell) and collecting their output. */
final class Processes {
    private static final int OUTPUT_LIMIT = 256 * 1024 * 1024;
    private static final int STDERR_LIMIT = 64 * 1024;

    private Processes() {
    }

    static Process start(List<String> argv) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        return builder.start();
    }

    /** Runs argv to completion with stdin closed; stdout and stderr are drained concurrently. */
    static CommandResult run(Command command, String host, List<String> argv) {
        Process process;
        try {
            process = start(argv);
        } catch (IOException e) {
            throw new HostUnreachableException("on " + host + ": cannot run `" + argv.get(0) + "`: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The process may have exited already; its stdin is closed either way.
        }
        OutputCollector out = OutputCollector.start(process.getInputStream(), OUTPUT_LIMIT, "stdout " + argv.get(0));
        OutputCollector err = OutputCollector.start(process.getErrorStream(), STDERR_LIMIT, "stderr " + argv.get(0));
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HostUnreachableException("on " + host + ": interrupted while running " + command, e);
        }
        return new CommandResult(command, host, exit, out.await(), err.await());
    }
}
