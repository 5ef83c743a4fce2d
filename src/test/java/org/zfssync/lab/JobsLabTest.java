package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.job.JobLock;

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
    void aSecondRunOfTheSameJobExitsAtOnceNamingTheHolder(LabFixture lab) throws IOException {
        lab.sh("zfs create " + lab.sourcePool() + "/a");
        Path file = config(lab);
        try (JobLock held = JobLock.acquire(dir.resolve("locks"), "one")) {
            LabFixture.Run second = run(lab, file, "one");
            assertThat(second.exitCode()).as(second.toString()).isEqualTo(5);
            assertThat(second.stderr()).contains("job 'one' is already running", "pid " + ProcessHandle.current().pid());
            assertThat(lab.exists(lab.targetPool() + "/a")).isFalse();
        }
    }

    private static List<String> ours(List<String> snapshots) {
        return snapshots.stream().filter(n -> n.startsWith("zfs-sync_")).toList();
    }
}
