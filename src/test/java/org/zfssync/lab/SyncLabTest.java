package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** zfs-sync sync on real OpenZFS, the target reached over ssh through the lab's forwarded port. */
@ZfsLab
class SyncLabTest {
    private static final List<String> TREE = List.of("", "a", "a/x", "a/y", "b", "b/x", "b/x/deep", "c", "c/x", "d", "e");

    private static void makeTree(LabFixture lab, String root) {
        StringBuilder cmd = new StringBuilder();
        for (String d : TREE) {
            cmd.append("zfs create ").append(root).append(d.isEmpty() ? "" : "/" + d).append(" && ");
        }
        cmd.append("true");
        lab.sh(cmd.toString());
        for (String d : TREE) {
            lab.writeRandom(root + (d.isEmpty() ? "" : "/" + d), "data.bin", 1);
        }
    }

    private static void assertSameData(LabFixture lab, String source, String target) {
        for (String d : TREE) {
            String suffix = d.isEmpty() ? "" : "/" + d;
            assertThat(lab.checksum(target + suffix)).as(target + suffix)
                    .isEqualTo(lab.checksumOfNewestSnapshot(source + suffix));
        }
    }

    private static List<String> statuses(JsonNode report) {
        List<String> result = new ArrayList<>();
        report.get("datasets").forEach(d -> result.add(d.get("status").asText()));
        return result;
    }

    @Test
    @Tag("smoke")
    void fullThenIncrementalThenNoOpOfATreeOfElevenDatasets(LabFixture lab) {
        String src = lab.sourcePool() + "/tree";
        String dst = lab.targetPool() + "/backup/tree";
        makeTree(lab, src);

        LabFixture.Run first = lab.zfsSync("sync", "-r", "--json", lab.src("tree"), lab.dst("backup/tree"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(statuses(first.json())).hasSize(11).containsOnly("DONE");
        assertSameData(lab, src, dst);

        lab.writeRandom(src + "/a/x", "new.bin", 2);
        lab.sh("rm /" + src + "/b/data.bin && zpool sync");
        LabFixture.Run second = lab.zfsSync("sync", "-r", "--json", lab.src("tree"), lab.dst("backup/tree"));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        JsonNode report = second.json();
        assertThat(statuses(report)).filteredOn("DONE"::equals).hasSize(2);
        assertThat(statuses(report)).filteredOn("UP_TO_DATE"::equals).hasSize(9);
        assertSameData(lab, src, dst);
        // The previous sync snapshot of each changed dataset was destroyed on both sides; one remains.
        assertThat(lab.snapshots(src + "/a/x")).singleElement().asString().startsWith("zfs-sync_");
        assertThat(lab.snapshots(dst + "/a/x")).singleElement().isEqualTo(lab.snapshots(src + "/a/x").get(0));

        LabFixture.Run third = lab.zfsSync("sync", "-r", "--json", lab.src("tree"), lab.dst("backup/tree"));
        assertThat(third.exitCode()).as(third.toString()).isZero();
        assertThat(statuses(third.json())).containsOnly("UP_TO_DATE");
        assertThat(third.json().get("snapshot").isNull()).isTrue();
        assertThat(third.json().get("datasets").findValues("bytes")).allMatch(b -> b.asLong() == 0);
    }

    @Test
    @Tag("smoke")
    void aChangeWrittenJustBeforeTheRunIsNotMissed(LabFixture lab) {
        // ZFS counts `written` only when a transaction group commits (every ~5 s). The run flushes
        // the source pool before it lists; without that, this append looked unchanged ("up to date").
        String src = lab.sourcePool() + "/fresh";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "a.bin", 1);
        LabFixture.Run first = lab.zfsSync("sync", lab.src("fresh"), lab.dst("fresh"));
        assertThat(first.exitCode()).as(first.toString()).isZero();

        lab.sh("echo appended >> /" + src + "/a.bin");
        LabFixture.Run second = lab.zfsSync("sync", "--json", lab.src("fresh"), lab.dst("fresh"));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(statuses(second.json())).containsExactly("DONE");
        assertThat(lab.checksum(lab.targetPool() + "/fresh")).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    @Test
    void sourceWithoutSnapshotsGetsASyncSnapshotAndArrives(LabFixture lab) {
        String src = lab.sourcePool() + "/empty";
        lab.sh("zfs create " + src);
        assertThat(lab.snapshots(src)).isEmpty();
        LabFixture.Run run = lab.zfsSync("sync", lab.src("empty"), lab.dst("empty"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(lab.snapshots(src)).hasSize(1);
        assertThat(lab.snapshots(lab.targetPool() + "/empty")).isEqualTo(lab.snapshots(src));

        LabFixture.Run refused = lab.zfsSync("sync", "--no-snapshot", lab.src("other"), lab.dst("other"));
        assertThat(refused.exitCode()).as("missing source is a usage error").isEqualTo(2);
        assertThat(refused.stderr()).contains("does not exist");
        lab.sh("zfs create " + lab.sourcePool() + "/other");
        LabFixture.Run none = lab.zfsSync("sync", "--no-snapshot", lab.src("other"), lab.dst("other"));
        assertThat(none.exitCode()).isEqualTo(4);
        assertThat(none.stdout()).contains("has no snapshots", "--no-snapshot");
    }

    @Test
    void noCommonSnapshotIsRefusedUntouchedAndForceOverwriteReplaces(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src + " && zfs create " + dst + " && zfs snapshot " + dst + "@theirs");
        lab.writeRandom(src, "f", 1);
        String before = lab.fullListing(lab.targetPool());
        LabFixture.Run refused = lab.zfsSync("sync", lab.src("a"), lab.dst("a"));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.stdout()).contains("shares no snapshot", "--force-overwrite");
        assertThat(lab.fullListing(lab.targetPool())).isEqualTo(before);

        LabFixture.Run forced = lab.zfsSync("sync", "--force-overwrite", lab.src("a"), lab.dst("a"));
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(lab.snapshots(dst)).doesNotContain("theirs");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void divergedTargetIsRefusedAndRollbackRecovers(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        assertThat(lab.zfsSync("sync", lab.src("a"), lab.dst("a")).exitCode()).isZero();
        lab.sh("zfs snapshot " + dst + "@local-change");
        lab.writeRandom(src, "g", 1);
        String before = lab.fullListing(lab.targetPool());

        LabFixture.Run refused = lab.zfsSync("sync", lab.src("a"), lab.dst("a"));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.stdout()).contains("newer than the common snapshot", "--rollback");
        assertThat(lab.fullListing(lab.targetPool())).isEqualTo(before);

        LabFixture.Run rolled = lab.zfsSync("sync", "--rollback", lab.src("a"), lab.dst("a"));
        assertThat(rolled.exitCode()).as(rolled.toString()).isZero();
        assertThat(rolled.stderr()).contains("rolling back").contains("local-change");
        assertThat(lab.snapshots(dst)).doesNotContain("local-change");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void modifiedTargetIsRefusedAndRollbackDiscardsTheChange(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        assertThat(lab.zfsSync("sync", lab.src("a"), lab.dst("a")).exitCode()).isZero();
        assertThat(lab.sh("zfs get -H -o value readonly " + dst).strip()).as("targets are created read-only").isEqualTo("on");
        lab.sh("zfs set readonly=off " + dst);
        lab.writeRandom(dst, "stray", 1);
        lab.writeRandom(src, "g", 1);
        LabFixture.Run refused = lab.zfsSync("sync", lab.src("a"), lab.dst("a"));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.stdout()).contains("was modified");
        LabFixture.Run rolled = lab.zfsSync("sync", "-F", lab.src("a"), lab.dst("a"));
        assertThat(rolled.exitCode()).as(rolled.toString()).isZero();
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void encryptedDatasetArrivesStillEncrypted(LabFixture lab) {
        String src = lab.sourcePool() + "/secret";
        String dst = lab.targetPool() + "/secret";
        lab.sh("printf 'correct horse battery staple' > /root/" + lab.sourcePool() + ".key && zfs create -o encryption=on"
                + " -o keyformat=passphrase -o keylocation=file:///root/" + lab.sourcePool() + ".key " + src);
        lab.writeRandom(src, "f", 2);
        LabFixture.Run run = lab.zfsSync("sync", "--json", lab.src("secret"), lab.dst("secret"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(lab.sh("zfs get -H -o value encryption,keystatus " + dst)).contains("aes-256-gcm", "unavailable");
        lab.writeRandom(src, "g", 1);
        LabFixture.Run incremental = lab.zfsSync("sync", lab.src("secret"), lab.dst("secret"));
        assertThat(incremental.exitCode()).as(incremental.toString()).isZero();
        assertThat(lab.sh("zfs get -H -o value keystatus " + dst).strip()).isEqualTo("unavailable");
        lab.sh("zfs load-key -L file:///root/" + lab.sourcePool() + ".key " + dst + " && zfs mount " + dst);
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksum(src));
    }

    @Test
    void dryRunChangesNothingAndPrintsTheCommands(LabFixture lab) {
        String src = lab.sourcePool() + "/tree";
        makeTree(lab, src);
        assertThat(lab.zfsSync("sync", "-r", lab.src("tree"), lab.dst("tree")).exitCode()).isZero();
        lab.writeRandom(src + "/a", "more", 1);
        lab.sh("zfs snapshot " + lab.targetPool() + "/tree/c@user-snap && zfs hold keep " + lab.targetPool()
                + "/tree/c@user-snap");
        String sourceBefore = lab.fullListing(lab.sourcePool());
        String targetBefore = lab.fullListing(lab.targetPool());

        LabFixture.Run dry = lab.zfsSync("sync", "-r", "--dry-run", "--rollback", lab.src("tree"), lab.dst("tree"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.stdout()).contains("dry run", "zfs snapshot", "zfs send -I", "zfs receive -s", "zfs rollback -r",
                "zfs destroy");
        LabFixture.Run firstTime = lab.zfsSync("sync", "-r", "-n", lab.src("tree"), lab.dst("new/tree"));
        assertThat(firstTime.exitCode()).as(firstTime.toString()).isZero();
        assertThat(firstTime.stdout()).contains("zfs create -p", "full send");

        assertThat(lab.fullListing(lab.sourcePool())).isEqualTo(sourceBefore);
        assertThat(lab.fullListing(lab.targetPool())).isEqualTo(targetBefore);
    }

    @Test
    void commandBudgetPerHost(LabFixture lab) {
        String src = lab.sourcePool() + "/many";
        StringBuilder create = new StringBuilder("zfs create " + src);
        for (int i = 0; i < 49; i++) {
            create.append(" && zfs create ").append(src).append("/d").append(i);
        }
        lab.sh(create.toString());
        // Seed the target in one stream so the test measures zfs-sync's steady state, not setup.
        // Seeded under zfs-sync's own name, as an earlier run of it would have left it.
        String seed = "zfs-sync_t1_20260101T000000Z";
        lab.sh("zfs snapshot -r " + src + "@" + seed + " && zfs send -R " + src + "@" + seed + " | zfs receive -u "
                + lab.targetPool() + "/many");
        // The first run finds everything up to date and only makes each dataset's cursor (one session).
        LabFixture.Run first = lab.zfsSync("sync", "-r", "--json", "--target-id", "t1", lab.src("many"),
                lab.dst("many"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(statuses(first.json())).hasSize(50).containsOnly("UP_TO_DATE");
        assertThat(lab.sh("zfs list -H -t bookmark -o name -r " + src).lines()).hasSize(50)
                .allSatisfy(b -> assertThat(b).contains("#zfs-sync_t1_cursor_"));

        LabFixture.Run noop = lab.zfsSync("sync", "-r", "--json", "--target-id", "t1", lab.src("many"),
                lab.dst("many"));
        assertThat(noop.exitCode()).as(noop.toString()).isZero();
        assertThat(statuses(noop.json())).hasSize(50).containsOnly("UP_TO_DATE");
        JsonNode commands = noop.json().get("commands");
        assertThat(commands.get(LabGuest.SOURCE_HOST).asLong()).as("listing + version probe").isLessThanOrEqualTo(2);
        assertThat(commands.get(LabGuest.TARGET_HOST).asLong()).isLessThanOrEqualTo(2);

        int k = 3;
        for (int i = 0; i < k; i++) {
            lab.writeRandom(src + "/d" + (i * 7), "new", 1);
        }
        LabFixture.Run changed = lab.zfsSync("sync", "-r", "--json", "--target-id", "t1", lab.src("many"),
                lab.dst("many"));
        assertThat(changed.exitCode()).as(changed.toString()).isZero();
        assertThat(statuses(changed.json())).filteredOn("DONE"::equals).hasSize(k);
        commands = changed.json().get("commands");
        // Source: listing, probe, the snapshot-and-holds batch, k sends, then the end of the run in four
        // round trips however many datasets (ChannelBatch): the cursors' program, the older cursors'
        // destroys once the new ones exist, the releases, the destroys' program.
        assertThat(commands.get(LabGuest.SOURCE_HOST).asLong()).isLessThanOrEqualTo(2 + 1 + k + 4);
        assertThat(commands.get(LabGuest.TARGET_HOST).asLong()).isLessThanOrEqualTo(2 + k + 2);
    }
}
