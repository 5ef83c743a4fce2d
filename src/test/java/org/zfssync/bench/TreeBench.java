package org.zfssync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private final List<String> tools;
    /** An earlier zfs-sync jar, for a before/after row on the same tree, or null. */
    private final Path before;
    private final List<String> zfsSyncArgs;
    private final String src = "treesrc/t";
    private final List<String> counts = new ArrayList<>();

    private TreeBench(LabGuest guest, Path jar, Path before, Path syncoid, Path work, int n, List<String> tools,
                      List<String> zfsSyncArgs) {
        this.guest = guest;
        this.jar = jar;
        this.before = before;
        this.syncoid = syncoid;
        this.work = work;
        this.n = n;
        this.tools = tools;
        this.zfsSyncArgs = zfsSyncArgs;
    }

    /**
     * Arguments: N (default 100); the tools, in order (default {@code zfs-sync,syncoid,hand}, with
     * {@code before} first when {@code -Dzfs.sync.before=JAR} names an earlier zfs-sync; also
     * {@code zfs-sync-j4}: zfs-sync with {@code -j 4}; {@code zfs-sync-noreuse}: with {@code --no-reuse-connections};
     * {@code hand-full}: the hand loop in the full round only);
     * then extra arguments for the {@code zfs-sync} row.
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        String beforeJar = System.getProperty("zfs.sync.before");
        List<String> tools = List.of((args.length > 1 ? args[1]
                : (beforeJar != null ? "before," : "") + "zfs-sync,syncoid,hand").split(","));
        List<String> extra = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        Path jar = Path.of(System.getProperty("zfs.sync.jar", "target/zfs-sync.jar"));
        Path before = beforeJar == null ? null : Path.of(beforeJar);
        Path syncoid = Path.of(System.getProperty("syncoid", "target/bench-tree/sanoid/usr/sbin/syncoid"));
        Path work = Files.createDirectories(Path.of("target/bench-tree"));
        try (LabGuest guest = LabGuest.boot(LabImage.ensure(System.getProperty("zfs.lab.variant", "2.3")))) {
            new TreeBench(guest, jar, before, syncoid, work, n, tools, extra).run();
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
                + " && for t in zs zs0 zs4 zsr; do zfs create -o mountpoint=none treedst/$t; done");
        System.out.printf(Locale.ROOT, "tree benchmark: OpenZFS %s, %s and %d children of 32 KiB, one snapshot each"
                + " (made in %.0f s); zfs-sync %s%n", guest.zfsVersion(), src, n, (System.nanoTime() - t0) / 1e9,
                String.join(" ", zfsSyncArgs));
        Map<String, Map<String, Double>> rounds = new LinkedHashMap<>();
        for (String round : List.of("full", "incremental")) {
            if (round.equals("incremental")) {
                sh("for i in $(seq -w 1 " + n + "); do head -c 4K /dev/urandom > /" + src + "/d$i/g; done"
                        + " && zfs snapshot -r " + src + "@s2");
            }
            Map<String, Double> row = new LinkedHashMap<>();
            for (String tool : tools) {
                if (tool.equals("hand-full")) {
                    // The hand loop's first round only: on 1,000 datasets each round of it takes over half an hour.
                    if (round.equals("full")) {
                        row.put("hand", hand(round));
                    }
                    continue;
                }
                row.put(tool, switch (tool) {
                    case "before" -> zfsSync(round, tool, before, List.of(), "treedst/zs0/t");
                    case "zfs-sync" -> zfsSync(round, tool, jar, zfsSyncArgs, "treedst/zs/t");
                    case "zfs-sync-j4" -> zfsSync(round, tool, jar, List.of("-j", "4"), "treedst/zs4/t");
                    case "zfs-sync-noreuse" -> zfsSync(round, tool, jar, List.of("--no-reuse-connections"), "treedst/zsr/t");
                    case "syncoid" -> syncoid();
                    case "hand" -> hand(round);
                    default -> throw new IllegalArgumentException("unknown tool " + tool);
                });
            }
            rounds.put(round, row);
        }
        int datasets = n + 1;
        System.out.printf(Locale.ROOT, "%-12s %-12s %9s %11s %12s %12s%n", "round", "tool", "seconds", "datasets/s",
                "syncoid / x", "hand / x");
        rounds.forEach((round, row) -> row.forEach((tool, seconds) -> System.out.printf(Locale.ROOT,
                "%-12s %-12s %9.1f %11.2f %12s %12s%n", round, tool, seconds, datasets / seconds,
                ratio(row.get("syncoid"), seconds), ratio(row.get("hand"), seconds))));
        counts.forEach(System.out::println);
        guest.exec("zpool destroy treesrc; zpool destroy treedst; true");
    }

    private static String ratio(Double reference, double x) {
        return reference == null ? "" : String.format(Locale.ROOT, "%.2f", reference / x);
    }

    /** Seconds of one {@code zfs-sync sync -r -v} of {@code jar}; its commands counted from the debug log. */
    private double zfsSync(String round, String tool, Path jar, List<String> args, String target) {
        List<String> argv = new ArrayList<>(List.of("java", "-jar", jar.toString(), "sync", "-v", "-r", "--ssh-config",
                guest.sshConfig().toString(), "--no-history"));
        argv.addAll(args);
        argv.addAll(List.of(LabGuest.SOURCE_HOST + ":" + src, LabGuest.TARGET_HOST + ":" + target));
        long t0 = System.nanoTime();
        Ran out = runOnHost(argv);
        double s = (System.nanoTime() - t0) / 1e9;
        count(round, tool, out.stderr());
        write(tool + "-" + round + ".log", out.stderr());
        return s;
    }

    /**
     * Per host: commands (each logged one, batched or not), ssh sessions (a control round trip on
     * the shared connection, a stream on a new one, or a sequence of streams on one) and streams
     * (each stream of a sequence counts, its session once).
     */
    private void count(String round, String tool, String log) {
        Map<String, int[]> byHost = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            Matcher m = LOGGED.matcher(line);
            if (!m.find()) {
                continue;
            }
            int[] c = byHost.computeIfAbsent(m.group(1), h -> new int[4]);
            String shown = m.group(2);
            if (shown.matches("\\(\\d+ (commands|streams) in one session\\)")) {
                c[1]++;
                continue;
            }
            c[0]++;
            if (shown.endsWith("# in sequence")) {
                c[2]++;
            } else if (!shown.endsWith("# batched")) {
                c[1]++;
                if (shown.contains("# kept data connection")) {
                    c[3]++;
                }
                if (shown.contains("zfs receive") || shown.matches(".*zfs send (?!-nv?P).*")) {
                    c[2]++;
                }
            }
        }
        int datasets = n + 1;
        byHost.forEach((host, c) -> counts.add(String.format(Locale.ROOT, "%s %s on %s: %d commands (%.2f per "
                + "dataset), %d ssh sessions (%.2f per dataset), %d streams (%d on a kept data connection)", tool,
                round, host, c[0], c[0] / (double) datasets, c[1], c[1] / (double) datasets, c[2], c[3])));
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
