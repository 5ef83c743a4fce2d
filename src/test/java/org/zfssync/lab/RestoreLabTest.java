package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.ShellQuote;

/**
 * Quarantine instead of destroy, and restore, on real OpenZFS: a diverged target keeps every
 * snapshot it had (by GUID) under its aside name while a fresh copy arrives, quarantine-keep
 * destroys only that aside copy, and a file system, a volume and a deleted file come back from
 * the backup with their data checked by hash.
 */
@ZfsLab
class RestoreLabTest {
    /** A run's output, for the README's worked examples (in the failsafe report's output). */
    private static void example(String title, LabFixture.Run run) {
        System.out.println("=== example: " + title + "\n" + run);
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static List<String> guids(LabFixture lab, String dataset) {
        return lines(lab.sh("zfs list -H -o guid -t snapshot -d 1 " + ShellQuote.quote(dataset)));
    }

    /** The children of a pool whose names match {@code regex}. */
    private static List<String> named(LabFixture lab, String pool, String regex) {
        List<String> found = new ArrayList<>();
        for (String name : lines(lab.sh("zfs list -H -o name -d 1 " + ShellQuote.quote(pool)))) {
            if (name.matches(regex)) {
                found.add(name);
            }
        }
        return found;
    }

    /** The sha256 of a volume's device, once udev has made it. */
    private static String volumeHash(LabFixture lab, String volume) {
        String dev = ShellQuote.quote("/dev/zvol/" + volume);
        return lab.sh("udevadm settle; for i in $(seq 100); do [ -e " + dev + " ] && break; sleep 0.1; done; "
                + "sha256sum < " + dev + " | cut -c1-64").strip();
    }

    @Test
    void aDivergedTargetIsMovedAsideWholeAFreshCopyArrivesAndExpiryDestroysOnlyTheAsideCopy(LabFixture lab) {
        String src = lab.sourcePool() + "/q";
        String dst = lab.targetPool() + "/q";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        LabFixture.Run first = lab.zfsSync("sync", lab.src("q"), lab.dst("q"));
        assertThat(first.exitCode()).as(first.toString()).isZero();
        // The target diverges: someone writes to it and snapshots it.
        lab.sh("zfs set readonly=off " + dst + " && echo local > /" + dst + "/local.txt && zfs snapshot " + dst
                + "@local && zpool sync");
        List<String> before = guids(lab, dst);
        assertThat(before).hasSize(2);
        lab.writeRandom(src, "g", 1);
        // Names beside the target that must survive expiry: another dataset's aside copy, and a look-alike.
        lab.sh("zfs create " + lab.targetPool() + "/other.zfs-sync-diverged-20200101T000000Z && zfs create "
                + lab.targetPool() + "/q.zfs-sync-diverged-2020");

        LabFixture.Run refused = lab.zfsSync("sync", lab.src("q"), lab.dst("q"));
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(4);
        assertThat(refused.stdout()).contains("--on-diverged quarantine");
        String listing = lab.fullListing(lab.targetPool());
        LabFixture.Run dry = lab.zfsSync("sync", "--dry-run", "--on-diverged", "quarantine", lab.src("q"), lab.dst("q"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        example("sync --dry-run --on-diverged quarantine", dry);
        assertThat(dry.stdout()).contains("zfs rename " + dst + " " + dst + ".zfs-sync-diverged-",
                "zfs set readonly=on mountpoint=none " + dst + ".zfs-sync-diverged-");
        assertThat(lab.fullListing(lab.targetPool())).isEqualTo(listing);

        LabFixture.Run run = lab.zfsSync("sync", "--on-diverged", "quarantine", "--quarantine-keep", "30d",
                lab.src("q"), lab.dst("q"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        example("sync --on-diverged quarantine", run);
        assertThat(run.stderr()).contains("moving " + dst + " aside to " + dst + ".zfs-sync-diverged-");
        List<String> asides = named(lab, lab.targetPool(), ".*/q\\.zfs-sync-diverged-\\d{8}T\\d{6}Z");
        assertThat(asides).hasSize(1);
        String aside = asides.get(0);
        // Nothing the target had is lost: every snapshot, by GUID, and the local file in its snapshot.
        assertThat(guids(lab, aside)).containsExactlyInAnyOrderElementsOf(before);
        assertThat(lab.sh("zfs get -H -o value readonly,mounted,mountpoint " + aside)).isEqualTo("on\nno\nnone\n");
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksumOfNewestSnapshot(src));
        assertThat(lab.sh("zfs get -H -o value readonly " + dst).strip()).isEqualTo("on");

        LabFixture.sleep(2_500);
        LabFixture.Run dryExpiry = lab.zfsSync("sync", "--dry-run", "--quarantine-keep", "1s", lab.src("q"),
                lab.dst("q"));
        assertThat(dryExpiry.exitCode()).as(dryExpiry.toString()).isZero();
        example("sync --dry-run --quarantine-keep 1s", dryExpiry);
        assertThat(dryExpiry.stdout()).contains("zfs destroy -r " + aside);
        assertThat(lab.exists(aside)).isTrue();
        LabFixture.Run expiry = lab.zfsSync("sync", "--quarantine-keep", "1s", lab.src("q"), lab.dst("q"));
        assertThat(expiry.exitCode()).as(expiry.toString()).isZero();
        assertThat(expiry.stderr()).contains("destroying " + aside);
        assertThat(lab.exists(aside)).isFalse();
        assertThat(lab.exists(lab.targetPool() + "/other.zfs-sync-diverged-20200101T000000Z")).isTrue();
        assertThat(lab.exists(lab.targetPool() + "/q.zfs-sync-diverged-2020")).isTrue();
        assertThat(lab.checksum(dst)).isEqualTo(lab.checksumOfNewestSnapshot(src));
    }

    @Test
    void aFileSystemAndAVolumeAreRestoredIntoNewDatasetsOnTheSource(LabFixture lab) {
        String fs = lab.sourcePool() + "/fs";
        String vol = lab.sourcePool() + "/vol";
        lab.sh("zfs create " + fs + " && zfs create -V 8M " + vol);
        lab.writeRandom(fs, "data.bin", 2);
        volumeHash(lab, vol);
        lab.sh("head -c 3M /dev/urandom | dd of=/dev/zvol/" + vol + " bs=1M conv=fsync status=none && zpool sync");
        String volBefore = volumeHash(lab, vol);
        for (String d : List.of("fs", "vol")) {
            LabFixture.Run sync = lab.zfsSync("sync", lab.src(d), lab.dst("backup/" + d));
            assertThat(sync.exitCode()).as(sync.toString()).isZero();
        }
        String snap = lab.snapshots(lab.targetPool() + "/backup/fs").get(0);

        LabFixture.Run list = lab.zfsSync("restore", "list", lab.dst("backup/fs"), lab.src("fs"));
        assertThat(list.exitCode()).as(list.toString()).isZero();
        example("restore list", list);
        assertThat(list.stdout()).contains("@" + snap, "REFERENCED", "ON SOURCE", "yes");

        LabFixture.Run dry = lab.zfsSync("restore", "--dry-run", lab.dst("backup/fs") + "@" + snap,
                lab.src("restored/fs"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        example("restore --dry-run", dry);
        assertThat(dry.stdout()).contains("zfs send " + lab.targetPool() + "/backup/fs@" + snap,
                "zfs receive -s " + lab.sourcePool() + "/restored/fs");
        assertThat(lab.exists(lab.sourcePool() + "/restored")).isFalse();

        LabFixture.Run restored = lab.zfsSync("restore", lab.dst("backup/fs") + "@" + snap, lab.src("restored/fs"));
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        example("restore into a new dataset", restored);
        assertThat(lab.checksum(lab.sourcePool() + "/restored/fs")).isEqualTo(lab.checksumOfNewestSnapshot(fs));
        LabFixture.Run again = lab.zfsSync("restore", lab.dst("backup/fs") + "@" + snap, lab.src("restored/fs"));
        assertThat(again.exitCode()).as("never overwrites: " + again).isEqualTo(4);
        assertThat(again.stderr()).contains("already exists");

        LabFixture.Run volume = lab.zfsSync("restore", "--as-of", "2100-01-01", lab.dst("backup/vol"),
                lab.src("restored/vol"));
        assertThat(volume.exitCode()).as(volume.toString()).isZero();
        assertThat(volumeHash(lab, lab.sourcePool() + "/restored/vol")).isEqualTo(volBefore);
    }

    @Test
    void aDeletedFileComesBackInPlaceByRollbackThenBySwappingNames(LabFixture lab) {
        String src = lab.sourcePool() + "/c";
        lab.sh("zfs create " + src);
        lab.writeRandom(src, "f", 1);
        String hash = lab.sh("sha256sum < /" + src + "/f").strip();
        LabFixture.Run sync = lab.zfsSync("sync", lab.src("c"), lab.dst("c"));
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        String snap = lab.snapshots(lab.targetPool() + "/c").get(0);

        lab.sh("rm /" + src + "/f && zpool sync");
        LabFixture.Run rollback = lab.zfsSync("restore", "--in-place", "--yes", lab.dst("c") + "@" + snap, lab.src("c"));
        assertThat(rollback.exitCode()).as(rollback.toString()).isZero();
        example("restore --in-place by rollback", rollback);
        assertThat(rollback.stdout()).contains("by rollback", "zfs rollback " + src + "@" + snap);
        assertThat(lab.sh("sha256sum < /" + src + "/f").strip()).isEqualTo(hash);

        // The source no longer holds the snapshot: received beside it, then the names are swapped.
        lab.sh("zfs destroy " + src + "@" + snap + " && rm /" + src + "/f && zpool sync");
        LabFixture.Run swap = lab.zfsSync("restore", "--in-place", "--yes", lab.dst("c") + "@" + snap, lab.src("c"));
        assertThat(swap.exitCode()).as(swap.toString()).isZero();
        example("restore --in-place by swap", swap);
        assertThat(swap.stdout()).contains("swap names", "zfs rename " + src + " " + src + ".zfs-sync-replaced-");
        assertThat(lab.sh("sha256sum < /" + src + "/f").strip()).isEqualTo(hash);
        List<String> replaced = named(lab, lab.sourcePool(), ".*/c\\.zfs-sync-replaced-\\d{8}T\\d{6}Z");
        assertThat(replaced).as("the original is kept, never destroyed").hasSize(1);
        assertThat(lab.sh("ls /" + replaced.get(0))).doesNotContain("f");
    }
}
