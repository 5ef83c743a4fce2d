package org.zfssync.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zfssync.daemon.Service;
import org.zfssync.host.HostPool;
import org.zfssync.job.Config;
import org.zfssync.job.ConfigLoader;
import org.zfssync.lock.LockDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code zfs-sync daemon}: the jobs of the config file on their schedules, in the foreground,
 * logging to stderr (journald under systemd). SIGHUP re-reads the config; SIGTERM and SIGINT
 * stop the running streams cleanly (resume state kept, holds released) and end the process.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Run the jobs of the config file on their schedules (replicate-every or cron, "
                + "snapshot-every, prune-every, verify-every, windows) until stopped, recording every run in the run history "
                + "and, with http: in the config, serving the status page, the JSON API and /metrics. SIGHUP or "
                + "`zfs-sync reload` re-reads the config (a broken file is rejected, the jobs stay as they were); "
                + "SIGTERM stops the running streams (resumable), releases holds and exits 143.")
final class DaemonCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * Looked up when the daemon logs, not in a static field: picocli instantiates every subcommand
     * to build the command model, and a static logger here would start logback (about 0.2 s of
     * configuration) for every {@code zfs-sync --version} and {@code --help}.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(DaemonCommand.class);
    }

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/zfs-sync/zfs-sync.yaml",
            description = "Config file (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Where the daemon writes its PID for "
            + "`zfs-sync reload` (default: daemon.pid in the lock directory, /run/zfs-sync for root).")
    Path pidFile;

    @picocli.CommandLine.Mixin
    HistoryOptions.Recording history = new HistoryOptions.Recording();

    @Option(names = "--lock-dir", paramLabel = "DIR", hidden = true)
    Path lockDir;

    @Override
    public Integer call() throws IOException {
        Config config = new ConfigLoader().load(file);
        Path locks = lockDir != null ? lockDir : LockDirectory.location();
        Path pid = pidFile != null ? pidFile : ReloadCommand.defaultPidFile(locks);
        java.util.Optional<ProcessHandle> other = ReloadCommand.daemon(pid);
        if (other.isPresent() && other.get().pid() != ProcessHandle.current().pid()) {
            spec.commandLine().getErr().println("zfs-sync: a zfs-sync daemon already runs (PID " + other.get().pid()
                    + ", pid file " + pid + "); stop it first, or give this one its own --pid-file");
            return ExitCodes.LOCKED;
        }
        // SIGHUP is handled from the start: a reload asked for while the daemon starts is done once it
        // runs, where the JVM's default would have ended the process.
        java.util.concurrent.atomic.AtomicReference<Service> running = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();
        sun.misc.SignalHandler before = Signal.handle(new Signal("HUP"), s -> {
            Service service = running.get();
            if (service == null) {
                pending.set(true);
            } else {
                log().info("daemon: SIGHUP: reloading {}", file);
                service.reload();
            }
        });
        try (SignalGuard guard = SignalGuard.install();
             Service service = Service.start(config, new Service.Options(history.history.db, history.disabled,
                     locks, Clock.systemUTC(), HostPool.Factory.ssh()), guard.cancellation())) {
            running.set(service);
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM leaves a signal ignored at its start ignored (nohup): say so rather than let a
                // reload do nothing in silence.
                log().warn("daemon: SIGHUP was ignored when this process started (nohup?), so `zfs-sync reload` "
                        + "and SIGHUP do nothing; restart it without nohup to reload the config without a restart");
            }
            if (pending.get()) {
                service.reload();
            }
            writePid(pid);
            service.uri().ifPresent(u -> log().info("daemon: status page on {}",
                    u));
            service.run();
        } finally {
            removeOwnPid(pid);
        }
        return ExitCodes.OK;
    }

    /** The pid file goes only if it is still this process's (a second daemon refused at start must not remove it). */
    private static void removeOwnPid(Path pid) {
        try {
            if (Files.exists(pid) && Files.readString(pid, StandardCharsets.US_ASCII).strip()
                    .equals(String.valueOf(ProcessHandle.current().pid()))) {
                Files.delete(pid);
            }
        } catch (IOException e) {
            log().debug("cannot remove {}: {}", pid, e.toString());
        }
    }

    private static void writePid(Path pid) {
        try {
            Path parent = pid.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(pid, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the daemon's pid file " + pid + ": " + e.getMessage(), e);
        }
    }
}
