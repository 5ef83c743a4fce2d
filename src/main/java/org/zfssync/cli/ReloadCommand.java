package org.zfssync.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zfssync.lock.LockDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zfs-sync reload}: tells a running daemon to re-read its config (SIGHUP to the PID in its pid file). */
@Command(name = "reload", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Tell the running daemon to re-read its config file, as SIGHUP does: running transfers go "
                + "on; a broken file is rejected, each problem logged with its line and column, and the jobs stay "
                + "as they were. Exit 3 when no daemon runs.")
final class ReloadCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "The daemon's pid file (default: daemon.pid in "
            + "the lock directory, /run/zfs-sync for root).")
    Path pidFile;

    static Path defaultPidFile(Path lockDir) {
        return lockDir.resolve("daemon.pid");
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path file = pidFile != null ? pidFile : defaultPidFile(LockDirectory.location());
        Optional<ProcessHandle> daemon = daemon(file);
        if (daemon.isEmpty()) {
            spec.commandLine().getErr().println("zfs-sync: no zfs-sync daemon runs (no live PID in " + file
                    + "); start it with `zfs-sync daemon` or `systemctl start zfs-sync`");
            return ExitCodes.PREREQUISITE;
        }
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.get().pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            spec.commandLine().getErr().println("zfs-sync: cannot signal the daemon (PID " + daemon.get().pid()
                    + "): run as the daemon's user");
            return ExitCodes.FAILED;
        }
        spec.commandLine().getOut().println("asked the daemon (PID " + daemon.get().pid() + ") to reload its config; "
                + "its log says whether the file was taken");
        return ExitCodes.OK;
    }

    /** The live zfs-sync daemon the pid file names, if any. */
    static Optional<ProcessHandle> daemon(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(text)).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().map(c -> c.contains("zfs-sync") && c.contains(" daemon"))
                            .orElse(true));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
