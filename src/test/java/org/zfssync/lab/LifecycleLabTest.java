package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's life from start to end, on real OpenZFS: SIGTERM and SIGINT cancel cleanly (streams
 * stopped with their resume state kept, holds released, the ssh master stopped and its directory
 * removed, a summary, exit 143/130); after SIGKILL the next plain run cleans up what the dead run
 * left and resumes; one sync of a pair at a time; a target offline for ten runs comes back
 * incrementally from its cursor bookmark after source retention removed every snapshot it had.
 */
@ZfsLab
class LifecycleLabTest {
    private static final long MIB = 1024L * 1024;
    /** Random data does not compress and zstd only slows the emulated guest; a small buffer bounds what a cut loses. */
    private static final List<String> FLAGS = List.of("--target-id", "t1", "--compress=none", "--mbuffer-size=2M",
            "--retry-initial-delay-ms=300");
    /** The summary line as zfs-sync prints it, "3 dataset(s): 1 replicated, ...". */
    private static final Pattern SUMMARY = Pattern.compile("\\d+ dataset\\(s\\): \\d+ replicated");

    @TempDir
    Path dir;

    private static String[] args(String... more) {
        List<String> all = new ArrayList<>(FLAGS);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** A tree of three datasets whose streams carry an intermediate user snapshot (@u1): 13 MiB. */
    private static void tree(LabFixture lab) {
        long t0 = System.nanoTime();
        String s = lab.sourcePool() + "/t";
        lab.sh("zfs create " + s + " && zfs create " + s + "/a && zfs create " + s + "/b"
                + " && head -c 1M /dev/urandom > /" + s + "/f"
                + " && head -c 4M /dev/urandom > /" + s + "/a/f && head -c 4M /dev/urandom > /" + s + "/b/f"
                + " && zpool sync && zfs snapshot -r " + s + "@u1"
                + " && head -c 512K /dev/urandom > /" + s + "/g"
                + " && head -c 2M /dev/urandom > /" + s + "/a/g && head -c 2M /dev/urandom > /" + s + "/b/g && zpool sync");
        System.out.printf("[lab figures] a tree of 3 datasets, 13 MiB: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** Target and source agree on every dataset of the tree (the source read through its newest snapshot). */
    private static void assertTreeIdentical(LabFixture lab) {
        List<String> datasets = List.of("t", "t/a", "t/b");
        Map<String, String> pairs = lab.checksumPairs(datasets.stream().map(d -> lab.targetPool() + "/" + d).toList(),
                datasets.stream().map(d -> lab.sourcePool() + "/" + d).toList());
        assertThat(pairs).as("target digest, then source digest, per dataset").allSatisfy((dataset, digests) -> {
            String[] two = digests.split(" ");
            assertThat(two).as("%s: %s", dataset, digests).hasSize(2);
            assertThat(two[0]).as("data of %s", dataset).isEqualTo(two[1]);
        });
    }

    /**
     * What a cancelled run must have done, checked all at once so a failure lists every miss:
     * the exit code, a summary, nothing left behind, and the interrupted receive's resume state.
     */
    private static void assertCancelledCleanly(LabFixture lab, LabFixture.Background run, java.time.Instant signalled,
            LabFixture.Run cut, int exitCode) {
        System.out.printf("[lab figures] %s: exit %d %d ms after the signal%n", exitCode == 130 ? "SIGINT" : "SIGTERM",
                cut.exitCode(), Duration.between(signalled, run.exitedAt()).toMillis());
        LabFixture.Leftovers left = lab.leftovers();
        Map<String, String> tokens = lab.resumeTokens(lab.targetPool());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(cut.exitCode()).as("exit code of the cancelled run\n%s", cut).isEqualTo(exitCode);
        soft.assertThat(cut.stdout() + cut.stderr()).as("a summary of the cancelled run\n%s", cut).containsPattern(SUMMARY);
        soft.assertThat(left.holds()).as("holds left by the cancelled run").isEmpty();
        soft.assertThat(left.sshProcesses()).as("ssh control master left running").isEmpty();
        soft.assertThat(left.files()).as("control directory or temp files left").isEmpty();
        soft.assertThat(tokens).as("the interrupted receive kept its resume state (receive_resume_token)").isNotEmpty();
        soft.assertAll();
    }

    @Tag("smoke")
    @Test
    void sigtermMidStreamReleasesEverythingAndTheNextRunResumes(LabFixture lab) {
        tree(lab);
        String t = lab.targetPool();
        LabFixture.Background run = lab.start("sync", args("-r", "-j", "2", "--bwlimit", "8M", lab.src("t"), lab.dst("t")));
        java.time.Instant signalled;
        try (FaultMeter meter = new FaultMeter(run)) {
            assertThat(meter.awaitReceiveInto(List.of(t + "/t/a", t + "/t/b"), 2 * MIB, Duration.ofMinutes(3)))
                    .as("a receive into t/a or t/b read 2 MiB while the run was alive; %s", run.stderrSoFar()).isTrue();
            signalled = java.time.Instant.now();
            run.term();
        }
        LabFixture.Run cut = run.await(Duration.ofMinutes(2));
        assertCancelledCleanly(lab, run, signalled, cut, 143);

        LabFixture.Run next = lab.zfsSync("sync", args("-r", "-j", "2", lab.src("t"), lab.dst("t")));
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertTreeIdentical(lab);
        assertThat(lab.leftovers()).as("after the next run").matches(LabFixture.Leftovers::isEmpty, "nothing left");
    }

    @Test
    void sigintDoesTheSameWithExit130(LabFixture lab) {
        String s = lab.sourcePool() + "/i";
        lab.sh("zfs create " + s + " && head -c 8M /dev/urandom > /" + s + "/f && zpool sync && zfs snapshot " + s
                + "@u1 && head -c 4M /dev/urandom > /" + s + "/g && zpool sync");
        LabFixture.Background run = lab.start("sync", args("--bwlimit", "4M", lab.src("i"), lab.dst("i")));
        java.time.Instant signalled;
        try (FaultMeter meter = new FaultMeter(run)) {
            assertThat(meter.awaitReceiveInto(List.of(lab.targetPool() + "/i"), 2 * MIB, Duration.ofMinutes(3)))
                    .as("the receive read 2 MiB while the run was alive; %s", run.stderrSoFar()).isTrue();
            signalled = java.time.Instant.now();
            run.interrupt();
        }
        LabFixture.Run cut = run.await(Duration.ofMinutes(2));
        assertCancelledCleanly(lab, run, signalled, cut, 130);

        LabFixture.Run next = lab.zfsSync("sync", args(lab.src("i"), lab.dst("i")));
        assertThat(next.exitCode()).as(next.toString()).isZero();
        assertThat(lab.checksum(lab.targetPool() + "/i")).isEqualTo(lab.checksumOfNewestSnapshot(s));
        assertThat(lab.leftovers()).as("after the next run").matches(LabFixture.Leftovers::isEmpty, "nothing left");
    }

    @Test
    void sigkillLeavesNothingTheNextRunCannotClean(LabFixture lab) {
        tree(lab);
        String t = lab.targetPool();
        LabFixture.Background run = lab.start("sync", args("-r", "-j", "2", "--bwlimit", "8M", lab.src("t"), lab.dst("t")));
        try (FaultMeter meter = new FaultMeter(run)) {
            assertThat(meter.awaitReceiveInto(List.of(t + "/t/a", t + "/t/b"), 2 * MIB, Duration.ofMinutes(3)))
                    .as("a receive into t/a or t/b read 2 MiB while the run was alive; %s", run.stderrSoFar()).isTrue();
            run.kill();
        }
        LabFixture.Run killed = run.await(Duration.ofMinutes(1));
        assertThat(killed.exitCode()).as(killed.toString()).isEqualTo(137);
        LabFixture.Leftovers dead = lab.leftoversNow();
        assertThat(dead.holds()).as("the fault is real: the killed run's holds are still there (%s)", dead).isNotEmpty();

        LabFixture.Run next = lab.zfsSync("sync", args("-r", "-j", "2", lab.src("t"), lab.dst("t")));
        assertThat(next.exitCode()).as(next.toString()).isZero();
        LabFixture.Leftovers after = lab.leftovers();
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(after.holds()).as("stale holds of the killed run, released by the next run").isEmpty();
        soft.assertThat(after.sshProcesses()).as("the killed run's ssh master, stopped by the next run").isEmpty();
        soft.assertThat(after.files()).as("the killed run's control directory, removed by the next run").isEmpty();
        soft.assertAll();
        assertTreeIdentical(lab);
    }

    @Test
    void twoSyncsOfTheSamePairNeverRunAtOnce(LabFixture lab) {
        String s = lab.sourcePool() + "/w";
        lab.sh("zfs create " + s + " && head -c 16M /dev/urandom > /" + s + "/f && zpool sync");
        // 16 MiB at 1 MiB/s: the first run streams for about 16 s.
        LabFixture.Background first = lab.start("sync", args("--bwlimit", "1M", lab.src("w"), lab.dst("w")));
        try (FaultMeter meter = new FaultMeter(first)) {
            assertThat(meter.awaitRelayed(1, Duration.ofMinutes(3))).as("the first run streams; %s",
                    first.stderrSoFar()).isTrue();
        }
        LabFixture.Run second = lab.zfsSync("sync", args(lab.src("w"), lab.dst("w")));
        assertThat(first.isAlive()).as("the first run still ran when the second ended (else this proves nothing)")
                .isTrue();
        assertThat(second.exitCode()).as(second.toString()).isEqualTo(5);
        assertThat(second.stdout() + second.stderr()).as(second.toString())
                .containsPattern("\\b" + first.pid() + "\\b");

        LabFixture.Background waiter = lab.start("sync", args("--wait", lab.src("w"), lab.dst("w")));
        boolean streamedMeanwhile = false;
        while (first.isAlive()) {
            streamedMeanwhile |= !FaultMeter.streams(waiter, "zfs receive").isEmpty()
                    || !FaultMeter.streams(waiter, "zfs send").isEmpty();
            LabFixture.sleep(100);
        }
        LabFixture.Run one = first.await(Duration.ofMinutes(1));
        assertThat(one.exitCode()).as(one.toString()).isZero();
        assertThat(Duration.between(waiter.startedAt(), first.exitedAt()))
                .as("the first run went on for a while after the waiting run started (else this proves nothing)")
                .isGreaterThan(Duration.ofSeconds(2));
        LabFixture.Run waited = waiter.await(Duration.ofMinutes(3));
        assertThat(waited.exitCode()).as(waited.toString()).isZero();
        assertThat(streamedMeanwhile).as("the --wait run streamed while the first one ran").isFalse();
        assertThat(waiter.exitedAt()).as("the --wait run ended after the first").isAfterOrEqualTo(first.exitedAt());
        assertThat(lab.checksum(lab.targetPool() + "/w")).isEqualTo(lab.checksumOfNewestSnapshot(s));
    }

    /**
     * A job with source retention {@code last: 2} whose target pool is exported for ten rounds of
     * writes, each followed by a job snapshot or (three times) a run that fails for the absent
     * target: source retention removes every snapshot the target has, yet the cursor bookmark
     * ({@code #zfs-sync_ID_cursor_GUID}) keeps its base, and once the pool is back the next run is
     * incremental, far smaller than a full send, exact, and moves the cursor to the new base.
     */
    @Test
    void targetOfflineForTenRunsUpdatesIncrementallyFromItsCursor(LabFixture lab) throws IOException {
        String s = lab.sourcePool() + "/o";
        String t = lab.targetPool() + "/o";
        String yaml = """
                jobs:
                  - name: offline
                    ssh-config: %s
                    source: %s
                    targets: [%s]
                    recursive: false
                    compress: none
                    mbuffer-size: 2M
                    retention:
                      source: {last: 2}
                """.formatted(lab.guest().sshConfig(), lab.src("o"), lab.dst("o"));
        Path file = dir.resolve("offline.yaml");
        Files.writeString(file, yaml);
        String locks = dir.resolve("locks").toString();
        lab.sh("zfs create " + s + " && head -c 16M /dev/urandom > /" + s + "/base && zpool sync");

        LabFixture.Run first = lab.zfsSyncPlain("run", "-c", file.toString(), "--lock-dir", locks);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Map<String, String> targetSnapshots = lab.snapshotGuids(t);
        String syncSnapshot = targetSnapshots.keySet().stream().filter(n -> n.startsWith("zfs-sync_")
                && !n.startsWith("zfs-sync_job.")).reduce((a, b) -> b).orElseThrow();
        String targetId = syncSnapshot.substring("zfs-sync_".length(), syncSnapshot.lastIndexOf('_'));
        String baseGuid = targetSnapshots.get(syncSnapshot);

        lab.sh("zpool export " + lab.targetPool());
        try {
            for (int i = 0; i < 10; i++) {
                lab.writeRandom(s, "offline" + i, 1);
                if (i != 2 && i != 5 && i != 9) {
                    LabFixture.Run snap = lab.zfsSyncPlain("snapshot", "-c", file.toString(), "--lock-dir", locks);
                    assertThat(snap.exitCode()).as(snap.toString()).isZero();
                    continue;
                }
                LabFixture.Run run = lab.zfsSyncPlain("run", "-c", file.toString(), "--lock-dir", locks);
                assertThat(run.exitCode()).as("round %d: a run while the target pool is gone fails\n%s", i, run)
                        .isNotZero().isNotEqualTo(4);
                assertThat(lab.snapshotGuids(s).containsValue(baseGuid) || lab.bookmarkGuids(s).containsValue(baseGuid))
                        .as("round %d: the source still has the target's base (GUID %s) as a snapshot or a bookmark;"
                                + " snapshots %s, bookmarks %s\n%s", i, baseGuid, lab.snapshotGuids(s),
                                lab.bookmarkGuids(s), run)
                        .isTrue();
            }
            LabFixture.Run prune = lab.zfsSyncPlain("prune", "-c", file.toString(), "--lock-dir", locks);
            System.out.println("[lab figures] prune with the target pool exported: exit " + prune.exitCode());
        } finally {
            lab.sh("zpool list -H -o name " + lab.targetPool() + " >/dev/null 2>&1 || zpool import -d /var/lib/zfs-lab "
                    + lab.targetPool());
        }
        Map<String, String> sourceSnapshots = lab.snapshotGuids(s);
        assertThat(sourceSnapshots.values()).as("source retention (last: 2) removed every snapshot the target has; "
                + "source %s, target %s", sourceSnapshots, lab.snapshotGuids(t))
                .doesNotContainAnyElementsOf(lab.snapshotGuids(t).values());
        Map<String, String> bookmarks = lab.bookmarkGuids(s);
        String cursor = cursorName(targetId, baseGuid);
        assertThat(bookmarks.keySet().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)))
                .as("the cursor bookmark %s#%s of the target's base; bookmarks %s", s, cursor, bookmarks)
                .contains(cursor);

        long fullSize = Long.parseLong(lab.sh("zfs send -nP " + s + "@" + lastKey(sourceSnapshots)
                + " | awk '$1 == \"size\" {print $2}'").strip());
        LabFixture.Run back = lab.zfsSyncPlain("run", "-c", file.toString(), "--lock-dir", locks, "--json");
        assertThat(back.exitCode()).as(back.toString()).isZero();
        JsonNode dataset = back.json().get(0).get("syncs").get(0).get("datasets").get(0);
        long bytes = dataset.get("bytes").asLong();
        System.out.printf("[lab figures] back after 10 offline rounds: %s from %s, %d bytes (a full send: %d)%n",
                dataset.get("action").asText(), dataset.get("from").asText(), bytes, fullSize);
        assertThat(dataset.get("action").asText()).as(dataset.toString()).isEqualTo("INCREMENTAL");
        assertThat(bytes).as("bytes sent, against a full send of %d", fullSize).isLessThan(fullSize / 2);
        assertThat(lab.checksum(t)).isEqualTo(lab.checksumOfNewestSnapshot(s));
        String newBase = lastKey(lab.snapshotGuids(t));
        String moved = cursorName(targetId, lab.snapshotGuids(t).get(newBase));
        assertThat(lab.bookmarkGuids(s).keySet().stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)))
                .as("after the catch-up the cursor names the target's new base @%s", newBase).contains(moved);
    }

    /** {@code zfs-sync_TARGETID_cursor_GUID}, the GUID in 16 hex digits. */
    private static String cursorName(String targetId, String guid) {
        return "zfs-sync_" + targetId + "_cursor_" + String.format("%016x", Long.parseUnsignedLong(guid));
    }

    private static String lastKey(Map<String, String> map) {
        return map.keySet().stream().reduce((a, b) -> b).orElseThrow();
    }

}
