package org.zfssync.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.zfssync.host.ShellQuote;

/**
 * One lab test's world: a fresh source pool and target pool on the shared guest, reachable over
 * ssh as {@code zfslab-src:POOL/...} and {@code zfslab-dst:POOL/...}; helpers to run commands in the
 * guest, run zfs-sync (the real jar, as a user would; in the foreground or in the background, to
 * signal it), checksum data, inject faults and list what a run may leave behind.
 *
 * <p>Every zfs-sync process a fixture starts gets the fixture's own private, empty
 * {@code XDG_RUNTIME_DIR} and {@code TMPDIR} (fresh 0700 directories, short enough for ssh's socket
 * paths), so a test can tell what a run left there: {@link #leftovers()}.
 */
public final class LabFixture implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tag prefix of every hold zfs-sync takes ({@code PREFIX_TARGET}). */
    public static final String HOLD_PREFIX = "zfs-sync_";
    private final LabGuest guest;
    private final String sourcePool;
    private final String targetPool;
    private final Path privateRoot;
    private final Path runtimeDir;
    private final Path tmpDir;
    private final List<Background> started = new CopyOnWriteArrayList<>();

    private LabFixture(LabGuest guest, String sourcePool, String targetPool, Path privateRoot) {
        this.guest = guest;
        this.sourcePool = sourcePool;
        this.targetPool = targetPool;
        this.privateRoot = privateRoot;
        this.runtimeDir = privateRoot.resolve("r");
        this.tmpDir = privateRoot.resolve("t");
    }

    static LabFixture create(LabGuest guest, String testName) {
        int n = COUNTER.incrementAndGet();
        String tag = Integer.toHexString((testName.hashCode() & 0xfff) | 0x1000);
        LabFixture f = new LabFixture(guest, "src" + n + "x" + tag, "dst" + n + "x" + tag, privateDirectory());
        privateSubdirectory(f.runtimeDir);
        privateSubdirectory(f.tmpDir);
        guest.createPool(f.sourcePool, 768);
        guest.createPool(f.targetPool, 768);
        return f;
    }

    /**
     * A fresh 0700 directory with a short name, {@code /tmp/zXXXXX}: a control socket zfs-sync makes
     * below {@code XDG_RUNTIME_DIR} ({@code /tmp/zXXXXX/r/zfs-sync-ctl-<20 digits>/<40 hex>}, plus the
     * 17 characters ssh appends while it binds) must fit a unix socket path of 107 characters, which
     * a {@code Files.createTempDirectory} name (up to 20 digits) here would not leave room for.
     */
    private static Path privateDirectory() {
        SecureRandom random = new SecureRandom();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int attempt = 0; attempt < 100; attempt++) {
            StringBuilder name = new StringBuilder("z");
            for (int i = 0; i < 5; i++) {
                name.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            Path dir = Paths.get("/tmp", name.toString());
            try {
                return privateSubdirectory(dir);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof FileAlreadyExistsException)) {
                    throw e;
                }
            }
        }
        throw new LabException("cannot make a private directory in /tmp");
    }

    private static Path privateSubdirectory(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code XDG_RUNTIME_DIR} of every zfs-sync this fixture starts (private, 0700). */
    public Path runtimeDir() {
        return runtimeDir;
    }

    /** The {@code TMPDIR} (and {@code java.io.tmpdir}) of every zfs-sync this fixture starts (private, 0700). */
    public Path tmpDir() {
        return tmpDir;
    }

    public LabGuest guest() {
        return guest;
    }

    public String sourcePool() {
        return sourcePool;
    }

    public String targetPool() {
        return targetPool;
    }

    /** {@code zfslab-src:SOURCEPOOL/path} */
    public String src(String path) {
        return LabGuest.SOURCE_HOST + ":" + sourcePool + (path.isEmpty() ? "" : "/" + path);
    }

    /** {@code zfslab-dst:TARGETPOOL/path} */
    public String dst(String path) {
        return LabGuest.TARGET_HOST + ":" + targetPool + (path.isEmpty() ? "" : "/" + path);
    }

    /** Runs a shell command line in the guest; fails the test on a non-zero exit. */
    public String sh(String command) {
        return guest.exec(command).orThrow(command).stdout();
    }

    /** Runs a shell command line in the guest and returns its result whatever the exit. */
    public LabGuest.LabResult shResult(String command) {
        return guest.exec(command);
    }

    /** A digest of every file's path and content below a mounted dataset. */
    public String checksum(String dataset) {
        String mount = sh("zfs get -H -o value mountpoint " + ShellQuote.quote(dataset)).strip();
        return digest(mount);
    }

    /**
     * The same digest of a dataset's newest snapshot, read through {@code .zfs/snapshot}: reading
     * a snapshot leaves the live dataset untouched, where reading its files would update access
     * times and so count as a change ({@code written} > 0) for the next run.
     */
    public String checksumOfNewestSnapshot(String dataset) {
        String mount = sh("zfs get -H -o value mountpoint " + ShellQuote.quote(dataset)).strip();
        List<String> snaps = snapshots(dataset);
        return digest(mount + "/.zfs/snapshot/" + snaps.get(snaps.size() - 1));
    }

    /**
     * {@link #checksum} of each dataset in {@code targets} and {@link #checksumOfNewestSnapshot} of
     * the matching dataset in {@code sources}, in one round trip: dataset of {@code targets} to
     * {@code "TARGET-DIGEST SOURCE-DIGEST"}, so a test can compare whole trees cheaply.
     */
    public Map<String, String> checksumPairs(List<String> targets, List<String> sources) {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < targets.size(); i++) {
            String t = ShellQuote.quote(targets.get(i));
            String s = ShellQuote.quote(sources.get(i));
            script.append("dm=$(zfs get -H -o value mountpoint ").append(t).append(") && sm=$(zfs get -H -o value mountpoint ")
                    .append(s).append(") && sn=$(zfs list -H -d 1 -t snapshot -s createtxg -o name ").append(s)
                    .append(" | tail -1) && echo \"$(").append(digestCommand("\"$dm\"")).append(") $(")
                    .append(digestCommand("\"$sm/.zfs/snapshot/${sn#*@}\"")).append(")\" || echo failed; ");
        }
        String[] lines = sh(script.toString()).strip().split("\n");
        Map<String, String> result = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            result.put(targets.get(i), i < lines.length ? lines[i].strip() : "missing");
        }
        return result;
    }

    static String digestCommand(String quotedDirectory) {
        return "cd " + quotedDirectory + " && find . -xdev -type f | LC_ALL=C sort | xargs -r -d '\\n' sha256sum"
                + " | sha256sum | cut -c1-64";
    }

    private String digest(String directory) {
        return sh(digestCommand(ShellQuote.quote(directory))).strip();
    }

    /** Everything ZFS shows about a pool: every property of every object, every hold and bookmark. */
    public String fullListing(String pool) {
        String q = ShellQuote.quote(pool);
        // zpool sync first: writes still in the open txg would otherwise land between two listings.
        return sh("sync && zpool sync " + q + " && zfs get -H -p -r all " + q + " | LC_ALL=C sort; zfs list -H -t snapshot -o name -r " + q
                + " | xargs -r -d '\\n' zfs holds -H | LC_ALL=C sort; zfs list -H -t bookmark -o name,guid -r " + q);
    }

    /** Snapshot short names of a dataset, oldest first. */
    public List<String> snapshots(String dataset) {
        String out = sh("zfs list -H -d 1 -t snapshot -s createtxg -o name " + ShellQuote.quote(dataset));
        List<String> names = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.substring(line.indexOf('@') + 1));
            }
        }
        return names;
    }

    public boolean exists(String dataset) {
        return guest.exec("zfs list -H -o name " + ShellQuote.quote(dataset)).exitCode() == 0;
    }

    /** What one zfs-sync run printed and returned. */
    public record Run(int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + stdout + "\nstderr: " + stderr, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs the zfs-sync jar on this machine with the lab's ssh config, as a user would. */
    public Run zfsSync(String subcommand, String... args) {
        List<String> argv = new ArrayList<>(List.of(subcommand, "--ssh-config", guest.sshConfig().toString()));
        argv.addAll(List.of(args));
        return zfsSyncPlain(argv.toArray(String[]::new));
    }

    /** Runs the zfs-sync jar with exactly these arguments (for commands whose ssh settings come from a config file). */
    public Run zfsSyncPlain(String... args) {
        return startPlain(args).await(Duration.ofMinutes(20));
    }

    /** Starts zfs-sync in the background with the lab's ssh config, as {@link #zfsSync} runs it. */
    public Background start(String subcommand, String... args) {
        List<String> argv = new ArrayList<>(List.of(subcommand, "--ssh-config", guest.sshConfig().toString()));
        argv.addAll(List.of(args));
        return startPlain(argv.toArray(String[]::new));
    }

    /**
     * Starts zfs-sync in the background with exactly these arguments, with this fixture's private
     * {@code XDG_RUNTIME_DIR} and {@code TMPDIR}. SIGINT, SIGTERM and SIGHUP are reset to their
     * defaults first ({@code env --default-signal}): a JVM that starts with a signal ignored, as a
     * background job of a non-interactive shell does (INT), or anything under {@code nohup} (HUP),
     * never handles it.
     */
    public Background startPlain(String... args) {
        List<String> argv = new ArrayList<>(List.of("env", "--default-signal=INT,TERM,HUP", "java", "-XX:-UsePerfData",
                "-Djava.io.tmpdir=" + tmpDir, "-jar", jar().toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
        builder.environment().put("TMPDIR", tmpDir.toString());
        try {
            Background b = new Background(builder.start(), String.join(" ", args));
            started.add(b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A zfs-sync running in the background: its process and pid, signals sent the way a user or
     * an init system sends them ({@code kill -TERM pid}), and its {@link Run} once it has exited.
     * Its output is read as it comes, so it never blocks on a full pipe.
     */
    public static final class Background {
        private final Process process;
        private final String args;
        private final Instant startedAt = Instant.now();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final Thread outReader;
        private final Thread errReader;
        private final java.util.concurrent.CompletableFuture<Instant> exited;

        Background(Process process, String args) {
            this.process = process;
            this.args = args.replaceAll("--ssh-config \\S+ ", "");
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // Nothing to close.
            }
            this.outReader = copier(process.getInputStream(), out, "stdout");
            this.errReader = copier(process.getErrorStream(), err, "stderr");
            this.exited = process.onExit().thenApply(p -> Instant.now());
        }

        private Thread copier(InputStream in, ByteArrayOutputStream to, String name) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        synchronized (to) {
                            to.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // The process is gone; what was read stays.
                }
            }, "zfs-sync " + process.pid() + " " + name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public Instant startedAt() {
            return startedAt;
        }

        /** When the process exited (as seen from here), or null while it runs. */
        public Instant exitedAt() {
            return process.isAlive() ? exited.getNow(null) : exited.join();
        }

        /** {@code kill -TERM pid}, as systemd or a user stops a run. */
        public void term() {
            signal("TERM");
        }

        /** {@code kill -INT pid}, as Ctrl-C at a terminal. */
        public void interrupt() {
            signal("INT");
        }

        /** {@code kill -KILL pid}: no chance to clean up (the OOM killer, a power cut of the process). */
        public void kill() {
            signal("KILL");
        }

        private void signal(String name) {
            try {
                Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true)
                        .start();
                String said = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (k.waitFor() != 0 && process.isAlive()) {
                    throw new LabException("kill -" + name + " " + process.pid() + " failed: " + said);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            }
        }

        /** The processes this run started that are still running (ssh, local pipeline stages). */
        public List<ProcessHandle> descendants() {
            return process.descendants().toList();
        }

        /** What it printed so far. */
        public String stdoutSoFar() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        public String stderrSoFar() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits for the exit (up to {@code timeout}; then it is killed and the test fails) and returns the run. */
        public Run await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new LabException("zfs-sync " + args + " did not exit within " + timeout + "; killed it. stdout:\n"
                            + stdoutSoFar() + "\nstderr:\n" + stderrSoFar());
                }
                outReader.join(10_000);
                errReader.join(10_000);
                System.out.printf(java.util.Locale.ROOT, "[lab] zfs-sync %s: exit %d after %.1f s%n",
                        args.length() > 90 ? args.substring(0, 90) + "..." : args, process.exitValue(),
                        Duration.between(startedAt, exitedAt()).toMillis() / 1000.0);
                if (Boolean.getBoolean("zfs.lab.verbose")) {
                    System.out.println(stderrSoFar().indent(4));
                }
                return new Run(process.exitValue(), stdoutSoFar(), stderrSoFar());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            }
        }

        public Run await() {
            return await(Duration.ofMinutes(20));
        }

        @Override
        public String toString() {
            return "zfs-sync (pid " + process.pid() + ") " + args;
        }
    }

    static Path jar() {
        return Paths.get(System.getProperty("zfs.sync.jar", "target/zfs-sync.jar"));
    }

    /** Writes {@code mib} MiB of random data to a file below a mounted dataset. */
    public void writeRandom(String dataset, String file, int mib) {
        // zpool sync: the write is on disk (and counted in `written`) before anything looks.
        sh("head -c " + mib + "M /dev/urandom > \"$(zfs get -H -o value mountpoint " + ShellQuote.quote(dataset)
                + ")\"/" + ShellQuote.quote(file) + " && zpool sync");
    }

    /** Resume tokens on every dataset of {@code pool} that has one: dataset name to token. */
    public Map<String, String> resumeTokens(String pool) {
        Map<String, String> tokens = new LinkedHashMap<>();
        String out = sh("zfs get -H -r -o name,value receive_resume_token " + ShellQuote.quote(pool));
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && !f[1].equals("-") && !f[1].isBlank()) {
                tokens.put(f[0], f[1]);
            }
        }
        return tokens;
    }

    /** A dataset's snapshots, oldest first: short name to GUID. */
    public Map<String, String> snapshotGuids(String dataset) {
        return namesAndGuids("zfs list -H -p -d 1 -t snapshot -s createtxg -o name,guid " + ShellQuote.quote(dataset), '@');
    }

    /** A dataset's bookmarks, oldest first: short name (after {@code #}) to GUID. */
    public Map<String, String> bookmarkGuids(String dataset) {
        return namesAndGuids("zfs list -H -p -d 1 -t bookmark -s createtxg -o name,guid " + ShellQuote.quote(dataset), '#');
    }

    private Map<String, String> namesAndGuids(String command, char separator) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : sh(command).split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                result.put(f[0].substring(f[0].indexOf(separator) + 1), f[1].strip());
            }
        }
        return result;
    }

    /**
     * What zfs-sync may leave behind, as seen now: holds tagged {@code zfs-sync_*} on any snapshot
     * of this fixture's pools, ssh processes on this machine whose command line names the private
     * runtime directory (a ControlMaster, or a client of one), and whatever is in the private
     * runtime directory other than lock files (a {@code zfs-sync-*} directory counts even when
     * empty) or in the private temp directory.
     */
    public Leftovers leftoversNow() {
        return new Leftovers(holds(), sshProcesses(), files());
    }

    /**
     * {@link #leftoversNow()}, after giving processes that are on their way out (an ssh master
     * told to exit) up to 5 s to go. Holds are read once, at the end.
     */
    public Leftovers leftovers() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && (!sshProcesses().isEmpty() || !files().isEmpty())) {
            sleep(200);
        }
        return leftoversNow();
    }

    /** What a run left behind; see {@link #leftoversNow()}. */
    public record Leftovers(List<String> holds, List<String> sshProcesses, List<String> files) {
        public boolean isEmpty() {
            return holds.isEmpty() && sshProcesses.isEmpty() && files.isEmpty();
        }

        @Override
        public String toString() {
            if (isEmpty()) {
                return "nothing left behind";
            }
            return "holds " + holds + "; ssh processes " + sshProcesses + "; files " + files;
        }
    }

    private List<String> holds() {
        StringBuilder script = new StringBuilder();
        for (String pool : List.of(sourcePool, targetPool)) {
            script.append("zfs list -H -t snapshot -o name -r ").append(ShellQuote.quote(pool))
                    .append(" 2>/dev/null | xargs -r zfs holds -H 2>/dev/null; ");
        }
        script.append("true");
        List<String> holds = new ArrayList<>();
        for (String line : sh(script.toString()).split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 2 && f[1].strip().startsWith(HOLD_PREFIX)) {
                holds.add(f[0].strip() + " " + f[1].strip());
            }
        }
        return holds;
    }

    /**
     * ssh processes whose command line names the private runtime directory, read from /proc: a
     * ControlMaster rewrites its title to {@code ssh: SOCKET [mux]}, which the JDK's process info
     * does not report as arguments, but /proc/PID/cmdline shows (and /proc/PID/comm stays "ssh").
     */
    private List<ProcessHandle> sshHandles() {
        String dir = runtimeDir.toString();
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String comm = readProc(proc.resolve("comm")).strip();
                if (comm.equals("ssh") && readProc(proc.resolve("cmdline")).contains(dir)) {
                    ProcessHandle.of(Long.parseLong(proc.getFileName().toString())).ifPresent(found::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static String readProc(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // the process is gone
        }
    }

    private List<String> sshProcesses() {
        List<String> list = new ArrayList<>();
        for (ProcessHandle p : sshHandles()) {
            list.add(p.pid() + " " + readProc(Paths.get("/proc", Long.toString(p.pid()), "cmdline")).strip());
        }
        return list;
    }

    private List<String> files() {
        List<String> found = new ArrayList<>();
        for (Path base : List.of(runtimeDir, tmpDir)) {
            boolean runtime = base.equals(runtimeDir);
            try (Stream<Path> walk = Files.walk(base)) {
                walk.filter(p -> !p.equals(base)).forEach(p -> {
                    String rel = (runtime ? "XDG_RUNTIME_DIR/" : "TMPDIR/") + base.relativize(p);
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        if (!runtime || p.getFileName().toString().startsWith("zfs-sync-")) {
                            found.add(rel + "/");
                        }
                    } else if (!runtime || !p.getFileName().toString().endsWith(".lock")) {
                        found.add(rel);
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                found.add(base + " unreadable: " + e.getMessage());
            }
        }
        return found;
    }

    /**
     * Removes what {@link #leftoversNow()} finds, so that a test can go on after recording it:
     * releases the {@code zfs-sync_*} holds, stops the ssh processes naming the private runtime
     * directory (by pid) and empties the private directories except for lock files.
     */
    public void cleanUpLeftovers() {
        Leftovers left = leftoversNow();
        StringBuilder release = new StringBuilder("true");
        for (String hold : left.holds()) {
            String[] f = hold.split(" ", 2);
            release.append("; zfs release ").append(ShellQuote.quote(f[1])).append(' ').append(ShellQuote.quote(f[0]));
        }
        guest.exec(release.toString());
        for (ProcessHandle p : sshHandles()) {
            p.destroyForcibly();
        }
        for (Path base : List.of(runtimeDir, tmpDir)) {
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    boolean lock = base.equals(runtimeDir) && p.getFileName().toString().endsWith(".lock")
                            && !p.getParent().getFileName().toString().startsWith("zfs-sync-");
                    boolean holdsLocks = Files.isDirectory(p) && !p.getFileName().toString().startsWith("zfs-sync-");
                    if (!p.equals(base) && !lock && !(holdsLocks && base.equals(runtimeDir))) {
                        Files.deleteIfExists(p);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new LabException("cannot empty " + base + ": " + e.getMessage(), e);
            }
        }
    }

    /** Sleeps; an interrupt ends the test. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /**
     * Stops what this fixture started that still runs (its zfs-sync processes, then ssh masters
     * they left, each by its pid), destroys the pools and removes the private directories.
     */
    @Override
    public void close() {
        for (Background b : started) {
            if (b.isAlive()) {
                b.process().destroyForcibly();
                try {
                    b.process().waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (ProcessHandle p : sshHandles()) {
            p.destroy();
            try {
                p.onExit().get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        if (guest.isRunning()) {
            guest.destroyPool(sourcePool);
            guest.destroyPool(targetPool);
        }
        try (Stream<Path> files = Files.walk(privateRoot)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // A leftover in /tmp is harmless; the next fixture makes a new directory.
        }
    }
}
