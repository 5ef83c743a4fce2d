package org.zfssync.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.zfssync.host.ShellQuote;

/**
 * Two lab guests booted side by side from the one cached image (a qcow2 overlay each), each
 * reachable from this machine by its own ssh forward ({@link #SOURCE_HOST}, {@link #TARGET_HOST}
 * in {@link #sshConfig}), and joined to each other by a private network: a second network card,
 * hot-plugged once each guest is up, on a qemu socket link ({@code listen=} on the source's qemu,
 * {@code connect=} on the target's), {@value #SOURCE_IP} and {@value #TARGET_IP}. Nothing but the two guests is on that link, and
 * nothing of it passes through this machine's ssh.
 *
 * <p>The source holds a key the target accepts (the lab's own controller key, copied in at boot:
 * a throwaway key of a throwaway image) and the target's host key, under the alias
 * {@value #PEER} in root's ~/.ssh/config: what a user sets up for {@code --transport ssh-direct}.
 */
final class TwoGuests implements ExtensionContext.Store.CloseableResource {
    static final String SOURCE_HOST = "zfslab2-src";
    static final String TARGET_HOST = "zfslab2-dst";
    /** The target as the source reaches it over the private link (an alias in the source's ssh config). */
    static final String PEER = "zfslab-peer";
    static final String SOURCE_IP = "10.77.0.1";
    static final String TARGET_IP = "10.77.0.2";
    /** The private link's card in each guest (eth0 is the user-mode network of the ssh forward). */
    static final String LINK = "eth1";
    static final String FORWARD = "eth0";
    private static final int PAIR_ATTEMPTS = 2;

    private final LabGuest source;
    private final LabGuest target;
    private final Path dir;
    private final Path sshConfig;

    private TwoGuests(LabGuest source, LabGuest target, Path dir) {
        this.source = source;
        this.target = target;
        this.dir = dir;
        this.sshConfig = dir.resolve("ssh_config");
    }

    static TwoGuests boot() {
        String variant = System.getProperty("zfs.lab.variant", "2.3");
        Path image = LabImage.ensure(variant);
        LabException last = null;
        for (int attempt = 1; attempt <= PAIR_ATTEMPTS; attempt++) {
            long t0 = System.nanoTime();
            try {
                TwoGuests pair = bootOnce(image);
                System.out.printf("[lab] two guests up and linked in %d s: %s on 127.0.0.1:%d, %s on 127.0.0.1:%d%n",
                        (System.nanoTime() - t0) / 1_000_000_000L, SOURCE_HOST, pair.source.port(), TARGET_HOST,
                        pair.target.port());
                return pair;
            } catch (LabException e) {
                last = e;
                System.err.println("[lab] two-guest boot attempt " + attempt + " of " + PAIR_ATTEMPTS + " failed: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        throw last;
    }

    private static TwoGuests bootOnce(Path image) {
        LabGuest source = LabGuest.start(image, true);
        LabGuest target = LabGuest.start(image, true);
        try {
            source.awaitReady();
            target.awaitReady();
            TwoGuests pair = new TwoGuests(source, target, Files.createTempDirectory("zfs-sync-lab2-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
            pair.link();
            return pair;
        } catch (IOException | RuntimeException e) {
            source.close();
            target.close();
            throw e instanceof LabException l ? l : new LabException("cannot set up the two guests: " + e, e);
        }
    }

    /**
     * Gives a running guest its card on the private link: first a network file that matches the
     * card's MAC (sorting before the image's, which gives every eth* the ssh forward's address;
     * networkd restarted to read it, since networkctl needs D-Bus, which the guest lacks), then
     * the card itself, hot-plugged over QMP.
     */
    private static void addCard(LabGuest guest, String mac, String address, String socket) {
        String network = "[Match]\nMACAddress=" + mac + "\n[Network]\nAddress=" + address + "/24\n";
        guest.exec("printf '%s' " + ShellQuote.quote(network) + " > /etc/systemd/network/05-zfslab-link.network"
                + " && systemctl restart systemd-networkd").orThrow("writing the private link's network file");
        guest.qmp("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"socket\",\"id\":\"link\"," + socket + "}}");
        guest.qmp("{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"virtio-net-pci\",\"netdev\":\"link\","
                + "\"mac\":\"" + mac + "\",\"id\":\"linkcard\"}}");
    }

    /**
     * Addresses on the private link, the source's key and known host for the target, and this
     * machine's ssh config for both; then proves the source reaches the target by itself.
     */
    private void link() throws IOException {
        int linkPort = LabGuest.freeLoopbackPort();
        // The source listens, the target connects: one socket joins the two cards.
        addCard(source, "52:54:00:4c:00:01", SOURCE_IP, "\"listen\":\"127.0.0.1:" + linkPort + "\"");
        addCard(target, "52:54:00:4c:00:02", TARGET_IP, "\"connect\":\"127.0.0.1:" + linkPort + "\"");
        awaitAddress(source, SOURCE_IP);
        awaitAddress(target, TARGET_IP);
        Path image = source.imageDir();
        source.exec("mkdir -p /root/.ssh && chmod 700 /root/.ssh").orThrow("mkdir /root/.ssh");
        source.copyIn(image.resolve("id_ed25519"), "/root/.ssh/zfslab_peer_key");
        source.copyIn(image.resolve("known_hosts"), "/root/.ssh/zfslab_known_hosts");
        String peer = "Host " + PEER + "\n  HostName " + TARGET_IP + "\n  User root\n"
                + "  IdentityFile /root/.ssh/zfslab_peer_key\n  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile /root/.ssh/zfslab_known_hosts\n  HostKeyAlias zfs-sync-lab\n"
                + "  StrictHostKeyChecking yes\n";
        source.exec("chmod 600 /root/.ssh/zfslab_peer_key && printf '%s' " + ShellQuote.quote(peer)
                + " >> /root/.ssh/config && chmod 600 /root/.ssh/config").orThrow("writing the source's ssh config");
        LabGuest.LabResult reach = null;
        for (int i = 0; i < 15; i++) {
            reach = source.exec("ssh -o BatchMode=yes -o ConnectTimeout=10 " + PEER + " true", Duration.ofSeconds(60));
            if (reach.exitCode() == 0) {
                break;
            }
            sleep(Duration.ofSeconds(2));
        }
        if (reach.exitCode() != 0) {
            throw new LabException("the source guest cannot reach the target over the private link: " + reach.stderr());
        }
        Files.writeString(sshConfig, source.sshConfigEntry(SOURCE_HOST) + "\n" + target.sshConfigEntry(TARGET_HOST),
                StandardCharsets.UTF_8);
    }

    /** Waits for the hot-plugged card to appear as {@link #LINK} with its address. */
    private static void awaitAddress(LabGuest guest, String address) {
        String probe = "ip -br addr show dev " + LINK + " 2>&1";
        String seen = "";
        for (int i = 0; i < 30; i++) {
            seen = guest.exec(probe).stdout();
            if (seen.contains(address + "/24")) {
                return;
            }
            sleep(Duration.ofSeconds(2));
        }
        throw new LabException("the private link's card did not come up as " + LINK + " with " + address + ": " + seen);
    }

    Fixture fixture(String testName) {
        if (!source.isRunning() || !target.isRunning()) {
            throw new LabException("a guest of the two-guest lab is not running (qemu stopped)");
        }
        return new Fixture(LabFixture.create(source, testName), target);
    }

    @Override
    public void close() {
        source.close();
        target.close();
        try {
            Files.deleteIfExists(sshConfig);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A leftover in /tmp is harmless.
        }
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /**
     * One test's world on the two guests: a fresh source pool on the source guest (through a
     * {@link LabFixture} there, which also runs zfs-sync) and a fresh target pool on the target guest.
     */
    final class Fixture implements AutoCloseable {
        private final LabFixture onSource;
        private final LabGuest targetGuest;
        private final String targetPool;

        Fixture(LabFixture onSource, LabGuest targetGuest) {
            this.onSource = onSource;
            this.targetGuest = targetGuest;
            // The same name as the fixture's (unused) target pool on the source guest: unique in the run.
            this.targetPool = onSource.targetPool();
            targetGuest.createPool(targetPool, 768);
        }

        /** The source guest's side: its pool, its shell, and the zfs-sync runner. */
        LabFixture source() {
            return onSource;
        }

        /** {@code zfslab2-src:SOURCEPOOL/path} */
        String src(String path) {
            return SOURCE_HOST + ":" + onSource.sourcePool() + (path.isEmpty() ? "" : "/" + path);
        }

        /** {@code zfslab2-dst:TARGETPOOL/path} */
        String dst(String path) {
            return TARGET_HOST + ":" + targetPool + (path.isEmpty() ? "" : "/" + path);
        }

        String sourcePool() {
            return onSource.sourcePool();
        }

        String targetPool() {
            return targetPool;
        }

        /** Runs a shell command line in the target guest; fails the test on a non-zero exit. */
        String targetSh(String command) {
            return targetGuest.exec(command).orThrow(command).stdout();
        }

        /** Runs a shell command line in the target guest, whatever its exit status. */
        LabGuest.LabResult targetExec(String command, Duration timeout) {
            return targetGuest.exec(command, timeout);
        }

        /** Runs a shell command line in the source guest; fails the test on a non-zero exit. */
        String sourceSh(String command) {
            return onSource.sh(command);
        }

        /** zfs-sync with the two guests' ssh config. */
        LabFixture.Run zfsSync(String subcommand, String... args) {
            return start(subcommand, args).await(Duration.ofMinutes(20));
        }

        LabFixture.Background start(String subcommand, String... args) {
            String[] argv = new String[args.length + 3];
            argv[0] = subcommand;
            argv[1] = "--ssh-config";
            argv[2] = sshConfig.toString();
            System.arraycopy(args, 0, argv, 3, args.length);
            return onSource.startPlain(argv);
        }

        /** The digest of every file below a mounted dataset on the target guest. */
        String targetChecksum(String dataset) {
            String mount = targetSh("zfs get -H -o value mountpoint " + ShellQuote.quote(dataset)).strip();
            return targetSh(LabFixture.digestCommand(ShellQuote.quote(mount))).strip();
        }

        /** Bytes received plus sent by a network card of a guest, from its /proc/net/dev. */
        long sourceBytes(String card) {
            return bytes(onSource.guest(), card);
        }

        long targetBytes(String card) {
            return bytes(targetGuest, card);
        }

        /** Bytes received by a network card of the target guest. */
        long targetReceived(String card) {
            return counters(targetGuest, card)[0];
        }

        private long bytes(LabGuest guest, String card) {
            long[] c = counters(guest, card);
            return c[0] + c[1];
        }

        private long[] counters(LabGuest guest, String card) {
            String line = guest.exec("grep " + ShellQuote.quote(card + ":") + " /proc/net/dev").orThrow("read "
                    + card + " counters").stdout().strip();
            String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
            return new long[] {Long.parseLong(f[0]), Long.parseLong(f[8])};
        }

        @Override
        public void close() {
            onSource.close();
            if (targetGuest.isRunning()) {
                targetGuest.destroyPool(targetPool);
            }
        }
    }
}
