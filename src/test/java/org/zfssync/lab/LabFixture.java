package org.zfssync.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.zfssync.host.ShellQuote;

/**
 * One lab test's world: a fresh source pool and target pool on the shared guest, reachable over
 * ssh as {@code zfslab-src:POOL/...} and {@code zfslab-dst:POOL/...}; helpers to run commands in the
 * guest, run zfs-sync (the real jar, as a user would), checksum data and inject faults.
 */
public final class LabFixture implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LabGuest guest;
    private final String sourcePool;
    private final String targetPool;

    private LabFixture(LabGuest guest, String sourcePool, String targetPool) {
        this.guest = guest;
        this.sourcePool = sourcePool;
        this.targetPool = targetPool;
    }

    static LabFixture create(LabGuest guest, String testName) {
        int n = COUNTER.incrementAndGet();
        String tag = Integer.toHexString((testName.hashCode() & 0xfff) | 0x1000);
        LabFixture f = new LabFixture(guest, "src" + n + "x" + tag, "dst" + n + "x" + tag);
        guest.createPool(f.sourcePool, 768);
        guest.createPool(f.targetPool, 768);
        return f;
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

    private String digest(String directory) {
        return sh("cd " + ShellQuote.quote(directory) + " && find . -xdev -type f | LC_ALL=C sort | xargs -r -d '\\n' sha256sum"
                + " | sha256sum | cut -c1-64").strip();
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
        List<String> argv = new ArrayList<>(List.of("java", "-jar", jar().toString()));
        argv.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(argv).start();
            p.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            return new Run(p.waitFor(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    static Path jar() {
        return Paths.get(System.getProperty("zfs.sync.jar", "target/zfs-sync.jar"));
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code mib} MiB of random data to a file below a mounted dataset. */
    public void writeRandom(String dataset, String file, int mib) {
        // zpool sync: the write is on disk (and counted in `written`) before anything looks.
        sh("head -c " + mib + "M /dev/urandom > \"$(zfs get -H -o value mountpoint " + ShellQuote.quote(dataset)
                + ")\"/" + ShellQuote.quote(file) + " && zpool sync");
    }

    @Override
    public void close() {
        if (guest.isRunning()) {
            guest.destroyPool(sourcePool);
            guest.destroyPool(targetPool);
        }
    }
}
