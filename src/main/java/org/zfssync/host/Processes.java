package org.zfssync.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

    /**
     * Runs argv with stdin closed and parses stdout while it streams. A parser failure stops the
     * process; a non-zero exit gives no value, whatever was parsed.
     */
    static <T> Parsed<T> read(Command command, String host, List<String> argv, OutputParser<T> parser) {
        Process process;
        try {
            process = start(argv);
        } catch (IOException e) {
            throw new HostUnreachableException("on " + host + ": cannot run `" + argv.get(0) + "`: " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Already exited.
        }
        OutputCollector err = OutputCollector.start(process.getErrorStream(), STDERR_LIMIT, "stderr " + argv.get(0));
        T value;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8), 1 << 16)) {
            value = parser.parse(out);
            out.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
            value = null;
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HostUnreachableException("on " + host + ": interrupted while running " + command, e);
        }
        CommandResult result = new CommandResult(command, host, exit, "", err.await());
        return new Parsed<>(result, exit == 0 ? value : null);
    }
}
