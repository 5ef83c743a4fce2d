package org.zfssync.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A command the user wrote in the config (a hook, an alert command), run locally by
 * {@code /bin/sh -c} with extra environment variables and a deadline. Unlike zfs-sync's own
 * commands it is a shell string on purpose: the user's pipes and variables are the point. Past
 * its deadline the shell and every process it started are killed, so a hung hook cannot hang a
 * job. stdout and stderr come back together, the first 64 KiB of them.
 */
public final class ShellCommand {
    private static final int OUTPUT_LIMIT = 64 * 1024;
    /** How long output may keep arriving after the process is gone (a grandchild holding the pipe). */
    private static final long DRAIN_MILLIS = 2_000;
    private final String command;
    private final Map<String, String> environment;
    private final Duration timeout;

    public ShellCommand(String command, Map<String, String> environment, Duration timeout) {
        this.command = command;
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    /**
     * @param exit     the exit status; -1 when it timed out
     * @param output   stdout and stderr, interleaved as written
     * @param timedOut killed at the deadline
     */
    public record Result(int exit, String output, boolean timedOut) {
        public boolean ok() {
            return exit == 0 && !timedOut;
        }

        /** The last non-blank line of output, or what happened when there is none. */
        public String errorLine() {
            List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
            String last = lines.isEmpty() ? null : lines.get(lines.size() - 1).strip();
            if (timedOut) {
                return "timed out" + (last == null ? "" : " (" + last + ")");
            }
            return "exit " + exit + (last == null ? "" : ": " + last);
        }
    }

    /** Runs it to completion or its deadline. */
    public Result run() throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start /bin/sh for '" + command + "'", e);
        }
        try {
            process.getOutputStream().close(); // no input: a hook that reads stdin gets end-of-file, not a hang
        } catch (IOException e) {
            // Already gone: its exit status says why.
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(process.getInputStream(), out), "shell command output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process);
                reader.join(DRAIN_MILLIS);
                return new Result(-1, text(out), true);
            }
            reader.join(DRAIN_MILLIS);
            return new Result(process.exitValue(), text(out), false);
        } catch (InterruptedException e) {
            killTree(process);
            throw e;
        }
    }

    private static void killTree(Process process) {
        // Children first, while the shell still links them: once it is gone they are orphans.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (out) {
                    out.write(buffer, 0, Math.max(0, Math.min(n, OUTPUT_LIMIT - out.size())));
                }
            }
        } catch (IOException e) {
            // The process was killed or closed its output: what arrived is what there is.
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return command;
    }
}
