package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.host.ShellQuote;

/**
 * Least privilege on real OpenZFS: a user that is not root on either side, given exactly what
 * {@code zfs-sync allow} printed (its {@code zfs allow} commands, run by root, and its
 * {@code authorized_keys} line, restrict and from= included), runs a full sync of a tree, an
 * incremental one, one cut by SIGTERM and resumed from its token, and a job whose retention prunes
 * both sides. Then one permission is taken away: {@code check} names it and exits 3, and a run
 * fails with it in its message.
 */
@ZfsLab
@Tag("install")
class DelegatedPermissionsLabTest {
    private static final String USER = "zfsdeleg";
    private static final long MIB = 1024L * 1024;

    @TempDir
    Path dir;

    @Test
    void aUserGivenOnlyWhatAllowPrintedReplicatesResumesAndPrunes(LabFixture lab) throws IOException {
        String s = lab.sourcePool();
        String t = lab.targetPool();
        lab.sh("zfs create " + s + "/data && zfs create " + s + "/data/child && zfs create " + t + "/backup");
        lab.writeRandom(s + "/data", "f", 1);
        lab.writeRandom(s + "/data/child", "g", 1);
        // A plain account with an empty authorized_keys: it can do nothing until the admin acts.
        lab.sh("id " + USER + " >/dev/null 2>&1 || useradd --create-home --shell /bin/sh " + USER
                + "; install -d -m 700 -o " + USER + " -g " + USER + " ~" + USER + "/.ssh"
                + " && install -m 600 -o " + USER + " -g " + USER + " /dev/null ~" + USER + "/.ssh/authorized_keys");
        String src = USER + "@" + LabGuest.SOURCE_HOST + ":" + s + "/data";
        String dst = USER + "@" + LabGuest.TARGET_HOST + ":" + t + "/backup/data";

        // The controller reaches the guest through qemu's user network: from 10.0.2.2.
        LabFixture.Run allow = lab.zfsSync("allow", "--user", USER, "-i", lab.guest().identityFile().toString(),
                "--from", "10.0.2.2", "root@" + LabGuest.SOURCE_HOST + ":" + s + "/data",
                "root@" + LabGuest.TARGET_HOST + ":" + t + "/backup/data");
        assertThat(allow.exitCode()).as(allow.toString()).isZero();
        List<String> grants = allow.stdout().lines().filter(l -> l.startsWith("zfs allow ")).toList();
        List<String> keys = allow.stdout().lines().filter(l -> l.startsWith("restrict,")).distinct().toList();
        assertThat(grants).as(allow.stdout()).hasSize(2);
        assertThat(keys).as("one authorized_keys line (both sides are the same user of the guest)\n%s", allow.stdout())
                .hasSize(1);
        // As the admin would: root runs the printed commands and installs the printed line, nothing more.
        grants.forEach(lab::sh);
        lab.sh("printf '%s\\n' " + ShellQuote.quote(keys.get(0)) + " > ~" + USER + "/.ssh/authorized_keys");

        LabFixture.Run check = lab.zfsSync("check", src, dst);
        assertThat(check.exitCode()).as(check.toString()).isZero();
        assertThat(check.stdout()).contains("user " + USER + " may do everything zfs-sync needs");

        LabFixture.Run full = lab.zfsSync("sync", "-r", src, dst);
        assertThat(full.exitCode()).as(full.toString()).isZero();
        assertThat(full.stderr()).contains("full send");
        // Channel programs need root: the two cursors went one by one (ChannelBatch's fallback).
        assertThat(full.stderr()).contains("zfs program is not available on");
        assertIdentical(lab);

        lab.writeRandom(s + "/data", "h", 1);
        LabFixture.Run incremental = lab.zfsSync("sync", "-r", src, dst);
        assertThat(incremental.exitCode()).as(incremental.toString()).isZero();
        assertThat(incremental.stdout()).contains("1 replicated", "1 up to date");
        assertIdentical(lab);

        // Resume: SIGTERM while the stream is 3 MiB into 12 (at 2 MiB/s); the receive keeps its token.
        lab.writeRandom(s + "/data", "big", 12);
        LabFixture.Background cut = lab.start("sync", "-r", "--bwlimit", "2M", "--compress", "none", src, dst);
        try (FaultMeter meter = new FaultMeter(cut)) {
            assertThat(meter.awaitReceiveInto(List.of(t + "/backup/data"), 3 * MIB, Duration.ofMinutes(3)))
                    .as("a receive into the target read 3 MiB; %s", cut.stderrSoFar()).isTrue();
            cut.term();
        }
        LabFixture.Run stopped = cut.await(Duration.ofMinutes(2));
        assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(143);
        assertThat(lab.resumeTokens(t)).as("the cut receive's resume token").containsOnlyKeys(t + "/backup/data");
        LabFixture.Run resumed = lab.zfsSync("sync", "-r", src, dst);
        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.stderr()).contains("resuming the interrupted receive");
        assertThat(lab.resumeTokens(t)).isEmpty();
        assertIdentical(lab);

        // Prune: a job keeping one snapshot on each side destroys the others as this user.
        Path config = dir.resolve("zfs-sync.yaml");
        Files.writeString(config, """
                defaults:
                  ssh-config: %s
                jobs:
                  - name: delegated
                    source: %s
                    targets: [%s]
                    retention:
                      source: {last: 1}
                      target: {last: 1}
                """.formatted(lab.guest().sshConfig(), src, dst));
        List<String> args = List.of("run", "-c", config.toString(), "--lock-dir", dir.resolve("locks").toString(),
                "--no-history");
        lab.writeRandom(s + "/data", "i", 1);
        LabFixture.Run first = lab.zfsSyncPlain(args.toArray(String[]::new));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        lab.writeRandom(s + "/data", "j", 1);
        LabFixture.Run job = lab.zfsSyncPlain(args.toArray(String[]::new));
        assertThat(job.exitCode()).as(job.toString()).isZero();
        assertThat(job.stdout()).containsPattern("prune source .*: destroyed [1-9]\\d* snapshot")
                .containsPattern("prune target .*: destroyed [1-9]\\d* snapshot");
        assertThat(lab.snapshots(s + "/data")).as("source, last 1").hasSize(1);
        assertThat(lab.snapshots(t + "/backup/data")).as("target, last 1").isEqualTo(lab.snapshots(s + "/data"));
        assertIdentical(lab);

        // One permission taken away: check names it, and a run fails saying so.
        lab.sh("zfs unallow -u " + USER + " hold " + s + "/data");
        LabFixture.Run missing = lab.zfsSync("check", src, dst);
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(3);
        assertThat(missing.stdout()).contains("user " + USER + " lacks the zfs permission 'hold' on " + s + "/data")
                .doesNotContain("lacks the zfs permission 'send'");
        lab.writeRandom(s + "/data", "k", 1);
        LabFixture.Run refused = lab.zfsSync("sync", "-r", src, dst);
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stdout() + refused.stderr()).contains("cannot hold: permission denied");
    }

    /**
     * Compares the trees by content. Linux lets only root mount, so what the user received is
     * not mounted: root mounts it (read-only targets) to read it.
     */
    private static void assertIdentical(LabFixture lab) {
        String s = lab.sourcePool() + "/data";
        String t = lab.targetPool() + "/backup/data";
        lab.sh("zfs list -H -o name,mounted -r " + t + " | awk '$2 == \"no\" {print $1}' | xargs -r -n1 zfs mount");
        assertThat(lab.checksum(t)).isEqualTo(lab.checksumOfNewestSnapshot(s));
        assertThat(lab.checksum(t + "/child")).isEqualTo(lab.checksumOfNewestSnapshot(s + "/child"));
    }
}
