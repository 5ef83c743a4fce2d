package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Transfers that survive what networks and pools do to them, on real OpenZFS. */
@ZfsLab
class ResilienceLabTest {
    private static final String FAST_RETRY = "--retry-initial-delay-ms=300";

    @Test
    void staleTokenWhoseSnapshotWasDestroyedIsDiscardedAndTheRunCompletes(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 2);
        assertThat(lab.zfsSync("sync", lab.src("a"), lab.dst("a")).exitCode()).isZero();
        String base = lab.snapshots(src).get(0);
        lab.writeRandom(src, "g", 8);
        lab.sh("zfs snapshot " + src + "@manual && (zfs send -i @" + base + " " + src + "@manual | head -c 2000000"
                + " | zfs receive -s " + dst + " || true) && zfs destroy " + src + "@manual");
        assertThat(lab.sh("zfs get -H -o value receive_resume_token " + dst).strip()).startsWith("1-");

        LabFixture.Run run = lab.zfsSync("sync", lab.src("a"), lab.dst("a"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("discarding the partial receive of " + src + "@manual",
                "no longer exists on the source");
        assertThat(lab.sh("zfs get -H -o value receive_resume_token " + dst).strip()).isEqualTo("-");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    @Test
    void aTokenThatStillFitsIsResumedInsteadOfStartingOver(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 16);
        lab.sh("zfs snapshot " + src + "@one && (zfs send " + src + "@one | head -c 12000000 | zfs receive -s "
                + dst + " || true)");
        long streamSize = streamSize(lab, src + "@one");

        LabFixture.Run run = lab.zfsSync("sync", "--json", "--no-snapshot", lab.src("a"), lab.dst("a"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).contains("resuming the interrupted receive into " + dst);
        long sent = run.json().get("datasets").get(0).get("bytes").asLong();
        assertThat(sent).as("only the rest of the stream is sent").isLessThan(streamSize - 10_000_000);
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    /**
     * A 96 MiB send cut three times, at three offsets, by killing the remote {@code zfs receive}
     * or the host-side ssh that carries the stream: each run retries, resumes from the token,
     * re-sends under 10 % of the stream (zfs-sync's own byte counters) and arrives intact.
     */
    @Test
    void transfersCutAtThreeOffsetsResumeAndArriveIntact(LabFixture lab) throws Exception {
        String src = lab.sourcePool() + "/big";
        lab.sh("zfs create " + src);
        // 96 MiB: with a 2 MiB mbuffer a cut loses a few MiB in flight, well under the 10 % bound.
        lab.writeRandom(src, "blob", 96);
        lab.sh("zfs snapshot " + src + "@big");
        long streamSize = streamSize(lab, src + "@big");
        double[] fractions = {0.15, 0.45, 0.75};
        for (int i = 0; i < fractions.length; i++) {
            long offset = (long) (streamSize * fractions[i]);
            String dst = lab.targetPool() + "/big" + i;
            boolean killRemoteReceive = i != 1;
            CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> killRemoteReceive
                    ? killReceiveAt(lab, dst, offset) : killHostSshAt(lab, src, offset));
            // Random data does not compress, and under emulation zstd only slows the guest down; a
            // small mbuffer keeps the stages in the stream while bounding what a cut loses in flight.
            LabFixture.Run run = lab.zfsSync("sync", "--json", "--no-snapshot", FAST_RETRY, "--compress=none",
                    "--mbuffer-size=2M", lab.src("big"), lab.dst("big" + i));
            String killed = killer.get();
            assertThat(killed).as("the fault was injected").startsWith("killed");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            JsonNode result = run.json().get("datasets").get(0);
            assertThat(result.get("retries").asInt()).isGreaterThanOrEqualTo(1);
            long resent = result.get("bytes").asLong() - streamSize;
            System.out.printf("[lab figures] cut %d: %s of %d-byte stream; %d retries; %d bytes re-sent (%.2f%%)%n", i,
                    killed, streamSize, result.get("retries").asInt(), resent, 100.0 * resent / streamSize);
            assertThat(resent).as("bytes re-sent after cutting at %d of %d (%s)", offset, streamSize, killed)
                    .isLessThan(streamSize / 10);
            assertThat(lab.checksum(dst)).isEqualTo(lab.checksumOfNewestSnapshot(src));
            lab.sh("zfs destroy -r " + dst); // the target pool holds one copy at a time
        }
    }

    @Test
    void fullTargetPoolIsAPermanentErrorWithoutRetries(LabFixture lab) {
        String src = lab.sourcePool() + "/big";
        String tiny = "tiny" + lab.targetPool();
        lab.guest().createPool(tiny, 64);
        try {
            lab.sh("zfs create " + src);
            lab.writeRandom(src, "blob", 96);
            LabFixture.Run run = lab.zfsSync("sync", "--json", FAST_RETRY, lab.src("big"),
                    LabGuest.TARGET_HOST + ":" + tiny + "/big");
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            JsonNode result = run.json().get("datasets").get(0);
            assertThat(result.get("retries").asInt()).isZero();
            assertThat(result.get("message").asText()).contains(tiny + "/big").containsIgnoringCase("space");
            // Nothing left but the resumable partial receive itself.
            assertThat(lab.sh("zfs list -H -o name -r " + tiny).strip().lines()).containsOnly(tiny, tiny + "/big");
        } finally {
            lab.guest().destroyPool(tiny);
        }
    }

    @Test
    void snapshotsThatOnlyLookLikeOursSurviveCleanup(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        List<String> lookalikes = List.of("zfs-sync_t1_manual", "zfs-sync_t1_20260101T000000Z-keep",
                "zfs-syncX_t1_20260101T000000Z", "zfs-sync_t2_20260101T000000Z", "zfs-sync_t1_20260101T000000");
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        for (String name : lookalikes) {
            lab.sh("zfs snapshot " + src + "@" + name);
        }
        for (int run = 0; run < 3; run++) {
            lab.writeRandom(src, "f" + run, 1);
            LabFixture.Run r = lab.zfsSync("sync", "--target-id", "t1", lab.src("a"), lab.dst("a"));
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        assertThat(lab.snapshots(src)).containsAll(lookalikes);
        assertThat(lab.snapshots(dst)).containsAll(lookalikes);
        assertThat(lab.snapshots(src).stream().filter(n -> n.matches("zfs-sync_t1_\\d{8}T\\d{6}Z"))).hasSize(1);
    }

    private static long streamSize(LabFixture lab, String snapshot) {
        String out = lab.sh("zfs send -nP " + snapshot + " | awk '$1 == \"size\" {print $2}'").strip();
        return Long.parseLong(out);
    }

    /** Waits in the guest for the receive into {@code dataset} to have read {@code offset} bytes, then kills it. */
    private static String killReceiveAt(LabFixture lab, String dataset, long offset) {
        String script = "for i in $(seq 1500); do p=$(pgrep -f '^zfs receive .*" + dataset + "$' | head -1);"
                + " if [ -n \"$p\" ]; then r=$(awk '/^rchar/ {print $2}' /proc/$p/io 2>/dev/null);"
                + " if [ \"${r:-0}\" -ge " + offset + " ]; then kill -9 $p; echo killed zfs receive at $r; exit 0; fi; fi;"
                + " sleep 0.1; done; echo never saw the receive; exit 1";
        return lab.shResult(script).stdout().strip();
    }

    /** Waits on this machine for the ssh carrying {@code zfs send} to have passed {@code offset} bytes, then kills it. */
    private static String killHostSshAt(LabFixture lab, String dataset, long offset) {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> ssh = ProcessHandle.allProcesses()
                    .filter(p -> isSshCarryingSendOf(p.info(), dataset)).findFirst();
            if (ssh.isPresent()) {
                long written = ioCounter(ssh.get().pid(), "wchar");
                if (written >= offset) {
                    ssh.get().destroyForcibly();
                    return "killed host ssh at " + written;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return "never saw the ssh";
    }

    /** The JDK reports the executable's full path (/usr/bin/ssh), so match on its file name and on the arguments. */
    static boolean isSshCarryingSendOf(ProcessHandle.Info info, String dataset) {
        boolean isSsh = info.command().map(c -> Path.of(c).getFileName().toString().equals("ssh")).orElse(false);
        String args = String.join(" ", info.arguments().orElse(new String[0]));
        return isSsh && args.contains("zfs send") && args.contains(dataset);
    }

    private static long ioCounter(long pid, String field) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/" + pid + "/io"),
                    StandardCharsets.UTF_8));
            for (String line : lines) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
