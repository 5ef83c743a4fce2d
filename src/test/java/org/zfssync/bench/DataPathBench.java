package org.zfssync.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.LocalHost;
import org.zfssync.host.ShellQuote;
import org.zfssync.lab.LabGuest;
import org.zfssync.lab.LabImage;

/**
 * The data-path benchmark of the transports issue, on the lab guest, one run, the same pools and
 * data for every row: MiB/s of (a) {@code zfs send | zfs receive} inside the guest, (b) the same
 * stream relayed by hand through this machine ({@code ssh 'zfs send' | ssh 'zfs receive'}, the
 * relay's own topology, with the lab's ssh config and cipher), with and without compression, and
 * (c) {@code zfs-sync sync} over the relay with each {@code --compress}, and the two direct transports
 * beside their own hand-written pipes: (d) {@code ssh SRC 'zfs send | ssh PEER zfs receive'} and
 * zfs-sync's {@code ssh-direct}, (e) {@code zfs send | socat OPENSSL-LISTEN} with
 * {@code socat OPENSSL: | zfs receive} and zfs-sync's {@code tls}. In the one guest, the
 * "direct" hop is the guest's own loopback (the data does not leave it, as the relay's does),
 * so (d) and (e) compare each transport with its hand pipe, not the transports with each other.
 * zfs-sync's rate is the
 * stream's (its own "sent N bytes in M ms" line, from the first byte to the verified end),
 * and, apart, end to end (probe, snapshot, listing and cleanup included). Each figure is the
 * median of {@code runs}; each zfs-sync row runs by turns with its hand pipe, and its ratio is
 * the median of the per-turn ratios, so that load from elsewhere on this shared machine weighs
 * on both sides of a ratio alike. Figures only, never assertions. Run by {@code .ci/bench-datapath}.
 *
 * <p>The data: half random (incompressible), half text (compresses about 5:1), in a pool with
 * compression off, so a compressor has work and the stream carries every byte.
 */
public final class DataPathBench {
    private static final Pattern SENT = Pattern.compile("sent (\\d+) bytes to \\S+ in (\\d+) ms");
    private final LocalHost local = new LocalHost((host, display, changes) -> { });
    private final LabGuest guest;
    private final Path jar;
    private final int runs;
    private final String src = "benchsrc/data";
    private final String dst = "benchdst";
    /** The guest as it reaches itself over ssh, for ssh-direct: an alias in root's ssh config there. */
    private static final String PEER = "zfslab-peer";
    /** The hand pipes' mbuffer: what zfs-sync runs for {@code --mbuffer-size 32M} (Buffering). */
    private static final String MBUFFER = "mbuffer -q -s 128k -m 32M";
    private long streamBytes;

    private DataPathBench(LabGuest guest, Path jar, int runs) {
        this.guest = guest;
        this.jar = jar;
        this.runs = runs;
    }

    public static void main(String[] args) {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path jar = Path.of(System.getProperty("zfs.sync.jar", "target/zfs-sync.jar"));
        try (LabGuest guest = LabGuest.boot(LabImage.ensure(System.getProperty("zfs.lab.variant", "2.3")))) {
            new DataPathBench(guest, jar, runs).run(mib);
        }
    }

    private void run(int mib) {
        guest.exec("zpool destroy benchsrc; zpool destroy benchdst; true");
        guest.createPool("benchsrc", 2 * mib + 256);
        guest.createPool("benchdst", 2 * mib + 256);
        sh("zfs set compression=off benchsrc benchdst && zfs create " + src
                + " && head -c " + (mib / 2) + "M /dev/urandom > /" + src + "/random"
                + " && seq 1 100000000 | head -c " + (mib / 2) + "M > /" + src + "/text"
                + " && zpool sync && zfs snapshot " + src + "@b");
        streamBytes = Long.parseLong(sh("zfs send -nvP " + src + "@b | awk '/^size/ {print $2}'").strip());
        System.out.printf(Locale.ROOT, "data-path benchmark: OpenZFS %s, %d MiB stream (%s half random, half text),"
                + " median of %d runs%n", guest.zfsVersion(), streamBytes >> 20, src, runs);

        List<Row> rows = new ArrayList<>();
        double local = median(() -> timedInGuest("zfs send " + src + "@b | zfs receive -u " + dst + "/x"));
        rows.add(new Row("(a) zfs send | zfs receive, in the guest", mib(local), -1));
        // The hand pipes run the very compressor commands zfs-sync runs (Compression): the same tool,
        // level and threads (zstd on one thread, as zfs-sync leaves a busy host its other cores).
        String[][] compressors = {{"none", "", ""}, {"lz4", " | lz4 -q -c", "lz4 -q -d -c | "},
            {"zstd", " | zstd -q -c -3", "zstd -q -d -c | "}};
        // -Dzfs.bench.only=relay|direct|tls: one group of rows (a quick look; README's table is a whole run).
        String only = System.getProperty("zfs.bench.only", "");
        if (only.isEmpty() || only.equals("relay")) {
            for (String[] c : compressors) {
                compare(rows, "(b) by hand: ssh 'zfs send" + c[1] + "' | ssh '" + c[2] + "zfs receive'",
                        relayByHand(c), "(c) zfs-sync relay --compress " + c[0], c[0]);
            }
            // mbuffers on both hosts, by hand and by zfs-sync when asked: what the default leaves out.
            String[] buffered = {"none", " | " + MBUFFER, MBUFFER + " | "};
            compare(rows, "(b) by hand: ssh 'zfs send | mbuffer' | ssh 'mbuffer | zfs receive'", relayByHand(buffered),
                    "(c) zfs-sync relay --compress none --mbuffer-size 32M", "none", "--mbuffer-size", "32M");
        }
        if (only.isEmpty() || only.equals("direct") || only.equals("tls")) {
            directTransports(rows, compressors, only);
        }
        System.out.printf(Locale.ROOT, "%-100s %7s %7s %7s%n", "path", "MiB/s", "/ (a)", "/ hand");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-100s %7.1f %7.2f %7s%n", r.what(), r.mibPerSecond(),
                    r.mibPerSecond() / mib(local), r.ratio() < 0 ? "" : String.format(Locale.ROOT, "%.2f", r.ratio()));
        }
        guest.exec("zpool destroy benchsrc; zpool destroy benchdst; true");
    }

    /** A row: the rate, and for zfs-sync the median of its rate over the hand pipe's, run by turns; else -1. */
    private record Row(String what, double mibPerSecond, double ratio) {
    }

    private String relayByHand(String[] c) {
        return "ssh -F " + guest.sshConfig() + " " + LabGuest.SOURCE_HOST + " " + ShellQuote.quote("zfs send " + src
                + "@b" + c[1]) + " | ssh -F " + guest.sshConfig() + " " + LabGuest.TARGET_HOST + " "
                + ShellQuote.quote(c[2] + "zfs receive -u " + dst + "/x");
    }

    /**
     * The hand pipe and zfs-sync run by turns, {@code runs} times: two rows, each with its median
     * rate, and zfs-sync's with the median of its per-turn ratios. By turns, so that a slow spell
     * of this shared machine (other guests) weighs on both sides of a ratio alike.
     */
    private void compare(List<Row> rows, String handWhat, String handPipe, String toolWhat, String compress,
                         String... transport) {
        List<Double> hand = new ArrayList<>();
        List<Double> tool = new ArrayList<>();
        List<Double> ends = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            double h = timedOnHost(handPipe);
            double[] endToEnd = new double[1];
            double t = zfsSync(compress, endToEnd, transport);
            hand.add(h);
            tool.add(t);
            ends.add(endToEnd[0]);
            ratios.add(h / t);
        }
        rows.add(new Row(handWhat, mib(middle(hand)), -1));
        rows.add(new Row(toolWhat + " (stream; end to end " + String.format(Locale.ROOT, "%.1f", mib(middle(ends)))
                + " MiB/s)", mib(middle(tool)), middle(ratios)));
    }

    /** (d) ssh-direct and (e) tls, each by hand and by zfs-sync, without compression and with zstd. */
    private void directTransports(List<Row> rows, String[][] compressors, String only) {
        guest.copyIn(guest.imageDir().resolve("id_ed25519"), "/root/.ssh/zfslab_peer_key");
        guest.copyIn(guest.imageDir().resolve("known_hosts"), "/root/.ssh/zfslab_known_hosts");
        sh("chmod 600 /root/.ssh/zfslab_peer_key && grep -q '^Host " + PEER + "$' /root/.ssh/config 2>/dev/null || "
                + "printf '%s' " + ShellQuote.quote("Host " + PEER + "\n  HostName 127.0.0.1\n  User root\n"
                + "  IdentityFile /root/.ssh/zfslab_peer_key\n  IdentitiesOnly yes\n"
                + "  UserKnownHostsFile /root/.ssh/zfslab_known_hosts\n  HostKeyAlias zfs-sync-lab\n")
                + " >> /root/.ssh/config");
        sh("mkdir -p /root/bench-tls && cd /root/bench-tls && for s in a b; do openssl req -x509 -newkey ec "
                + "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=$s -keyout $s.key -out $s.pem "
                + "2>/dev/null; done");
        for (String[] c : only.equals("tls") ? new String[0][] : new String[][] {compressors[0], compressors[2]}) {
            String hand = "ssh -F " + guest.sshConfig() + " " + LabGuest.SOURCE_HOST + " " + ShellQuote.quote(
                    "zfs send " + src + "@b" + c[1] + " | ssh " + PEER + " " + ShellQuote.quote(c[2] + "zfs receive -u "
                    + dst + "/x"));
            compare(rows, "(d) by hand: ssh SRC 'zfs send" + c[1] + " | ssh PEER \"" + c[2] + "zfs receive\"'", hand,
                    "(d) zfs-sync ssh-direct --compress " + c[0], c[0], "--transport", "ssh-direct",
                    "--direct-target-address", PEER);
        }
        // Buffers on both ends, by hand and by zfs-sync when asked: what the direct default leaves out.
        String buffered = "ssh -F " + guest.sshConfig() + " " + LabGuest.SOURCE_HOST + " " + ShellQuote.quote(
                "zfs send " + src + "@b | " + MBUFFER + " | ssh " + PEER + " " + ShellQuote.quote(MBUFFER
                + " | zfs receive -u " + dst + "/x"));
        if (!only.equals("tls")) {
            compare(rows, "(d) by hand: ssh SRC 'zfs send | mbuffer | ssh PEER \"mbuffer | zfs receive\"'", buffered,
                    "(d) zfs-sync ssh-direct --compress none --mbuffer-size 32M", "none", "--transport", "ssh-direct",
                    "--direct-target-address", PEER, "--mbuffer-size", "32M");
        }
        String tls = "cert=/root/bench-tls/%s.pem,key=/root/bench-tls/%s.key,cafile=/root/bench-tls/%s.pem,verify=1";
        for (String[] c : new String[][] {compressors[0], compressors[2]}) {
            String listen = "zfs send " + src + "@b" + c[1] + " | socat -u STDIN OPENSSL-LISTEN:7450,bind=127.0.0.1,"
                    + "reuseaddr," + String.format(tls, "a", "a", "b");
            String connect = "socat -u OPENSSL:127.0.0.1:7450,retry=100,interval=0.1,commonname=a,"
                    + String.format(tls, "b", "b", "a") + " STDOUT | " + c[2] + "zfs receive -u " + dst + "/x";
            String hand = "ssh -F " + guest.sshConfig() + " " + LabGuest.SOURCE_HOST + " " + ShellQuote.quote(listen)
                    + " & ssh -F " + guest.sshConfig() + " " + LabGuest.TARGET_HOST + " " + ShellQuote.quote(connect)
                    + " && wait";
            compare(rows, "(e) by hand: 'zfs send" + c[1] + " | socat OPENSSL-LISTEN' & 'socat OPENSSL: | " + c[2]
                    + "zfs receive'", hand, "(e) zfs-sync tls --compress " + c[0], c[0], "--transport", "tls",
                    "--tls-listen", "127.0.0.1");
        }
    }

    /** Seconds of one {@code zfs-sync sync} stream (from its log), its end-to-end seconds into {@code endToEnd[0]}. */
    private double zfsSync(String compress, double[] endToEnd, String... transport) {
        List<String> argv = new ArrayList<>(List.of("java", "-jar", jar.toString(), "sync", "--ssh-config",
                guest.sshConfig().toString(), "--no-history", "--no-snapshot", "--compress", compress));
        argv.addAll(List.of(transport));
        argv.addAll(List.of(LabGuest.SOURCE_HOST + ":" + src, LabGuest.TARGET_HOST + ":" + dst + "/x"));
        long t0 = System.nanoTime();
        CommandResult out = runOnHost(argv);
        endToEnd[0] = (System.nanoTime() - t0) / 1e9;
        Matcher m = SENT.matcher(out.stderr());
        if (!m.find()) {
            throw new IllegalStateException("zfs-sync printed no 'sent N bytes' line:\n" + out.output());
        }
        cleanTarget();
        return Long.parseLong(m.group(2)) / 1000.0;
    }

    private double timedInGuest(String pipe) {
        String out = sh("t0=$(date +%s%N); " + pipe + " && t1=$(date +%s%N) && echo $((t1 - t0))");
        cleanTarget();
        return Long.parseLong(out.strip()) / 1e9;
    }

    private double timedOnHost(String pipe) {
        long t0 = System.nanoTime();
        runOnHost(List.of("bash", "-o", "pipefail", "-c", pipe));
        double s = (System.nanoTime() - t0) / 1e9;
        cleanTarget();
        return s;
    }

    private void cleanTarget() {
        sh("zfs destroy -r " + dst + "/x");
    }

    private double mib(double seconds) {
        return streamBytes / seconds / (1 << 20);
    }

    private interface Timed {
        double seconds();
    }

    private double median(Timed timed) {
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            all.add(timed.seconds());
        }
        return middle(all);
    }

    private static double middle(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private String sh(String command) {
        LabGuest.LabResult r = guest.exec(command, Duration.ofMinutes(10));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("in the guest: " + command + ": exit " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /** Runs argv here to completion (both outputs drained at once, within the command deadline); fails unless exit 0. */
    private CommandResult runOnHost(List<String> argv) {
        CommandResult r = local.run(Command.changing(argv));
        if (!r.ok()) {
            throw new IllegalStateException(String.join(" ", argv) + ": exit " + r.exitCode() + "\n" + r.output());
        }
        return r;
    }
}
