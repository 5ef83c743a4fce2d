package org.zfssync.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A running lab guest: qemu under software emulation (TCG), its ssh forwarded to a free port on
 * 127.0.0.1 only, and a user-mode network with {@code restrict=on}, so the guest reaches nothing
 * beyond that loopback forward. Writes an ssh config with host aliases for zfs-sync and tests.
 */
public final class LabGuest implements AutoCloseable {
    /** Aliases in the lab's ssh config: two names for one guest so tests have two distinct "hosts". */
    public static final String HOST = "zfslab";
    public static final String SOURCE_HOST = "zfslab-src";
    public static final String TARGET_HOST = "zfslab-dst";
    /** An alias with its own multiplexed connection, for the lab's own helpers (not zfs-sync). */
    public static final String ADMIN_HOST = "zfslab-admin";
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(6);
    private static final int BOOT_ATTEMPTS = 3;

    private final Path imageDir;
    private final Path runDir;
    private final Path sshConfig;
    private final Path bootLog;
    private final int port;
    private final Process qemu;
    private String zfsVersion;

    private LabGuest(Path imageDir, Path runDir, int port, Process qemu) {
        this.imageDir = imageDir;
        this.runDir = runDir;
        this.sshConfig = runDir.resolve("ssh_config");
        this.bootLog = runDir.resolve("boot.log");
        this.port = port;
        this.qemu = qemu;
    }

    /**
     * Boots a guest from an image directory and waits until ssh answers. A boot that dies (a
     * kernel oops under emulation) is retried twice with a fresh overlay before giving up.
     */
    public static LabGuest boot(Path imageDir) {
        LabException last = null;
        for (int attempt = 1; attempt <= BOOT_ATTEMPTS; attempt++) {
            try {
                return bootOnce(imageDir);
            } catch (LabException e) {
                last = e;
                System.err.println("[lab] boot attempt " + attempt + " of " + BOOT_ATTEMPTS + " failed: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        throw last;
    }

    private static LabGuest bootOnce(Path imageDir) {
        LabGuest guest = start(imageDir, false);
        try {
            guest.awaitReady();
        } catch (LabException e) {
            guest.close();
            throw e;
        }
        return guest;
    }

    /**
     * Starts a guest's qemu without waiting for it to answer (see {@link #awaitReady}): several
     * guests then boot side by side.
     *
     * @param withQmp open a QMP socket ({@link #qmp}) to add devices to the running guest, such as a
     *                second network card: one present at boot would get the image's one static
     *                address too (its network file matches every eth*), and break the ssh forward
     */
    public static LabGuest start(Path imageDir, boolean withQmp) {
        try {
            Path runDir = Files.createTempDirectory("zfs-sync-lab-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // Every guest boots from the one cached image through an overlay of its own.
            Path overlay = runDir.resolve("root.qcow2");
            run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    imageDir.resolve("root.qcow2").toString(), overlay.toString()));
            int port = freeLoopbackPort();
            // One vCPU: with several, multi-threaded TCG races the kernel's live code patching
            // (int3 oopses at boot, seen with qemu 7.2); one vCPU patches and runs its own code.
            List<String> argv = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-cpu", "max",
                    "-smp", "1", "-m", "3072", "-no-reboot", "-display", "none", "-monitor", "none",
                    "-serial", "file:" + runDir.resolve("boot.log"),
                    "-kernel", imageDir.resolve("vmlinuz").toString(),
                    "-initrd", imageDir.resolve("initrd.img").toString(),
                    "-append", "root=/dev/vda rw console=ttyS0 panic=-1 net.ifnames=0",
                    "-drive", "file=" + overlay + ",if=virtio,format=qcow2,cache=unsafe",
                    "-netdev", "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:" + port + "-:22",
                    "-device", "virtio-net-pci,netdev=n0"));
            if (withQmp) {
                argv.addAll(List.of("-qmp", "unix:" + runDir.resolve("qmp.sock") + ",server=on,wait=off"));
            }
            Process qemu = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("qemu.log").toFile()).start();
            LabGuest guest = new LabGuest(imageDir, runDir, port, qemu);
            guest.writeSshConfig();
            return guest;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the lab guest", e);
        }
    }

    /** Waits until the guest answers ssh and its zfs works; on failure the caller closes the guest. */
    public void awaitReady() {
        awaitSsh();
    }

    /**
     * Runs one QMP command (a JSON object such as {@code {"execute":"device_add",...}}) on a guest
     * started with QMP, and returns qemu's answer; an error answer throws.
     */
    public String qmp(String command) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(runDir.resolve("qmp.sock")));
             BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                     StandardCharsets.UTF_8))) {
            in.readLine(); // the greeting
            for (String c : List.of("{\"execute\":\"qmp_capabilities\"}", command)) {
                channel.write(ByteBuffer.wrap((c + "\n").getBytes(StandardCharsets.UTF_8)));
                String answer;
                do {
                    answer = in.readLine();
                    if (answer == null) {
                        throw new LabException("qemu closed its QMP socket after " + c);
                    }
                } while (answer.startsWith("{\"event\""));
                if (answer.contains("\"error\"")) {
                    throw new LabException("QMP " + c + " failed: " + answer);
                }
                if (c.equals(command)) {
                    return answer;
                }
            }
            throw new IllegalStateException("unreachable");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot talk to qemu's QMP socket", e);
        }
    }

    /** What qemu said (its log), for a start that failed. */
    public String qemuLog() {
        return tail(runDir.resolve("qemu.log"));
    }

    /** The image this guest booted from (its ssh key and known host key are there). */
    public Path imageDir() {
        return imageDir;
    }

    /** A port on 127.0.0.1 that nothing listens on now. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void writeSshConfig() throws IOException {
        String config = sshConfigEntry(ADMIN_HOST) + "  ControlMaster auto\n  ControlPath " + runDir
                + "/admin-%C\n  ControlPersist 600\n\n" + sshConfigEntry(HOST + " " + SOURCE_HOST + " " + TARGET_HOST);
        Files.writeString(sshConfig, config, StandardCharsets.UTF_8);
    }

    /** An ssh config entry that reaches this guest as root under {@code aliases} (space-separated). */
    public String sshConfigEntry(String aliases) {
        return "Host " + aliases + "\n  HostName 127.0.0.1\n  Port " + port + "\n  User root\n"
                + "  IdentityFile " + imageDir.resolve("id_ed25519") + "\n  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile " + imageDir.resolve("known_hosts") + "\n  HostKeyAlias zfs-sync-lab\n"
                + "  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n";
    }

    private void awaitSsh() {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!qemu.isAlive()) {
                throw new LabException("qemu exited during boot (exit " + qemu.exitValue() + "); "
                        + tail(runDir.resolve("qemu.log")) + " boot log: " + tail(bootLog));
            }
            LabResult r = exec("true", Duration.ofSeconds(20));
            if (r.exitCode() == 0) {
                zfsVersion = exec("zfs version | head -1", Duration.ofSeconds(60)).stdout().strip();
                if (zfsVersion.isEmpty() || !zfsVersion.startsWith("zfs-")) {
                    throw new LabException("the guest booted but zfs does not answer; boot log: " + tail(bootLog));
                }
                return;
            }
            sleep(Duration.ofSeconds(2));
        }
        throw new LabException("the lab guest did not answer ssh within " + BOOT_TIMEOUT.toMinutes()
                + " minutes; boot log: " + tail(bootLog));
    }

    /** Output of a command run in the guest. */
    public record LabResult(int exitCode, String stdout, String stderr) {
        public LabResult orThrow(String what) {
            if (exitCode != 0) {
                throw new LabException(what + " failed in the lab guest (exit " + exitCode + "): " + stderr.strip());
            }
            return this;
        }
    }

    /** Runs a shell command line in the guest over the lab's admin connection. */
    public LabResult exec(String shellCommand) {
        return exec(shellCommand, Duration.ofMinutes(10));
    }

    public LabResult exec(String shellCommand, Duration timeout) {
        try {
            Process p = new ProcessBuilder("ssh", "-F", sshConfig.toString(), ADMIN_HOST, shellCommand).start();
            p.getOutputStream().close();
            var err = new java.util.concurrent.CompletableFuture<String>();
            Thread t = new Thread(() -> {
                try {
                    err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    err.complete("");
                }
            });
            t.setDaemon(true);
            t.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new LabResult(124, out, "timed out after " + timeout);
            }
            return new LabResult(p.exitValue(), out, err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ssh into the lab guest", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /** Copies a host file into the guest. */
    public void copyIn(Path local, String remotePath) {
        try {
            Process p = new ProcessBuilder("ssh", "-F", sshConfig.toString(), ADMIN_HOST,
                    "cat > " + org.zfssync.host.ShellQuote.quote(remotePath))
                    .redirectInput(local.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new LabException("copying " + local + " into the guest failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /** Creates a pool on a sparse file vdev in the guest (the file lives as long as the pool). */
    public void createPool(String name, int sizeMiB) {
        String quoted = org.zfssync.host.ShellQuote.quote(name);
        exec("mkdir -p /var/lib/zfs-lab && truncate -s " + sizeMiB + "M /var/lib/zfs-lab/" + quoted + ".img"
                + " && zpool create -f -O mountpoint=/" + quoted + " " + quoted + " /var/lib/zfs-lab/" + quoted + ".img")
                .orThrow("zpool create " + name);
    }

    /** Destroys a pool made by {@link #createPool} and its file. */
    public void destroyPool(String name) {
        String quoted = org.zfssync.host.ShellQuote.quote(name);
        exec("zpool destroy -f " + quoted + "; rm -f /var/lib/zfs-lab/" + quoted + ".img");
    }

    public Path sshConfig() {
        return sshConfig;
    }

    /** The private key the lab's ssh config logs in with ({@code .pub} beside it). */
    public Path identityFile() {
        return imageDir.resolve("id_ed25519");
    }

    public int port() {
        return port;
    }

    /** The guest's OpenZFS version line, e.g. {@code zfs-2.3.2-2~bpo12+2}. */
    public String zfsVersion() {
        return zfsVersion;
    }

    public boolean isRunning() {
        return qemu.isAlive();
    }

    public long qemuPid() {
        return qemu.pid();
    }

    public Path bootLog() {
        return bootLog;
    }

    /** Powers the guest off (cleanly when it still answers) and removes the run directory. */
    @Override
    public void close() {
        if (qemu.isAlive()) {
            exec("systemctl poweroff", Duration.ofSeconds(20));
            try {
                if (!qemu.waitFor(60, TimeUnit.SECONDS)) {
                    qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                qemu.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            new ProcessBuilder("ssh", "-F", sshConfig.toString(), "-O", "exit", ADMIN_HOST)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5,
                            TimeUnit.SECONDS);
        } catch (IOException e) {
            // No master to stop.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (System.getenv("ZFS_SYNC_LAB_KEEP") == null) {
            deleteTree(runDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Leftovers in a temp directory are harmless; the next boot uses a new one.
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    private static void run(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new LabException(String.join(" ", argv) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for the lab guest", e);
        }
    }
}
