package org.zfssync.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.zfssync.host.ShellQuote;

/**
 * Helpers for {@link StateLabTest}: GUIDs and bookmarks read from the guest, the name of a
 * target's cursor bookmark, faults injected at a given point of a receive, and a zfs-sync run
 * kept in the background so a test can suspend or kill it mid-stream.
 */
final class StateLab {
    private StateLab() {
    }

    /** The GUID of a snapshot, bookmark or dataset, as ZFS prints it (unsigned decimal). */
    static String guid(LabFixture lab, String name) {
        return lab.sh("zfs get -H -p -o value guid " + ShellQuote.quote(name)).strip();
    }

    /** Snapshot short name to GUID, oldest first. */
    static Map<String, String> snapshotGuids(LabFixture lab, String dataset) {
        return nameToGuid(lab.sh("zfs list -H -p -d 1 -t snapshot -s createtxg -o name,guid " + ShellQuote.quote(dataset)),
                '@');
    }

    /** Bookmark short name to GUID. */
    static Map<String, String> bookmarkGuids(LabFixture lab, String dataset) {
        return nameToGuid(lab.sh("zfs list -H -p -d 1 -t bookmark -s createtxg -o name,guid " + ShellQuote.quote(dataset)),
                '#');
    }

    private static Map<String, String> nameToGuid(String listing, char separator) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : listing.split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split("\t");
                result.put(f[0].substring(f[0].indexOf(separator) + 1), f[1].strip());
            }
        }
        return result;
    }

    /** The GUID of the newest snapshot of a dataset (by createtxg). */
    static String newestGuid(LabFixture lab, String dataset) {
        List<String> guids = new ArrayList<>(snapshotGuids(lab, dataset).values());
        if (guids.isEmpty()) {
            throw new AssertionError(dataset + " has no snapshots");
        }
        return guids.get(guids.size() - 1);
    }

    /** The GUID of the newest source snapshot that the target also has (by GUID), or null. */
    static String newestCommonGuid(LabFixture lab, String source, String target) {
        Set<String> onTarget = new TreeSet<>(snapshotGuids(lab, target).values());
        String common = null;
        for (String guid : snapshotGuids(lab, source).values()) {
            if (onTarget.contains(guid)) {
                common = guid;
            }
        }
        return common;
    }

    /** Every GUID the source has as a snapshot or a bookmark: what an incremental can start from. */
    static Set<String> sendableGuids(LabFixture lab, String dataset) {
        Set<String> all = new TreeSet<>(snapshotGuids(lab, dataset).values());
        all.addAll(bookmarkGuids(lab, dataset).values());
        return all;
    }

    /** {@code zfs-sync_TARGETID_cursor_} followed by the GUID as 16 lower-case hex digits. */
    static String cursorName(String targetId, String decimalGuid) {
        String hex = new BigInteger(decimalGuid).toString(16);
        return "zfs-sync_" + targetId + "_cursor_" + "0".repeat(16 - hex.length()) + hex;
    }

    /** Every hold on the snapshots of a dataset: lines of {@code NAME TAG}. */
    static List<String> holds(LabFixture lab, String dataset) {
        String out = lab.sh("zfs list -H -d 1 -t snapshot -o name " + ShellQuote.quote(dataset)
                + " | xargs -r -d '\\n' zfs holds -H | awk '{print $1, $2}'");
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    static String property(LabFixture lab, String dataset, String property) {
        return lab.sh("zfs get -H -p -o value " + property + " " + ShellQuote.quote(dataset)).strip();
    }

    /**
     * Guest-side: the pid of the first {@code zfs receive} into {@code dataset} in {@code $p} (waiting
     * up to ~150 s for it), and {@code $r} read from its rchar by a loop of shell builtins only, so
     * the offset is caught closely even on a loaded emulated guest.
     */
    private static String findReceiveThen(String dataset, String loopBody) {
        return "p=; for i in $(seq 3000); do p=$(pgrep -f '^zfs receive .*" + dataset + "$' | head -1);"
                + " [ -n \"$p\" ] && break; sleep 0.05; done; [ -z \"$p\" ] && { echo never saw the receive; exit 1; };"
                + " while [ -d /proc/$p ]; do r=0; while read k v; do [ \"$k\" = rchar: ] && r=$v; done < /proc/$p/io 2>/dev/null;"
                + " " + loopBody + " sleep 0.02; done; echo \"the receive $p ended at $r\"; exit 1";
    }

    /**
     * A guest-side wait for the {@code zfs receive} into {@code dataset} to have read {@code offset}
     * bytes; then {@code action} runs with {@code $p} set to the receive's pid (for example
     * {@code kill -9 $p}). Prints "reached PID BYTES" and the action's output, or what it never saw.
     */
    static String atReceiveOffset(LabFixture lab, String dataset, long offset, String action) {
        return lab.shResult(findReceiveThen(dataset, "if [ \"$r\" -ge " + offset + " ]; then echo reached $p $r; "
                + action + "; exit 0; fi;")).stdout().strip();
    }

    /**
     * Waits in the guest for the {@code zfs receive} into {@code dataset} to have read
     * {@code minRead} bytes while the mbuffer feeding it holds at least {@code minBuffered} bytes
     * not yet passed on (or the receive to have read {@code fallbackRead}), then SIGSTOPs that
     * mbuffer: the receive stays in progress, blocked on an empty pipe, with the buffer's content
     * still to come. Prints "frozen RECEIVEPID MBUFFERPID READ BUFFERED", or what it never saw.
     */
    static String freezeFeederOfReceive(LabFixture lab, String dataset, long minRead, long minBuffered, long fallbackRead) {
        // The receive and the mbuffer in front of it run in one ssh session: the same session id.
        String body = "if [ -z \"$m\" ]; then s=$(ps -o sid= -p $p | tr -d ' '); m=$(pgrep -x -s \"${s:-0}\" mbuffer | head -1); fi;"
                + " if [ -n \"$m\" ] && [ \"$r\" -ge " + minRead + " ]; then mr=0; mw=0; while read k v; do"
                + " [ \"$k\" = rchar: ] && mr=$v; [ \"$k\" = wchar: ] && mw=$v; done < /proc/$m/io 2>/dev/null; b=$((mr - mw));"
                + " if [ $b -ge " + minBuffered + " ] || [ \"$r\" -ge " + fallbackRead + " ]; then kill -STOP $m;"
                + " echo frozen $p $m $r $b; exit 0; fi; fi;";
        return lab.shResult("m=; " + findReceiveThen(dataset, body)).stdout().strip();
    }

    /**
     * A zfs-sync process of the real jar that a test can suspend, resume or kill, its output read
     * as it comes. It runs with a private {@code XDG_RUNTIME_DIR} and {@code TMPDIR} (a short
     * {@code /tmp/zsXXXXXX} directory, so control socket paths stay within the unix limit), and
     * {@link #close} stops whatever it left behind there: ssh control masters, by pid.
     */
    static final class Background implements AutoCloseable {
        private final Process process;
        private final Path privateDir;
        private final CompletableFuture<String> out;
        private final CompletableFuture<String> err;
        /** stderr as read so far, line by line, for {@link #awaitLog}. */
        private final StringBuffer log = new StringBuffer();

        private Background(Process process, Path privateDir) {
            this.process = process;
            this.privateDir = privateDir;
            this.out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            this.err = CompletableFuture.supplyAsync(() -> {
                try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getErrorStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        log.append(line).append('\n');
                    }
                    return log.toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        /** Starts {@code java -jar zfs-sync.jar ARGS} (the ssh config must be among the args). */
        static Background start(String... args) {
            List<String> argv = new ArrayList<>(List.of("java", "-jar", LabFixture.jar().toString()));
            argv.addAll(List.of(args));
            try {
                Path dir = shortPrivateDirectory();
                Files.createDirectory(dir.resolve("r"));
                Files.createDirectory(dir.resolve("t"));
                ProcessBuilder builder = new ProcessBuilder(argv);
                builder.environment().put("XDG_RUNTIME_DIR", dir.resolve("r").toString());
                builder.environment().put("TMPDIR", dir.resolve("t").toString());
                Process p = builder.start();
                p.getOutputStream().close();
                return new Background(p, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * A new 0700 directory {@code /tmp/zXXXXX}: a control socket below {@code XDG_RUNTIME_DIR}
         * ({@code /tmp/zXXXXX/r/zfs-sync-ctl-<20 digits>/<40 hex>} plus the 17 characters ssh appends
         * while it binds) must fit the 107 characters of a unix socket path.
         */
        private static Path shortPrivateDirectory() throws IOException {
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            java.security.SecureRandom random = new java.security.SecureRandom();
            for (int attempt = 0; attempt < 100; attempt++) {
                StringBuilder name = new StringBuilder("/tmp/z");
                for (int i = 0; i < 5; i++) {
                    name.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                try {
                    return Files.createDirectory(Path.of(name.toString()), java.nio.file.attribute.PosixFilePermissions
                            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // Try another name.
                }
            }
            throw new IOException("no free /tmp/zXXXXX name");
        }

        /**
         * Waits until a line of the run's log (stderr) matches, the run ends, or the timeout passes;
         * true only for a matching line.
         */
        boolean awaitLog(java.util.function.Predicate<String> line, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (log.toString().lines().anyMatch(line)) {
                    return true;
                }
                if (!process.isAlive() && err.isDone()) {
                    return log.toString().lines().anyMatch(line);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }

        /** SIGSTOP: the run freezes where it is; its ssh children and the remote commands go on. */
        void suspend() {
            signal("-STOP");
        }

        /** SIGCONT after {@link #suspend}. */
        void resume() {
            signal("-CONT");
        }

        private void signal(String signal) {
            try {
                Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
                if (kill.waitFor() != 0) {
                    throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /** SIGKILL of the java process only, as an OOM killer or a {@code kill -9 PID} would do. */
        LabFixture.Run kill() {
            process.destroyForcibly();
            return await(Duration.ofSeconds(30));
        }

        LabFixture.Run await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("zfs-sync did not finish within " + timeout + "; killed it. stderr so far:\n"
                            + log);
                }
                return new LabFixture.Run(process.exitValue(), out.join(), err.join());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        /**
         * Stops the run if it still goes on and every ssh process whose command line names its private
         * directory (a ControlMaster renames itself {@code ssh: SOCKET [mux]}, so /proc is read, not
         * the JDK's view of the arguments), each by pid; then removes the directory.
         */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            String needle = privateDir.toString() + "/";
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path proc : procs.toList()) {
                    String pid = proc.getFileName().toString();
                    if (pid.chars().allMatch(Character::isDigit) && readProc(proc.resolve("comm")).strip().equals("ssh")
                            && readProc(proc.resolve("cmdline")).contains(needle)) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (var files = Files.walk(privateDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // Already gone.
            }
        }

        private static String readProc(Path file) {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
            } catch (IOException e) {
                return ""; // the process is gone
            }
        }

        private static String read(InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
