package org.zfssync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zfssync.host.ShellQuote;
import org.zfssync.lab.LabGuest;
import org.zfssync.lab.LabImage;

/**
 * The many-small-datasets benchmark of the transports issue, on the lab guest, one run, one tree:
 * a root with {@code n} children of 32 KiB each, one snapshot each. Times, on that tree, (a)
 * {@code zfs-sync sync -r} remote to remote as users run it (relay, its own sync snapshot), (b)
 * {@code syncoid -r} (Debian's sanoid package, run on this machine, ssh to both ends), (c) a
 * hand-written loop {@code for ds: ssh src zfs send | ssh dst zfs receive}; then, after a small
 * change to every dataset, an incremental round of each. Also counts, from zfs-sync's debug log
 * ({@code -v}), its commands, ssh sessions and streams per dataset. Figures only, never
 * assertions. Run by {@code .ci/bench-tree}.
 */
public final class TreeBench {
    /** A command as {@code CommandStats} logs it at debug: {@code [host] ssh ...}. */
    private static final Pattern LOGGED = Pattern.compile("DEBUG +\\[(zfslab-(?:src|dst))\\] (.*)");
    private final LabGuest guest;
    private final Path jar;
    private final Path syncoid;
    private final Path work;
    private final int n;
    private final Set<String> tools;
    private final List<String> zfsSyncArgs;
    private final String src = "treesrc/t";
    private final Map<String, double[]> seconds = new LinkedHashMap<>();
    private final List<String> counts = new ArrayList<>();

    private TreeBench(LabGuest guest, Path jar, Path syncoid, Path work, int n, Set<String> tools,
                      List<String> zfsSyncArgs) {
        this.guest = guest;
        this.jar = jar;
        this.syncoid = syncoid;
        this.work = work;
        this.n = n;
        this.tools = tools;
        this.zfsSyncArgs = zfsSyncArgs;
    }

    /** Arguments: N (default 100), tools (default zfs-sync,syncoid,hand), then extra zfs-sync sync arguments. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Set<String> tools = Set.of((args.length > 1 ? args[1] : "zfs-sync,syncoid,hand").split(","));
        List<String> extra = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        Path jar = Path.of(System.getProperty("zfs.sync.jar", "target/zfs-sync.jar"));
        Path syncoid = Path.of(System.getProperty("syncoid", "target/bench-tree/sanoid/usr/sbin/syncoid"));
        Path work = Files.createDirectories(Path.of("target/bench-tree"));
        try (LabGuest guest = LabGuest.boot(LabImage.ensure(System.getProperty("zfs.lab.variant", "2.3")))) {
            new TreeBench(guest, jar, syncoid, work, n, tools, extra).run();
        }
    }

    private void run() {
        guest.exec("zpool destroy treesrc; zpool destroy treedst; true");
        int mib = 256 + n / 2;
        guest.createPool("treesrc", mib);
        guest.createPool("treedst", 3 * mib);
        long t0 = System.nanoTime();
        sh("zfs create " + src + " && for i in $(seq -w 1 " + n + "); do zfs create " + src + "/d$i"
                + " && head -c 32K /dev/urandom > /" + src + "/d$i/f; done && zfs snapshot -r " + src + "@s1"
                + " && zfs create -o mountpoint=none treedst/hand && zfs create -o mountpoint=none treedst/sy"
                + " && zfs create -o mountpoint=none treedst/zs");
        System.out.printf(Locale.ROOT, "tree benchmark: OpenZFS %s, %s and %d children of 32 KiB, one snapshot each"
                + " (made in %.0f s); zfs-sync %s%n", guest.zfsVersion(), src, n, (System.nanoTime() - t0) / 1e9,
                String.join(" ", zfsSyncArgs));
        for (String round : List.of("full", "incremental")) {
            if (round.equals("incremental")) {
                sh("for i in $(seq -w 1 " + n + "); do head -c 4K /dev/urandom > /" + src + "/d$i/g; done"
                        + " && zfs snapshot -r " + src + "@s2");
            }
            double[] row = new double[3];
            row[0] = tools.contains("zfs-sync") ? zfsSync(round) : -1;
            row[1] = tools.contains("syncoid") ? syncoid() : -1;
            row[2] = tools.contains("hand") ? hand(round) : -1;
            seconds.put(round, row);
        }
        int datasets = n + 1;
        System.out.printf(Locale.ROOT, "%-13s %-10s %9s %11s %12s %12s%n", "round", "tool", "seconds", "datasets/s",
                "syncoid / x", "hand / x");
        String[] names = {"zfs-sync", "syncoid", "hand loop"};
        seconds.forEach((round, row) -> {
            for (int i = 0; i < 3; i++) {
                if (row[i] < 0) {
                    continue;
                }
                System.out.printf(Locale.ROOT, "%-13s %-10s %9.1f %11.2f %12s %12s%n", round, names[i], row[i],
                        datasets / row[i], ratio(row[1], row[i]), ratio(row[2], row[i]));
            }
        });
        counts.forEach(System.out::println);
        guest.exec("zpool destroy treesrc; zpool destroy treedst; true");
    }

    private static String ratio(double reference, double x) {
        return reference < 0 ? "" : String.format(Locale.ROOT, "%.2f", reference / x);
    }

    /** Seconds of one {@code zfs-sync sync -r -v}; its commands counted from the debug log. */
    private double zfsSync(String round) {
        List<String> argv = new ArrayList<>(List.of("java", "-jar", jar.toString(), "sync", "-v", "-r", "--ssh-config",
                guest.sshConfig().toString(), "--no-history"));
        argv.addAll(zfsSyncArgs);
        argv.addAll(List.of(LabGuest.SOURCE_HOST + ":" + src, LabGuest.TARGET_HOST + ":treedst/zs/t"));
        long t0 = System.nanoTime();
        Ran out = runOnHost(argv);
        double s = (System.nanoTime() - t0) / 1e9;
        count(round, out.stderr());
        write("zfs-sync-" + round + ".log", out.stderr());
        return s;
    }

    /**
     * Per host: commands (each logged one, batched or not), ssh sessions (a control round trip on
     * the shared connection, or a stream on a new one) and streams among them.
     */
    private void count(String round, String log) {
        Map<String, int[]> byHost = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            Matcher m = LOGGED.matcher(line);
            if (!m.find()) {
                continue;
            }
            int[] c = byHost.computeIfAbsent(m.group(1), h -> new int[3]);
            String shown = m.group(2);
            if (shown.matches("\\(\\d+ commands in one session\\)")) {
                c[1]++;
                continue;
            }
            c[0]++;
            if (!shown.endsWith("# batched")) {
                c[1]++;
                if (shown.contains("zfs receive") || shown.matches(".*zfs send (?!-nv?P).*")) {
                    c[2]++;
                }
            }
        }
        int datasets = n + 1;
        byHost.forEach((host, c) -> counts.add(String.format(Locale.ROOT, "zfs-sync %s on %s: %d commands (%.2f per "
                + "dataset), %d ssh sessions (%.2f per dataset), %d of them streams", round, host, c[0],
                c[0] / (double) datasets, c[1], c[1] / (double) datasets, c[2])));
    }

    /** Seconds of one {@code syncoid -r}, reaching both ends through the lab's ssh settings. */
    private double syncoid() {
        List<String> argv = new ArrayList<>(List.of("perl", syncoid.toString(), "-r", "--no-privilege-elevation"));
        for (String option : List.of("HostName=127.0.0.1", "Port=" + guest.port(), "User=root",
                "IdentityFile=" + guest.identityFile(), "IdentitiesOnly=yes",
                "UserKnownHostsFile=" + guest.identityFile().resolveSibling("known_hosts"),
                "HostKeyAlias=zfs-sync-lab", "StrictHostKeyChecking=yes", "BatchMode=yes", "LogLevel=ERROR")) {
            argv.add("--sshoption=" + option);
        }
        argv.addAll(List.of("root@" + LabGuest.SOURCE_HOST + ":" + src, "root@" + LabGuest.TARGET_HOST + ":treedst/sy/t"));
        long t0 = System.nanoTime();
        Ran out = runOnHost(argv);
        double s = (System.nanoTime() - t0) / 1e9;
        write("syncoid.log", out.stdout() + out.stderr());
        return s;
    }

    /** Seconds of the hand-written loop: one {@code ssh src zfs send | ssh dst zfs receive} per dataset. */
    private double hand(String round) {
        String ssh = "ssh -F " + ShellQuote.quote(guest.sshConfig().toString());
        String send = round.equals("full") ? "zfs send \"$ds@s1\"" : "zfs send -i @s1 \"$ds@s2\"";
        String script = "set -euo pipefail\nfor ds in $(" + ssh + " " + LabGuest.SOURCE_HOST + " zfs list -H -o name -r "
                + src + "); do\n  " + ssh + " " + LabGuest.SOURCE_HOST + " \"" + send + "\" | " + ssh + " "
                + LabGuest.TARGET_HOST + " \"zfs receive -u treedst/hand/${ds#treesrc/}\"\ndone\n";
        long t0 = System.nanoTime();
        runOnHost(List.of("bash", "-c", script));
        return (System.nanoTime() - t0) / 1e9;
    }

    private void write(String name, String text) {
        try {
            Files.writeString(work.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String sh(String command) {
        LabGuest.LabResult r = guest.exec(command, Duration.ofMinutes(30));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("in the guest: " + command + ": exit " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    /**
     * Runs argv here to completion, its outputs into files (no deadline: a slow tool on a big tree
     * may take longer than any command deadline zfs-sync has); fails unless exit 0.
     */
    private Ran runOnHost(List<String> argv) {
        try {
            Path out = work.resolve("last.out");
            Path err = work.resolve("last.err");
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int exit = p.waitFor();
            Ran r = new Ran(Files.readString(out), Files.readString(err));
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", argv) + ": exit " + exit + "\n" + r.stdout() + r.stderr());
            }
            return r;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private record Ran(String stdout, String stderr) {
    }
}
