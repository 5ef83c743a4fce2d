package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code zfs-sync verify} on real OpenZFS: a fresh replica (a file system, a volume below it, and
 * a target received unmounted) verifies equal, content included; a snapshot the target lacks is
 * named; a byte changed in a file and in a volume on a writable target is found by {@code --deep},
 * which names the path and the volume. Verify changes nothing: the full listing of both pools
 * (every property, hold and bookmark) is the same before and after it.
 */
@ZfsLab
class VerifyLabTest {
    private static LabFixture.Run verify(LabFixture lab, String... args) {
        List<String> argv = new ArrayList<>(List.of("--target-id", "t1"));
        argv.addAll(List.of(args));
        return lab.zfsSync("verify", argv.toArray(String[]::new));
    }

    private static JsonNode dataset(LabFixture.Run run, String source) {
        for (JsonNode d : run.json().get("datasets")) {
            if (d.get("source").asText().equals(source)) {
                return d;
            }
        }
        throw new AssertionError("no dataset " + source + " in the report\n" + run);
    }

    /**
     * Every property, hold and bookmark of both pools, but for the space accounting of the pools
     * themselves: showing a volume's snapshot device for the read ({@code snapdev}) writes the pool's
     * metadata (a property set and inherited again), which counts in the root's {@code used}. Each
     * dataset's own {@code written}, {@code usedbydataset} and every snapshot stay in the comparison.
     */
    private static String listing(LabFixture lab) {
        StringBuilder kept = new StringBuilder();
        for (String line : (lab.fullListing(lab.sourcePool()) + lab.fullListing(lab.targetPool())).split("\n")) {
            String[] f = line.split("\t");
            boolean poolSpace = f.length >= 2 && !f[0].contains("/") && !f[0].contains("@")
                    && List.of("available", "used", "usedbychildren", "logicalused").contains(f[1]);
            boolean freeSpace = f.length >= 2 && f[1].equals("available");
            if (!poolSpace && !freeSpace) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }

    @Test
    void aReplicaVerifiesEqualAndEachDifferenceIsNamed(LabFixture lab) {
        String src = lab.sourcePool() + "/a";
        String dst = lab.targetPool() + "/a";
        lab.sh("zfs create " + src + " && mkdir /" + src + "/dir && printf 'hello\\n' > /" + src + "/dir/small"
                + " && ln -s dir/small /" + src + "/link && zfs create -V 4M " + src + "/vol"
                + " && i=0; while [ ! -e /dev/zvol/" + src + "/vol ] && [ $i -lt 100 ]; do udevadm settle; sleep 0.2;"
                + " i=$((i+1)); done; dd if=/dev/urandom of=/dev/zvol/" + src + "/vol bs=1M count=4 status=none"
                + " && zfs create " + lab.sourcePool() + "/b && printf 'b\\n' > /" + lab.sourcePool() + "/b/file");
        lab.sh("head -c 2M /dev/urandom > /" + src + "/dir/big && zpool sync " + lab.sourcePool());
        LabFixture.Run sync = lab.zfsSync("sync", "-r", "--target-id", "t1", "--compress=none", "--writable-targets",
                lab.src("a"), lab.dst("a"));
        assertThat(sync.exitCode()).as(sync.toString()).isZero();
        // Received unmounted (-u): its snapshot is read through a temporary read-only mount.
        LabFixture.Run syncB = lab.zfsSync("sync", "-u", "--target-id", "t1", "--compress=none", lab.src("b"),
                lab.dst("b"));
        assertThat(syncB.exitCode()).as(syncB.toString()).isZero();
        assertThat(lab.sh("zfs get -H -o value mounted " + lab.targetPool() + "/b").strip()).isEqualTo("no");

        String before = listing(lab);
        LabFixture.Run equal = verify(lab, "-r", "--deep", lab.src("a"), lab.dst("a"));
        System.out.println("$ zfs-sync verify -r --deep " + lab.src("a") + " " + lab.dst("a") + "\n" + equal);
        assertThat(equal.exitCode()).as(equal.toString()).isZero();
        assertThat(equal.stdout()).as(equal.toString()).contains("result: equal").contains("content: files of @")
                .contains("content: device of @");
        LabFixture.Run unmounted = verify(lab, "--deep", "--json", lab.src("b"), lab.dst("b"));
        assertThat(unmounted.exitCode()).as(unmounted.toString()).isZero();
        assertThat(dataset(unmounted, lab.sourcePool() + "/b").get("deep").get("equal").asBoolean())
                .as(unmounted.toString()).isTrue();
        assertThat(listing(lab)).as("verify changed nothing on either side").isEqualTo(before);
        assertThat(lab.sh("zfs get -H -o value mounted " + lab.targetPool() + "/b").strip()).isEqualTo("no");

        // A snapshot the target lacks is named.
        lab.sh("zfs snapshot -r " + src + "@later");
        LabFixture.Run behind = verify(lab, "-r", "--json", lab.src("a"), lab.dst("a"));
        assertThat(behind.exitCode()).as(behind.toString()).isEqualTo(1);
        JsonNode a = dataset(behind, src);
        assertThat(a.get("status").asText()).isEqualTo("DIFFERENT");
        assertThat(a.get("targetLacks").toString()).as(behind.toString()).contains("\"later\"");
        assertThat(a.get("differences").toString()).as(behind.toString()).contains("@later");

        // A byte changed in a file and in the volume of the writable target.
        lab.sh("printf X | dd of=/" + dst + "/dir/big bs=1 seek=1000 conv=notrunc status=none"
                + " && printf X | dd of=/dev/zvol/" + dst + "/vol bs=1 seek=5000 conv=notrunc status=none && sync"
                + " && zpool sync " + lab.targetPool());
        LabFixture.Run changed = verify(lab, "-r", "--deep", "--json", lab.src("a"), lab.dst("a"));
        System.out.println("$ zfs-sync verify -r --deep --json ...\n" + changed);
        assertThat(changed.exitCode()).as(changed.toString()).isEqualTo(1);
        assertThat(dataset(changed, src).get("differences").toString()).as(changed.toString())
                .contains("dir/big: content differs");
        assertThat(dataset(changed, src + "/vol").get("differences").toString()).as(changed.toString())
                .contains("volume " + src + "/vol");
        LabFixture.Run text = verify(lab, "-r", "--deep", lab.src("a"), lab.dst("a"));
        System.out.println("$ zfs-sync verify -r --deep " + lab.src("a") + " " + lab.dst("a") + "\n" + text);
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(1);
    }
}
