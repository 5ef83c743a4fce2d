package org.zfssync.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.zfssync.lab.LabGuest;
import org.zfssync.lab.LabImage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zfs-sync demo}: boots the ZFS lab (building it on first use), replicates a small tree
 * between two pools over ssh, changes data, replicates again and shows both sides.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows zfs-sync at work without any ZFS on this machine: boots real OpenZFS in a qemu "
                + "guest (built from Debian packages on first use, ~15 min; then ~1 min), replicates a dataset "
                + "tree between two pools over ssh, changes data, runs the incremental, shows both sides, and "
                + "shuts the guest down."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--variant", defaultValue = "2.3", paramLabel = "2.1|2.3",
            description = "OpenZFS version of the guest (default: ${DEFAULT-VALUE}).")
    String variant;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        step(out, "building or reusing the lab image for OpenZFS " + variant + " (first time only: about 15 minutes)");
        long t0 = System.nanoTime();
        Path image = LabImage.ensure(variant);
        step(out, "image ready in " + seconds(t0) + " s: " + image);
        long t1 = System.nanoTime();
        step(out, "booting the guest (qemu, software emulation)");
        try (LabGuest guest = LabGuest.boot(image)) {
            step(out, "guest up in " + seconds(t1) + " s, running " + guest.zfsVersion() + "; ssh on 127.0.0.1:"
                    + guest.port() + " only");
            guest.createPool("demosrc", 512);
            guest.createPool("demodst", 512);
            guest.exec(String.join(" && ",
                    "zfs create demosrc/data", "zfs create demosrc/data/projects", "zfs create demosrc/data/projects/alpha",
                    "zfs create demosrc/data/home", "zfs create -V 16M demosrc/data/vol",
                    "head -c 8M /dev/urandom > /demosrc/data/projects/alpha/blob.bin",
                    "seq 1 100000 > /demosrc/data/home/numbers.txt",
                    "echo 'hello from zfs-sync' > /demosrc/data/README")).orThrow("creating the demo tree");
            String[] sync = {"sync", "-r", "--ssh-config", guest.sshConfig().toString(),
                LabGuest.SOURCE_HOST + ":demosrc/data", LabGuest.TARGET_HOST + ":demodst/backup/data"};
            step(out, "first run (full send of the tree): zfs-sync " + String.join(" ", sync));
            int first = ZfsSyncCommand.commandLine().setOut(out).execute(sync);
            step(out, "changing data: a new file in alpha, one line appended in home");
            guest.exec("head -c 2M /dev/urandom > /demosrc/data/projects/alpha/new.bin"
                    + " && echo more >> /demosrc/data/home/numbers.txt").orThrow("changing the demo data");
            step(out, "second run (incremental; unchanged datasets send nothing)");
            int second = ZfsSyncCommand.commandLine().setOut(out).execute(sync);
            step(out, "both sides now:");
            out.print(guest.exec("zfs list -r -t all -o name,used,refer demosrc/data demodst/backup").stdout());
            String sums = "cd /%s && find . -type f | sort | xargs sha256sum | sha256sum";
            String a = guest.exec(String.format(sums, "demosrc/data")).stdout().strip();
            String b = guest.exec(String.format(sums, "demodst/backup/data")).stdout().strip();
            boolean same = a.equals(b);
            step(out, "file checksums " + (same ? "match" : "DIFFER") + " on both sides (" + a.substring(0, 16) + "…)");
            step(out, "shutting the guest down");
            out.flush();
            return first == 0 && second == 0 && same ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    private static void step(PrintWriter out, String text) {
        out.println("[demo] " + text);
        out.flush();
    }

    private static long seconds(long start) {
        return (System.nanoTime() - start) / 1_000_000_000L;
    }
}
