package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.lock.Wait;

/** Jobs from one YAML file on real OpenZFS: three jobs (one fan-out), retention on both sides, the job lock. */
@ZfsLab
class JobsLabTest {
    @TempDir
    Path dir;

    private Path config(LabFixture lab) throws IOException {
        String src = LabGuest.SOURCE_HOST + ":" + lab.sourcePool();
        String dst = LabGuest.TARGET_HOST + ":" + lab.targetPool();
        String yaml = """
                defaults:
                  ssh-config: %s
                  recursive: true
                jobs:
                  - name: one
                    source: %s/a
                    targets: [%s/a]
                    recursive: false
                    retention:
                      source: {last: 1}
                      target: {last: 2}
                  - name: two
                    source: %s/b
                    targets:
                      - %s/b1
                      - %s/b2
                  - name: three
                    source: %s/d
                    targets: [%s/d]
                    compress: none
                """.formatted(lab.guest().sshConfig(), src, dst, src, dst, dst, src, dst);
        Path file = dir.resolve("zfs-sync.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private LabFixture.Run run(LabFixture lab, Path file, String... jobs) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-c", file.toString(), "--lock-dir",
                dir.resolve("locks").toString()));
        args.addAll(List.of(jobs));
        return lab.zfsSyncPlain(args.toArray(String[]::new));
    }

    @Test
    void threeJobsRunEndToEndAndRetentionPrunesExactlyWhatItShould(LabFixture lab) throws IOException {
        String s = lab.sourcePool();
        String t = lab.targetPool();
        lab.sh("zfs create " + s + "/a && zfs create " + s + "/b && zfs create " + s + "/b/c && zfs create " + s + "/d");
        for (String d : List.of("a", "b", "b/c", "d")) {
            lab.writeRandom(s + "/" + d, "f", 1);
        }
        lab.sh("zfs snapshot " + s + "/a@mine");
        lab.writeRandom(s + "/a", "g", 1);
        Path file = config(lab);

        LabFixture.Run all = run(lab, file);
        assertThat(all.exitCode()).as(all.toString()).isZero();
        for (String[] pair : new String[][] {{"a", "a"}, {"b/c", "b1/c"}, {"b/c", "b2/c"}, {"b", "b2"}, {"d", "d"}}) {
            assertThat(lab.checksum(t + "/" + pair[1])).as(pair[1]).isEqualTo(lab.checksumOfNewestSnapshot(s + "/" + pair[0]));
        }
        // Fan-out: each target has its own sync snapshot on the source.
        assertThat(lab.snapshots(s + "/b")).hasSize(2);
        LabFixture.Run list = lab.zfsSync("list", LabGuest.SOURCE_HOST + ":" + s, "--regex", "/b(/|$)", "--json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.json().findValuesAsText("name")).containsExactly(s + "/b", s + "/b/c");
        assertThat(list.json().get(0).get("snapshots").asInt()).isEqualTo(2);

        String first = ours(lab.snapshots(s + "/a")).get(0);
        lab.sh("zfs hold keep " + s + "/a@" + first);
        try {
            for (int i = 0; i < 3; i++) {
                lab.writeRandom(s + "/a", "h" + i, 1);
                LabFixture.Run r = run(lab, file, "one");
                assertThat(r.exitCode()).as(r.toString()).isZero();
            }
            List<String> sourceOurs = ours(lab.snapshots(s + "/a"));
            List<String> targetOurs = ours(lab.snapshots(t + "/a"));
            String newest = sourceOurs.get(sourceOurs.size() - 1);
            // Source, last 1: the newest (also the common base) and the held one; the user's snapshot untouched.
            assertThat(lab.snapshots(s + "/a")).containsExactly("mine", first, newest);
            // Target, last 2: the two newest; the user's snapshot untouched.
            assertThat(lab.snapshots(t + "/a")).hasSize(3).startsWith("mine").endsWith(newest);
            assertThat(targetOurs).hasSize(2).doesNotContain(first);
            assertThat(lab.checksum(t + "/a")).isEqualTo(lab.checksumOfNewestSnapshot(s + "/a"));
        } finally {
            lab.sh("zfs release keep " + s + "/a@" + first);
        }
    }

    @Test
    void scheduledJobSnapshotsReplicateWithParallelWorkersAndPruneSaysWhatItWouldFree(LabFixture lab)
            throws IOException {
        String s = lab.sourcePool();
        String t = lab.targetPool();
        lab.sh("zfs create " + s + "/t");
        for (int i = 0; i < 4; i++) {
            lab.sh("zfs create " + s + "/t/c" + i);
            lab.writeRandom(s + "/t/c" + i, "f", 1);
        }
        lab.writeRandom(s + "/t", "big", 2);
        String yaml = """
                jobs:
                  - name: sched
                    ssh-config: %s
                    source: %s:%s/t
                    targets: [%s:%s/t]
                    snapshot-every: 1h
                    workers: 2
                    retention:
                      source: {last: 1}
                      target: {last: 1}
                """.formatted(lab.guest().sshConfig(), LabGuest.SOURCE_HOST, s, LabGuest.TARGET_HOST, t);
        Path file = dir.resolve("sched.yaml");
        Files.writeString(file, yaml);
        String locks = dir.resolve("locks").toString();

        LabFixture.Run snap = lab.zfsSyncPlain("snapshot", "-c", file.toString(), "--lock-dir", locks);
        assertThat(snap.exitCode()).as(snap.toString()).isZero();
        assertThat(snap.stdout()).contains("snapshot taken " + s + "/t@zfs-sync_job.sched_", "(5 dataset(s))");
        String jobSnapshot = lab.snapshots(s + "/t").get(0);
        for (int i = 0; i < 4; i++) {
            assertThat(lab.snapshots(s + "/t/c" + i)).as("one atomic snapshot of the tree").containsExactly(jobSnapshot);
        }
        LabFixture.Run again = lab.zfsSyncPlain("snapshot", "-c", file.toString(), "--lock-dir", locks);
        assertThat(again.stdout()).contains("snapshot not due");
        assertThat(lab.snapshots(s + "/t")).containsExactly(jobSnapshot);

        // The 2 MiB file now lives only in the job snapshot: pruning it is what frees space.
        lab.sh("rm /" + s + "/t/big && sync");
        LabFixture.Run run = lab.zfsSyncPlain("run", "-c", file.toString(), "--lock-dir", locks);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).contains("snapshot not due", "5 replicated");
        for (int i = 0; i < 4; i++) {
            assertThat(lab.checksum(t + "/t/c" + i)).isEqualTo(lab.checksumOfNewestSnapshot(s + "/t/c" + i));
            // Nothing was written after the job snapshot: it is the children's base (zfs-sync's own, the
            // job's), so no sync snapshot is stacked on it and retention keeps it on both sides.
            assertThat(lab.snapshots(t + "/t/c" + i)).containsExactly(jobSnapshot);
            assertThat(lab.snapshots(s + "/t/c" + i)).containsExactly(jobSnapshot);
        }
        // t changed after it: the job snapshot travelled in t's stream under a sync snapshot, and
        // retention (last: 1) pruned it on both sides; the newest (the common base) stays.
        assertThat(run.stdout()).contains(t + "/t@" + jobSnapshot);
        assertThat(lab.snapshots(t + "/t")).hasSize(1).doesNotContain(jobSnapshot);
        assertThat(lab.snapshots(s + "/t")).hasSize(1).doesNotContain(jobSnapshot);
        // list with the config: each target's lag, the age of the newest snapshot it has.
        LabFixture.Run list = lab.zfsSync("list", LabGuest.SOURCE_HOST + ":" + s + "/t", "-c", file.toString(), "--json");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        JsonNode lag = list.json().get(0).get("lag").get(0);
        assertThat(lag.get("job").asText()).isEqualTo("sched");
        assertThat(lag.get("replicatedAs").asText()).isEqualTo(lab.snapshots(s + "/t").get(0));
        assertThat(lag.get("seconds").asLong()).isBetween(0L, 3600L);
        assertThat(list.json().findValues("lag")).hasSize(5).allSatisfy(l -> assertThat(l).hasSize(1));

        // A job snapshot holding the only copy of a 2 MiB file, with a newer sync snapshot after it:
        // prune --dry-run lists it on both sides with the space it would free, and changes nothing.
        lab.writeRandom(s + "/t", "big2", 2);
        LabFixture.Run snap2 = lab.zfsSyncPlain("snapshot", "-c", file.toString(), "--lock-dir", locks);
        assertThat(snap2.stdout()).as(snap2.toString()).contains("snapshot taken");
        String second = lab.snapshots(s + "/t").stream().filter(n -> n.contains("job.sched")).findFirst().orElseThrow();
        lab.sh("rm /" + s + "/t/big2 && sync");
        LabFixture.Run sync = lab.zfsSync("sync", "-r", LabGuest.SOURCE_HOST + ":" + s + "/t",
                LabGuest.TARGET_HOST + ":" + t + "/t", "--keep-sync-snapshots");
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        String before = lab.fullListing(s) + lab.fullListing(t);
        LabFixture.Run dry = lab.zfsSyncPlain("prune", "-c", file.toString(), "--lock-dir", locks, "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        JsonNode prunes = dry.json().get(0).get("prunes");
        assertThat(prunes).hasSize(2);
        for (JsonNode side : prunes) {
            assertThat(side.get("destroyed").toString()).as(side.toString()).contains("/t@" + second);
            assertThat(side.get("bytesFreed").asLong()).as(side.toString()).isGreaterThanOrEqualTo(2L * 1024 * 1024);
        }
        assertThat(lab.fullListing(s) + lab.fullListing(t)).as("a dry run changes nothing").isEqualTo(before);

        LabFixture.Run prune = lab.zfsSyncPlain("prune", "-c", file.toString(), "--lock-dir", locks);
        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(lab.snapshots(s + "/t")).doesNotContain(second).hasSize(1);
        assertThat(lab.snapshots(t + "/t")).doesNotContain(second).hasSize(1);
    }

    @Test
    void aSecondRunOfTheSameJobExitsAtOnceNamingTheHolder(LabFixture lab) throws IOException {
        lab.sh("zfs create " + lab.sourcePool() + "/a");
        Path file = config(lab);
        try (RunLock held = RunLock.acquire(dir.resolve("locks"), new RunClaim(java.util.Optional.of("one"),
                "this test", List.of()), Wait.NONE, line -> { })) {
            LabFixture.Run second = run(lab, file, "one");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(5);
            assertThat(second.stderr()).contains("job 'one' is already running", "pid " + ProcessHandle.current().pid());
            assertThat(lab.exists(lab.targetPool() + "/a")).isFalse();
        }
        // A broken file: every problem with its line and column, exit 2, and no job runs at all.
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(file).replace("targets: [", "targets: [[")
                .replace("compress: none", "compress: gzip"));
        LabFixture.Run bad = lab.zfsSyncPlain("run", "-c", broken.toString(), "--lock-dir", dir.resolve("locks").toString());
        assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.stderr()).contains("broken.yaml: line ", "column");
        assertThat(lab.exists(lab.targetPool() + "/a")).isFalse();
        assertThat(lab.snapshots(lab.sourcePool() + "/a")).isEmpty();
    }

    private static List<String> ours(List<String> snapshots) {
        return snapshots.stream().filter(n -> n.startsWith("zfs-sync_")).toList();
    }
}
