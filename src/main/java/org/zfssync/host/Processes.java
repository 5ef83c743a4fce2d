package org.zfssync.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starting local processes from argv (never through a shell) and collecting their output. Every
 * command run to completion here has a deadline: a control command that hangs (a stuck zfs, a
 * half-dead connection that keepalives have not caught yet) must end the run with an error, not
 * stall it forever. Data streams ({@link #start}) have none: they can rightly take days, and a
 * stall watchdog elsewhere watches their progress instead.
 */
final class Processes {
    /** How long a control command may take unless told otherwise. */
    static final Duration DEFAULT_TIMEOUT = SshOptions.DEFAULT_COMMAND_TIMEOUT;
    /** The exit status of a command killed at its deadline (as coreutils' timeout reports it). */
    static final int TIMED_OUT = 124;
    private static final int OUTPUT_LIMIT = 256 * 1024 * 1024;
    private static final int STDERR_LIMIT = 64 * 1024;
    /** One daemon thread fires every deadline; it only kills processes, so it never blocks. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "zfs-sync command deadlines");
        t.setDaemon(true);
        return t;
    });

    private Processes() {
    }

    static Process start(List<String> argv) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        return builder.start();
    }

    /** Runs argv to completion with stdin closed, within {@link #DEFAULT_TIMEOUT}. */
    static CommandResult run(Command command, String host, List<String> argv) {
        return run(command, host, argv, null, DEFAULT_TIMEOUT);
    }

    /** Runs argv to completion with stdin closed, within {@code timeout}. */
    static CommandResult run(Command command, String host, List<String> argv, Duration timeout) {
        return run(command, host, argv, null, timeout);
    }

    /**
     * Runs argv to completion, writing {@code stdin} (or nothing) to it, and drains stdout and
     * stderr concurrently. Past {@code timeout} the process and its descendants are killed and
     * the result is a failure saying so.
     */
    static CommandResult run(Command command, String host, List<String> argv, byte[] stdin, Duration timeout) {
        Process process = launch(host, argv);
        Deadline deadline = Deadline.arm(process, timeout);
        try {
            OutputCollector out = OutputCollector.start(process.getInputStream(), OUTPUT_LIMIT, "stdout " + argv.get(0));
            OutputCollector err = OutputCollector.start(process.getErrorStream(), STDERR_LIMIT, "stderr " + argv.get(0));
            feed(process, stdin, argv.get(0));
            int exit = waitFor(process, command, host);
            // Killed at its deadline, a command's output may stay open (see OutputCollector.await):
            // a moment for what is in flight, then the deadline's failure with what arrived.
            Duration drain = deadline.fired() ? AFTER_KILL : Duration.ZERO;
            return deadline.result(command, host, exit, out.await(drain), err.await(drain));
        } finally {
            deadline.disarm();
        }
    }

    /** Like {@link #read(Command, String, List, OutputParser, Duration)} within {@link #DEFAULT_TIMEOUT}. */
    static <T> Parsed<T> read(Command command, String host, List<String> argv, OutputParser<T> parser) {
        return read(command, host, argv, parser, DEFAULT_TIMEOUT);
    }

    /**
     * Runs argv with stdin closed and parses stdout while it streams. A parser failure stops the
     * process; a non-zero exit (or the deadline) gives no value, whatever was parsed.
     */
    static <T> Parsed<T> read(Command command, String host, List<String> argv, OutputParser<T> parser, Duration timeout) {
        Process process = launch(host, argv);
        Deadline deadline = Deadline.arm(process, timeout);
        try {
            closeStdin(process);
            OutputCollector err = OutputCollector.start(process.getErrorStream(), STDERR_LIMIT, "stderr " + argv.get(0));
            // The parser reads on a thread of its own: killed at its deadline, an ssh multiplexing
            // client's stdout may stay open (the master holds it while the remote command lives),
            // and the caller must not wait for that.
            java.util.concurrent.FutureTask<T> parsing = new java.util.concurrent.FutureTask<>(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8), 1 << 16)) {
                    T parsed = parser.parse(out);
                    out.transferTo(Writer.nullWriter());
                    return parsed;
                } catch (IOException e) {
                    return null;
                }
            });
            Thread reader = new Thread(parsing, "parse " + argv.get(0));
            reader.setDaemon(true);
            reader.start();
            T value;
            try {
                value = awaitParse(parsing, deadline);
            } catch (RuntimeException e) {
                kill(process);
                if (!deadline.fired()) {
                    throw e;
                }
                // The parser choked on output cut short by the deadline: report the deadline.
                value = null;
            }
            int exit = waitFor(process, command, host);
            CommandResult result = deadline.result(command, host, exit, "",
                    err.await(deadline.fired() ? AFTER_KILL : Duration.ZERO));
            return new Parsed<>(result, result.ok() ? value : null);
        } finally {
            deadline.disarm();
        }
    }

    /** The parser's value; null once the deadline fired and the output did not end soon after. */
    private static <T> T awaitParse(java.util.concurrent.FutureTask<T> parsing, Deadline deadline) {
        long firedAt = 0;
        while (true) {
            try {
                return parsing.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (deadline.fired()) {
                    if (firedAt == 0) {
                        firedAt = System.nanoTime();
                    } else if (System.nanoTime() - firedAt > AFTER_KILL.toNanos()) {
                        return null; // the reader is left to end with the stream; its value is not wanted
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    private static Process launch(String host, List<String> argv) {
        try {
            return start(argv);
        } catch (IOException e) {
            throw new HostUnreachableException("on " + host + ": cannot run `" + argv.get(0) + "`: " + e.getMessage(), e);
        }
    }

    /** Writes stdin on its own thread: the process may fill its output pipes before reading it all. */
    private static void feed(Process process, byte[] stdin, String name) {
        if (stdin == null) {
            closeStdin(process);
            return;
        }
        Thread writer = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The process exited (or was killed) before reading everything: its status says why.
            }
        }, "stdin " + name);
        writer.setDaemon(true);
        writer.start();
    }

    private static void closeStdin(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The process may have exited already; its stdin is closed either way.
        }
    }

    private static int waitFor(Process process, Command command, String host) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new HostUnreachableException("on " + host + ": interrupted while running " + command, e);
        }
    }

    /** Kills the process and whatever it started (a local zfs's children, or nothing for ssh). */
    /** How long output may still come after a kill at the deadline. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(2);

    private static void kill(Process process) {
        // The head first, so it cannot run another step when its child dies; its children are
        // listed before, because once it is gone they belong to init and are no longer its descendants.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** "600 s", or "0.25 s" for the short deadlines tests use. */
    static String seconds(Duration d) {
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    /** A kill scheduled for one process, and whether it happened. */
    private static final class Deadline {
        private final Duration timeout;
        private final AtomicBoolean fired = new AtomicBoolean();
        private ScheduledFuture<?> kill;

        private Deadline(Duration timeout) {
            this.timeout = timeout;
        }

        static Deadline arm(Process process, Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a command timeout must be positive, not " + timeout);
            }
            Deadline d = new Deadline(timeout);
            d.kill = DEADLINES.schedule(() -> {
                if (process.isAlive()) {
                    d.fired.set(true);
                    kill(process);
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            return d;
        }

        boolean fired() {
            return fired.get();
        }

        void disarm() {
            kill.cancel(false);
        }

        /** The result as the process ended, or a failure naming the deadline when it was killed for it. */
        CommandResult result(Command command, String host, int exit, String stdout, String stderr) {
            if (!fired()) {
                return new CommandResult(command, host, exit, stdout, stderr);
            }
            String message = "timed out after " + seconds(timeout) + ": `" + command + "` on " + host
                    + " was killed\n";
            return new CommandResult(command, host, TIMED_OUT, stdout, message + stderr);
        }
    }
}
