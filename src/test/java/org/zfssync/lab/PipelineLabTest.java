package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Transfer pipelines on real OpenZFS: compression and mbuffer on both ends of the hop, every
 * stage's status reported from the remote shell, broken helpers caught, holds while sending.
 * Fake helpers are installed in the guest's /usr/local/bin (ahead of /usr/bin) and removed after.
 */
@ZfsLab
class PipelineLabTest {
    private static final String FAKE_DIR = "/usr/local/bin/";

    @Test
    void compressedAndBufferedStreamsArriveIntact(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src + " && zfs create " + src + "/b");
        lab.writeRandom(src, "f", 8);
        lab.sh("yes compressible | head -c 8000000 > /" + src + "/text && zpool sync");

        LabFixture.Run unbuffered = lab.zfsSync("sync", "--dry-run", "-r", lab.src("a"), lab.dst("a"));
        assertThat(unbuffered.exitCode()).as(unbuffered.toString()).isZero();
        assertThat(unbuffered.stdout()).as("no mbuffer unless asked or capped: the relay buffers itself")
                .contains("zstd -q -c -3", "zstd -q -d -c | zfs receive").doesNotContain("mbuffer");
        LabFixture.Run dry = lab.zfsSync("sync", "--dry-run", "-r", "--mbuffer-size=32M", lab.src("a"), lab.dst("a"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.stdout()).contains("zstd -q -c -3 | mbuffer -q -s 128k -m 32768k",
                "mbuffer -q -s 128k -m 32768k | zstd -q -d -c | zfs receive");

        LabFixture.Run run = lab.zfsSync("sync", "--json", "-r", "--mbuffer-size=32M", lab.src("a"), lab.dst("a"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/a")).isEqualTo(lab.checksumOfNewestSnapshot(src));
        assertThat(lab.checksum(lab.targetPool() + "/a/b")).isEqualTo(lab.checksumOfNewestSnapshot(src + "/b"));
        long relayed = run.json().get("datasets").get(0).get("bytes").asLong();
        long logical = Long.parseLong(lab.sh("zfs send -nP " + src + "@" + lab.snapshots(src).get(0)
                + " | awk '$1 == \"size\" {print $2}'").strip());
        assertThat(relayed).as("the 8 MB of text compress on the wire").isLessThan(logical - 6_000_000);

        lab.writeRandom(src + "/b", "g", 1);
        LabFixture.Run plain = lab.zfsSync("sync", "-r", "--compress=none", "--no-mbuffer", lab.src("a"), lab.dst("a"));
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/a/b")).isEqualTo(lab.checksumOfNewestSnapshot(src + "/b"));
    }

    @Test
    void aBrokenMbufferIsCaughtByCheckAndByTheRunWithItsStderr(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        installFake(lab, "mbuffer", "echo 'mbuffer: fatal: broken on purpose by the lab' >&2; exit 1");
        try {
            LabFixture.Run check = lab.zfsSync("check", lab.src("a"), lab.dst("a"));
            assertThat(check.exitCode()).as(check.toString()).isEqualTo(3);
            assertThat(check.stdout()).contains("mbuffer is installed but broken", "broken on purpose by the lab");

            LabFixture.Run run = lab.zfsSync("sync", "--mbuffer-size=32M", lab.src("a"), lab.dst("a"));
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
            assertThat(run.stderr()).contains("`mbuffer` is installed but broken", "broken on purpose by the lab",
                    "--no-mbuffer");
            assertThat(lab.exists(lab.targetPool() + "/a")).as("nothing was sent").isFalse();

            LabFixture.Run without = lab.zfsSync("sync", lab.src("a"), lab.dst("a"));
            assertThat(without.exitCode()).as("an uncapped run without --mbuffer-size uses no mbuffer: " + without)
                    .isZero();
            assertThat(without.stderr()).doesNotContain("mbuffer");
        } finally {
            removeFake(lab, "mbuffer");
        }
    }

    /**
     * A compressor that passes the probe but fails after 1 MB, in the middle of the sending
     * pipeline (send | zstd | mbuffer): the last stage succeeds, so only per-stage statuses from
     * the remote shell can name the culprit.
     */
    @Test
    void aStageFailingInTheMiddleOfARemotePipelineIsNamedWithItsStderr(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 6);
        installFake(lab, "zstd", "case \"$*\" in *-d*) exec /usr/bin/zstd \"$@\";; esac; "
                + "head -c 1000000 | /usr/bin/zstd \"$@\"; "
                + "if [ -n \"$(head -c 1 | od -An -c)\" ]; then echo 'zstd: simulated failure mid-stream' >&2; exit 7; fi");
        try {
            LabFixture.Run run = lab.zfsSync("sync", "--json", "--compress=zstd", "--mbuffer-size=2M",
                    "--retry-initial-delay-ms=100", lab.src("a"), lab.dst("a"));
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            String message = run.json().get("datasets").get(0).get("message").asText();
            assertThat(message).contains("`zstd -q -c -3` on " + LabGuest.SOURCE_HOST + " failed (exit 7)",
                    "simulated failure mid-stream");
            assertThat(run.json().get("datasets").get(0).get("retries").asInt()).as("not a network failure").isZero();
        } finally {
            removeFake(lab, "zstd");
        }
    }

    /** While a stream is sent, its snapshot is held (a pruner cannot destroy it); afterwards no hold remains. */
    @Test
    void snapshotsAreHeldWhileSentAndReleasedAfterwardsWithProgressLogged(LabFixture lab) throws Exception {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 24);
        CompletableFuture<LabFixture.Run> sync = CompletableFuture.supplyAsync(() -> lab.zfsSync("sync",
                "--bwlimit=1M", "--compress=none", lab.src("a"), lab.dst("a")));
        String attempt = lab.sh("for i in $(seq 300); do s=$(" + holds(src) + " | awk '/zfs-sync_/ {print $1; exit}');"
                + " if [ -n \"$s\" ]; then echo \"held $s\"; zfs destroy \"$s\" 2>&1; exit 0; fi; sleep 0.2; done;"
                + " echo never held");
        LabFixture.Run run = sync.get();
        assertThat(attempt).startsWith("held " + src + "@zfs-sync_").containsAnyOf("being held", "dataset is busy");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).as("a progress line with a size estimate").containsPattern("\\d+%.*ETA \\d+:\\d\\d");
        assertThat(lab.sh(holds(src)).strip()).as("holds released").isEmpty();
        assertThat(lab.checksum(lab.targetPool() + "/a")).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    /** Every hold on the snapshots of {@code dataset} (zfs holds takes snapshots, not datasets). */
    private static String holds(String dataset) {
        return "zfs list -H -o name -t snapshot " + dataset + " | xargs -r zfs holds -H";
    }

    private static void installFake(LabFixture lab, String program, String body) {
        lab.sh("printf '%s\\n' '#!/bin/sh' " + quote(body) + " > " + FAKE_DIR + program + " && chmod 755 " + FAKE_DIR
                + program + " && hash -r");
    }

    private static void removeFake(LabFixture lab, String program) {
        lab.sh("rm -f " + FAKE_DIR + program);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
