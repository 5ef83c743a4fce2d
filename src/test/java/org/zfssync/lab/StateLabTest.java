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
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.TargetIds;

/**
 * Replication state that can never lose its base, on real OpenZFS: a resumed {@code -I} stream
 * is not done until the newest snapshot arrived, cleanup decides by GUID (never by name), job
 * snapshots and other tools' snapshots never take zfs-sync's own base away, a target that got
 * ahead of a lost exit status is done rather than refused, a receive still draining is waited
 * for, and an encrypted target never gets a plaintext stream resumed into it.
 */
@ZfsLab
class StateLabTest {
    private static final String FAST_RETRY = "--retry-initial-delay-ms=300";
    private static final Pattern SYNC_SNAPSHOT = Pattern.compile("zfs-sync_(.+)_\\d{8}T\\d{6}Z");

    @TempDir
    Path dir;

    /**
     * {@code zfs-sync sync --target-id t1 --compress=none ARGS}: a predictable target id, and no
     * compression (random data does not compress, and under emulation zstd only costs time).
     */
    private static LabFixture.Run sync(LabFixture lab, String... args) {
        List<String> argv = new ArrayList<>(List.of("--target-id", "t1", "--compress=none"));
        argv.addAll(List.of(args));
        return lab.zfsSync("sync", argv.toArray(String[]::new));
    }

    private static JsonNode only(LabFixture.Run run) {
        JsonNode datasets = run.json().get("datasets");
        assertThat(datasets).as(run.toString()).hasSize(1);
        return datasets.get(0);
    }

    private static void assertCursor(LabFixture lab, String dataset, String targetId, String guid, LabFixture.Run run) {
        Map<String, String> bookmarks = StateLab.bookmarkGuids(lab, dataset);
        String name = StateLab.cursorName(targetId, guid);
        assertThat(bookmarks).as("cursor bookmark %s#%s; bookmarks %s\n%s", dataset, name, bookmarks, run)
                .containsEntry(name, guid);
    }

    /**
     * Scenario 1. One {@code -I} stream carries @u1, @u2 and the new sync snapshot; the receive is
     * killed inside @u1. The resume token finishes @u1 only: the run must see that the target
     * lacks the planned newest snapshot (by GUID) and continue from what arrived, not report DONE.
     * The holds of the run cover the intermediate snapshots too and are released at the end.
     */
    @Tag("smoke")
    @Test
    void resumedIncrementalStreamIsNotDoneUntilTheNewestSnapshotArrived(LabFixture lab) throws Exception {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        LabFixture.Run first = sync(lab, lab.src("a"), lab.dst("a"));
        assertThat(first.exitCode()).as(first.toString()).isZero();

        lab.writeRandom(src, "g", 10);
        lab.sh("zfs snapshot " + src + "@u1");
        lab.writeRandom(src, "h", 2);
        lab.sh("zfs snapshot " + src + "@u2");
        lab.writeRandom(src, "i", 1);
        // Killed inside @u1 (10 MiB of it): the resume token belongs to @u1 alone.
        CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> StateLab.atReceiveOffset(lab, dst,
                3_000_000, "kill -9 $p; zfs holds -H " + src + "@u1 " + src + "@u2"));
        LabFixture.Run run = sync(lab, "--json", "--mbuffer-size=2M", FAST_RETRY,
                lab.src("a"), lab.dst("a"));
        String killed = killer.get();
        assertThat(killed).as("the fault was injected: " + run).startsWith("reached");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode result = only(run);
        assertThat(result.get("retries").asInt()).as(run.toString()).isGreaterThanOrEqualTo(1);
        assertThat(result.get("status").asText()).as(run.toString()).isEqualTo("DONE");
        String newest = StateLab.newestGuid(lab, src);
        assertThat(StateLab.snapshotGuids(lab, dst)).as("the target holds the source's newest snapshot by GUID\n" + run)
                .containsValue(newest);
        assertThat(StateLab.newestGuid(lab, dst)).as(run.toString()).isEqualTo(newest);
        assertThat(lab.checksum(dst)).as(run.toString()).isEqualTo(lab.checksumOfNewestSnapshot(src));
        // Holds: the intermediates were held while the stream was cut, and nothing is held now.
        assertThat(killed).as("holds on the intermediate snapshots mid-transfer\n" + run)
                .contains(src + "@u1\tzfs-sync_t1").contains(src + "@u2\tzfs-sync_t1");
        assertThat(StateLab.holds(lab, src)).as(run.toString()).noneMatch(h -> h.endsWith(" zfs-sync_t1"));
        assertCursor(lab, src, "t1", newest, run);

        LabFixture.Run again = sync(lab, "--json", lab.src("a"), lab.dst("a"));
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(only(again).get("status").asText()).as(again.toString()).isEqualTo("UP_TO_DATE");
        assertThat(StateLab.newestGuid(lab, dst)).as(again.toString()).isEqualTo(StateLab.newestGuid(lab, src));
    }

    /** The report entry of one dataset (by its source name) in a {@code --json} report. */
    private static JsonNode dataset(LabFixture.Run run, String source) {
        for (JsonNode d : run.json().get("datasets")) {
            if (d.get("source").asText().equals(source)) {
                return d;
            }
        }
        throw new AssertionError("no dataset " + source + " in the report\n" + run);
    }

    /**
     * Scenario 2. Cleanup decides by GUID, never by name. In one tree: on {@code a} the user renames
     * the sync snapshot ({@code @pinned}): it is still the newest common snapshot, so it must not
     * be destroyed on the target for its old name; on {@code b} the user keeps only a bookmark of
     * it: the target keeps a base the source can still send from. Both go on incrementally.
     */
    @Tag("smoke")
    @Test
    void cleanupKeepsTheCommonBaseByGuidWhateverItsName(LabFixture lab) {
        String src = lab.sourcePool() + "/p";
        String dst = lab.targetPool() + "/p";
        lab.sh("zfs create " + src + " && zfs create " + src + "/a && zfs create " + src + "/b");
        lab.writeRandom(src + "/a", "f", 1);
        lab.writeRandom(src + "/b", "f", 1);
        LabFixture.Run first = sync(lab, "-r", lab.src("p"), lab.dst("p"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        List<String> snapshotsA = lab.snapshots(src + "/a");
        String baseA = StateLab.guid(lab, src + "/a@" + snapshotsA.get(snapshotsA.size() - 1));
        lab.sh("zfs rename " + src + "/a@" + snapshotsA.get(snapshotsA.size() - 1) + " " + src + "/a@pinned");
        List<String> snapshotsB = lab.snapshots(src + "/b");
        String syncB = src + "/b@" + snapshotsB.get(snapshotsB.size() - 1);
        String baseB = StateLab.guid(lab, syncB);
        lab.sh("zfs bookmark " + syncB + " " + src + "/b#mine && zfs destroy " + syncB);

        // Nothing written since: the renamed snapshot and the bookmark are the bases.
        LabFixture.Run second = sync(lab, "-r", "--json", lab.src("p"), lab.dst("p"));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(StateLab.snapshotGuids(lab, dst + "/a")).as("a: the common snapshot survives on the target\n" + second)
                .containsValue(baseA);
        assertThat(StateLab.snapshotGuids(lab, src + "/a")).containsEntry("pinned", baseA);
        assertCursor(lab, src + "/a", "t1", StateLab.newestCommonGuid(lab, src + "/a", dst + "/a"), second);
        Map<String, String> onTargetB = StateLab.snapshotGuids(lab, dst + "/b");
        if (lab.snapshots(src + "/b").isEmpty()) {
            assertThat(onTargetB).as("b: the target keeps the bookmarked base\n" + second).containsValue(baseB);
        } else {
            // A new sync snapshot went out incrementally from the bookmark: it is the new base.
            assertThat(onTargetB).as("b\n" + second).containsValue(StateLab.newestGuid(lab, src + "/b"));
        }
        assertThat(onTargetB.values()).as("b: target and source still share a GUID\n" + second)
                .containsAnyElementsOf(StateLab.sendableGuids(lab, src + "/b"));

        lab.writeRandom(src + "/a", "g", 1);
        lab.writeRandom(src + "/b", "g", 1);
        LabFixture.Run third = sync(lab, "-r", "--json", lab.src("p"), lab.dst("p"));
        assertThat(third.exitCode()).as(third.toString()).isZero();
        // As root, the cursors and destroys of the two datasets went as channel programs (ChannelBatch):
        // each side's lot in one transaction group, and still exactly one cursor per dataset afterwards.
        assertThat(third.stderr()).contains("bookmarks and snapshot destroys as 1 zfs program(s)")
                .doesNotContain("zfs program is not available");
        for (String child : List.of("a", "b")) {
            assertThat(StateLab.bookmarkGuids(lab, src + "/" + child).keySet()).as(child + "\n" + third)
                    .filteredOn(b -> b.contains("_cursor_")).hasSize(1);
            assertCursor(lab, src + "/" + child, "t1", StateLab.newestGuid(lab, src + "/" + child), third);
        }
        for (String child : List.of("a", "b")) {
            JsonNode d = dataset(third, src + "/" + child);
            assertThat(d.get("status").asText()).as(child + "\n" + third).isEqualTo("DONE");
            assertThat(d.get("action").asText()).as(child + "\n" + third).isEqualTo("INCREMENTAL");
            assertThat(StateLab.newestGuid(lab, dst + "/" + child)).as(child + "\n" + third)
                    .isEqualTo(StateLab.newestGuid(lab, src + "/" + child));
            assertThat(lab.checksum(dst + "/" + child)).as(child + "\n" + third)
                    .isEqualTo(lab.checksumOfNewestSnapshot(src + "/" + child));
        }
    }

    private Path writeConfig(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private LabFixture.Run job(LabFixture lab, String command, Path file) {
        return lab.zfsSyncPlain(command, "-c", file.toString(), "--lock-dir", dir.resolve("locks").toString());
    }

    /**
     * Scenario 3. Job snapshots ({@code zfs-sync_job.NAME_...}) look like some target's sync
     * snapshots, but are the job's: a plain sync to the same target (same endpoint, so the same
     * derived target id) must leave every one of them on the target, even those that source
     * retention already pruned on the source.
     */
    @Test
    void jobSnapshotsOnTheTargetSurviveAPlainSyncToTheSameTarget(LabFixture lab) throws IOException {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        Path file = writeConfig("job.yaml", """
                defaults:
                  ssh-config: %s
                jobs:
                  - name: j
                    source: %s
                    targets: [%s]
                    recursive: false
                    compress: none
                    retention:
                      source: {last: 1}
                      target: {last: 50}
                """.formatted(lab.guest().sshConfig(), lab.src("a"), lab.dst("a")));
        // Two job snapshots, carried by one run; source retention (last: 1) then prunes them there.
        for (int i = 0; i < 2; i++) {
            lab.writeRandom(src, "f" + i, 1);
            LabFixture.Run snap = job(lab, "snapshot", file);
            assertThat(snap.exitCode()).as(snap.toString()).isZero();
            assertThat(snap.stdout()).as(snap.toString()).contains("snapshot taken");
        }
        LabFixture.Run run = job(lab, "run", file);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, String> jobSnapshots = new java.util.LinkedHashMap<>();
        StateLab.snapshotGuids(lab, dst).forEach((name, guid) -> {
            if (name.startsWith("zfs-sync_job.j_")) {
                jobSnapshots.put(name, guid);
            }
        });
        assertThat(jobSnapshots).as("job snapshots replicated to the target: " + lab.snapshots(dst))
                .hasSizeGreaterThanOrEqualTo(2);

        lab.writeRandom(src, "g", 1);
        LabFixture.Run sync = lab.zfsSync("sync", "--json", "--compress=none", lab.src("a"), lab.dst("a"));
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        assertThat(StateLab.snapshotGuids(lab, dst)).as("job snapshots kept on the target\n" + sync)
                .containsAllEntriesOf(jobSnapshots);
        assertThat(lab.checksum(dst)).as(sync.toString()).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    /**
     * Scenario 4. Fan-out to two targets with retention: each target receives the other's sync
     * snapshots inside its {@code -I} streams; they must not pile up there (at most one), and
     * each target stays within its retention plus what the design needs.
     */
    @Test
    void fanOutWithRetentionKeepsTheOtherTargetsSyncSnapshotsBounded(LabFixture lab) throws IOException {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src);
        Path file = writeConfig("fan.yaml", """
                defaults:
                  ssh-config: %s
                jobs:
                  - name: fan
                    source: %s
                    targets: [%s, %s]
                    recursive: false
                    compress: none
                    retention:
                      source: {last: 2}
                      target: {last: 3}
                """.formatted(lab.guest().sshConfig(), lab.src("a"), lab.dst("x"), lab.dst("y")));
        Map<String, String> idOf = Map.of("x", TargetIds.derive(Endpoint.parse(lab.dst("x"))),
                "y", TargetIds.derive(Endpoint.parse(lab.dst("y"))));
        // Two runs: where nothing prunes the other target's snapshots, the second run already leaves
        // two of them on each target; each fan-out run costs two syncs and a prune of CI's lab time.
        for (int i = 0; i < 2; i++) {
            lab.writeRandom(src, "f" + i, 1);
            LabFixture.Run run = job(lab, "run", file);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            for (String t : List.of("x", "y")) {
                String other = idOf.get(t.equals("x") ? "y" : "x");
                List<String> snapshots = lab.snapshots(lab.targetPool() + "/" + t);
                List<String> others = new ArrayList<>();
                for (String name : snapshots) {
                    Matcher m = SYNC_SNAPSHOT.matcher(name);
                    if (m.matches() && m.group(1).equals(other)) {
                        others.add(name);
                    }
                }
                String what = "run " + (i + 1) + ", target " + t + " (" + idOf.get(t) + "): " + snapshots + "\n" + run;
                assertThat(others).as("the other target's sync snapshots on " + what).hasSizeLessThanOrEqualTo(1);
                assertThat(snapshots).as("all snapshots on " + what).hasSizeLessThanOrEqualTo(5);
            }
        }
        for (String t : List.of("x", "y")) {
            assertThat(lab.checksum(lab.targetPool() + "/" + t)).as(t).isEqualTo(lab.checksumOfNewestSnapshot(src));
        }
    }

    /**
     * Scenario 5. zfs-sync's first (full) stream lands on the target, but zfs-sync never learns it
     * (the exit status is lost with the connection): here its receive is killed while the target
     * receives the same snapshot another way. The retry must find the snapshot there by GUID and
     * be done, not fail or be refused because the target now exists. (For an incremental stream
     * OpenZFS 2.3 itself accepts a snapshot the target already has by GUID, exit 0; a full stream
     * into an existing dataset is an error: "destination exists, must specify -F".)
     */
    @Test
    void targetThatAlreadyHoldsTheSnapshotBeingSentIsDoneNotRefused(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 6);
        lab.sh("zfs snapshot " + src + "@u1");

        LabFixture.Run run;
        try (StateLab.Background sync = StateLab.Background.start("sync", "--ssh-config",
                lab.guest().sshConfig().toString(), "--json", "--no-snapshot", "--target-id", "t1", "--compress=none",
                "--mbuffer-size=2M", "--bwlimit=4M", FAST_RETRY, lab.src("a"), lab.dst("a"))) {
            String reached = StateLab.atReceiveOffset(lab, dst, 1_000_000, "true");
            assertThat(reached).as("zfs-sync's receive started").startsWith("reached");
            String pid = reached.split(" ")[1];
            // Freeze zfs-sync so its retry cannot race the other receive; kill its receive, and let the
            // target receive @u1 another way, as if zfs-sync's own receive had completed unseen.
            sync.suspend();
            try {
                lab.sh("kill -9 " + pid + "; for i in $(seq 100); do kill -0 " + pid + " 2>/dev/null || break;"
                        + " sleep 0.1; done; for i in $(seq 100); do"
                        + " [ \"$(zfs get -H -o value receive_resume_token " + dst + " 2>/dev/null)\" != - ] && break;"
                        + " sleep 0.1; done; zfs receive -A " + dst + " 2>/dev/null;"
                        + " zfs send " + src + "@u1 | zfs receive -o readonly=on " + dst);
            } finally {
                sync.resume();
            }
            assertThat(StateLab.newestGuid(lab, dst)).isEqualTo(StateLab.guid(lab, src + "@u1"));
            run = sync.await(Duration.ofMinutes(3));
        }
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(only(run).get("status").asText()).as(run.toString()).isIn("DONE", "UP_TO_DATE");
        assertThat(StateLab.newestGuid(lab, dst)).as(run.toString()).isEqualTo(StateLab.guid(lab, src + "@u1"));
        assertThat(lab.checksum(dst)).as(run.toString()).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    /**
     * Scenario 6. A foreign snapshot (sanoid's, say) becomes the newest common one; when that tool
     * prunes it on both sides, zfs-sync must still have a base of its own and go on incrementally.
     * Two cycles; the run after the first pruning also carries the second foreign snapshot.
     */
    @Test
    void anotherToolsSnapshotNeverBecomesTheOnlyBase(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        LabFixture.Run first = sync(lab, lab.src("a"), lab.dst("a"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        // A foreign snapshot with nothing written after it: the next run carries it to the target.
        lab.sh("zfs snapshot " + src + "@autosnap_1");
        LabFixture.Run carry = sync(lab, "--json", lab.src("a"), lab.dst("a"));
        assertThat(carry.exitCode()).as(carry.toString()).isZero();
        for (int cycle = 1; cycle <= 2; cycle++) {
            String foreign = "autosnap_" + cycle;
            // The other tool prunes its snapshot on both sides.
            lab.sh("zfs destroy " + src + "@" + foreign + "; zfs destroy " + dst + "@" + foreign + " 2>/dev/null; true");
            lab.writeRandom(src, "g" + cycle, 1);
            if (cycle == 1) {
                // Its next snapshot, again with nothing written after it: this run carries that one too.
                lab.sh("zfs snapshot " + src + "@autosnap_2");
            }
            LabFixture.Run next = sync(lab, "--json", lab.src("a"), lab.dst("a"));
            String what = "cycle " + cycle + "\n--- the run that carried @" + foreign + ":\n" + carry
                    + "\n--- next:\n" + next;
            assertThat(next.exitCode()).as(what).isZero();
            assertThat(only(next).get("action").asText()).as(what).isEqualTo("INCREMENTAL");
            assertThat(StateLab.newestGuid(lab, dst)).as(what).isEqualTo(StateLab.newestGuid(lab, src));
            assertThat(lab.checksum(dst)).as(what).isEqualTo(lab.checksumOfNewestSnapshot(src));
            carry = next;
        }
    }

    /**
     * Scenario 7. zfs-sync is SIGKILLed mid-stream; the target's receive goes on draining what its
     * mbuffer holds (the mbuffer is frozen here until the next run has met the busy receive, so the
     * overlap is certain). The next run must wait or retry until that receive has ended, then
     * resume from the token as it is then: not fail for good.
     */
    @Test
    void runStartedWhileAKilledRunsReceiveStillDrainsWaitsAndResumes(LabFixture lab) throws Exception {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "blob", 40);
        String pid;
        try (StateLab.Background killed = StateLab.Background.start("sync", "--ssh-config",
                lab.guest().sshConfig().toString(), "--target-id", "t1", "--compress=none", "--mbuffer-size=32M",
                FAST_RETRY, lab.src("a"), lab.dst("a"))) {
            // Once the receive has read ~8 MB with 4 MB more waiting in the target's 32M mbuffer (or
            // has read 12 MB), freeze that mbuffer (it stands for a buffer slow to drain): the receive stays busy.
            String frozen = StateLab.freezeFeederOfReceive(lab, dst, 8_000_000, 4_000_000, 12_000_000);
            assertThat(frozen).as("zfs-sync's receive and its mbuffer").startsWith("frozen");
            System.out.println("[lab figures] scenario 7: " + frozen
                    + " (receive pid, mbuffer pid, bytes read, bytes buffered)");
            pid = frozen.split(" ")[2];
            LabFixture.Run dead = killed.kill();
            assertThat(dead.exitCode()).isEqualTo(137);
        }
        // The next run meets the old receive still running (a token is visible, but the dataset is
        // busy). The old receive goes on once that run has logged its first failed attempt (a
        // warning, an error, or a line saying "busy"), or after 30 s if it waits quietly; its
        // retries (1 s, 2 s, 4 s, ...) outlast that.
        LabFixture.Run run;
        String released;
        try (StateLab.Background next = StateLab.Background.start("sync", "--ssh-config",
                lab.guest().sshConfig().toString(), "--json", "--target-id", "t1", "--compress=none",
                "--retry-initial-delay-ms=1000", lab.src("a"), lab.dst("a"))) {
            boolean failedOnce = next.awaitLog(l -> l.contains(" WARN ") || l.contains(" ERROR ")
                    || l.toLowerCase(java.util.Locale.ROOT).contains("busy"), Duration.ofSeconds(30));
            lab.sh("kill -CONT " + pid);
            released = failedOnce ? "released the old receive after the next run's first failure"
                    : "released the old receive after 30 s";
            run = next.await(Duration.ofMinutes(3));
        } finally {
            lab.shResult("kill -CONT " + pid + " 2>/dev/null");
        }
        assertThat(run.exitCode()).as(released + "\n" + run).isZero();
        assertThat(StateLab.property(lab, dst, "receive_resume_token")).isEqualTo("-");
        assertThat(StateLab.newestGuid(lab, dst)).as(run.toString()).isEqualTo(StateLab.newestGuid(lab, src));
        assertThat(lab.checksum(dst)).as(run.toString()).isEqualTo(lab.checksumOfNewestSnapshot(src));
        assertThat(StateLab.holds(lab, src)).as(run.toString()).noneMatch(h -> h.endsWith(" zfs-sync_t1"));
    }

    /**
     * Scenario 8. A partial receive on an encrypted target that came from a non-raw stream must
     * never be resumed (that would send plaintext): the run discards it, says why, and the target
     * stays encrypted without its key.
     */
    @Test
    void nonRawPartialReceiveOnAnEncryptedTargetIsDiscardedNotResumed(LabFixture lab) {
        String src = lab.sourcePool() + "/secret";
        String dst = lab.targetPool() + "/secret";
        String key = "/root/" + lab.sourcePool() + ".key";
        lab.sh("printf 'correct horse battery staple' > " + key + " && zfs create -o encryption=on"
                + " -o keyformat=passphrase -o keylocation=file://" + key + " " + src);
        lab.writeRandom(src, "f", 2);
        LabFixture.Run first = sync(lab, lab.src("secret"), lab.dst("secret"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        String base = lab.snapshots(src).get(lab.snapshots(src).size() - 1);
        lab.writeRandom(src, "g", 4);
        lab.sh("zfs snapshot " + src + "@u");
        String plant = "zfs send -i @" + base + " " + src + "@u | head -c 1000000 | zfs receive -s " + dst;
        LabGuest.LabResult planted = lab.shResult(plant);
        if (StateLab.property(lab, dst, "receive_resume_token").equals("-")) {
            // Without the key loaded ZFS refuses a non-raw stream into an encrypted dataset; load it,
            // plant the partial receive, and unload it again: the target is back to keystatus=unavailable.
            System.out.println("[lab figures] a non-raw incremental into an encrypted target without its key: "
                    + planted.stderr().strip());
            lab.shResult("zfs load-key -L file://" + key + " " + dst + " && (" + plant + "); zfs unmount " + dst
                    + " 2>/dev/null; zfs unload-key " + dst);
        }
        String token = StateLab.property(lab, dst, "receive_resume_token");
        assertThat(token).as("a non-raw partial receive planted on the target").startsWith("1-");
        assertThat(StateLab.property(lab, dst, "keystatus")).isEqualTo("unavailable");

        LabFixture.Run run = sync(lab, "--json", lab.src("secret"), lab.dst("secret"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).as(run.toString()).contains("discarding the partial receive").contains("non-raw");
        assertThat(run.stderr()).as(run.toString()).doesNotContain("resuming the interrupted receive");
        assertThat(StateLab.property(lab, dst, "encryption")).as(run.toString()).isNotEqualTo("off");
        assertThat(StateLab.property(lab, dst, "keystatus")).as(run.toString()).isEqualTo("unavailable");
        assertThat(StateLab.property(lab, dst, "receive_resume_token")).isEqualTo("-");
        assertThat(StateLab.newestGuid(lab, dst)).as(run.toString()).isEqualTo(StateLab.newestGuid(lab, src));
    }
}
