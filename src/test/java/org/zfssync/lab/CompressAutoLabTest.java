package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compress auto} on real OpenZFS through the relay, from the command line (a dry run) and
 * from a YAML job (the run): each measures once (figures in its line, never "not measured"), the
 * streams carry the compressor it chose, and the data arrives intact. Which compressor wins depends on this machine's speed, so the test asserts that the
 * choice is measured and obeyed, not what it is.
 */
@ZfsLab
class CompressAutoLabTest {
    /** The measured line: the choice, then the link's rate (only a measurement has it). */
    private static final Pattern CHOICE = Pattern.compile(
            "compress auto: (none|lz4|zstd-(\\d+)) \\(link [0-9.]+ MiB/s, send [0-9.]+ MiB/s; none: [^)]*\\)");

    @TempDir
    Path dir;

    @Test
    void autoMeasuresOncePerRunAndTheStreamsUseWhatItChose(LabFixture lab) throws IOException {
        String src = lab.sourcePool() + "/a";
        lab.sh("zfs create " + src + " && zfs create " + src + "/b");
        // Text compresses well, the random file not at all: the sample (of the largest dataset, a) sees both.
        lab.sh("yes 'zfs-sync compress auto lab line 0123456789 abcdefghij' | head -c 12000000 > /" + src
                + "/text && head -c 2000000 /dev/urandom > /" + src + "/random && zpool sync");
        lab.writeRandom(src + "/b", "f", 1);
        // A snapshot that is not zfs-sync's: something to sample before the first run.
        lab.sh("zfs snapshot -r " + src + "@seed");

        LabFixture.Run dry = lab.zfsSync("sync", "--dry-run", "-r", "--compress", "auto", lab.src("a"),
                lab.dst("a"));
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        String planned = choice(dry.stdout(), dry);
        assertThat(dry.stdout()).as("the plan's streams use the choice").contains(sending(planned));
        assertCompressorOnlyAsChosen(dry.stdout(), planned);

        // The run itself is a job's: `compress: auto` in YAML takes the same path as the flag.
        Path config = dir.resolve("zfs-sync.yaml");
        Files.writeString(config, """
                jobs:
                  - name: auto
                    ssh-config: %s
                    source: %s
                    targets: [%s]
                    recursive: true
                    compress: auto
                """.formatted(lab.guest().sshConfig(), lab.src("a"), lab.dst("a")));
        LabFixture.Run run = lab.zfsSyncPlain("run", "-v", "-c", config.toString(), "--lock-dir",
                dir.resolve("locks").toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String chosen = choice(run.stderr(), run);
        run.stderr().lines().filter(l -> l.contains("the sample took")).forEach(l -> System.out.println("[lab] " + l));
        assertThat(CHOICE.matcher(run.stderr()).results().count()).as("measured once per run, not per dataset")
                .isEqualTo(1);
        List<String> streams = run.stderr().lines().filter(l -> !l.contains("zfs-sync-sample")
                && (l.contains("zfs send") || l.contains("zfs receive")) && l.contains(" | ")).toList();
        assertThat(streams).as(run.stderr()).isNotEmpty();
        assertThat(String.join("\n", streams)).contains(sending(chosen));
        assertCompressorOnlyAsChosen(String.join("\n", streams), chosen);

        for (String ds : List.of("a", "a/b")) {
            String s = lab.sourcePool() + "/" + ds;
            String t = lab.targetPool() + "/" + ds;
            assertThat(lab.checksum(t)).isEqualTo(lab.checksumOfNewestSnapshot(s));
            assertThat(guids(lab, t)).as("every snapshot arrived, by GUID").isEqualTo(guids(lab, s));
        }
    }

    /** The choice in a run's output; fails when the run did not measure. */
    private static String choice(String output, LabFixture.Run run) {
        assertThat(output).as("auto measured: " + run).doesNotContain("not measured");
        Matcher m = CHOICE.matcher(output);
        assertThat(m.find()).as("a measured choice with its figures in: " + run).isTrue();
        assertThat(m.group()).contains("lz4 ratio", "zstd-1 ratio", "zstd-3 ratio");
        System.out.println("[lab] " + output.substring(m.start()).lines().findFirst().orElseThrow());
        return m.group(1);
    }

    /** What the sending half runs for a choice: its compressor, or for none the hop with no compressor. */
    private static String sending(String choice) {
        if (choice.equals("none")) {
            return "zfs send";
        }
        // The sender's compressor, its last stage (no mbuffer after it on an uncapped stream).
        return choice.equals("lz4") ? "| lz4 -q -c'" : "| zstd -q -c -" + choice.substring("zstd-".length()) + "'";
    }

    private static void assertCompressorOnlyAsChosen(String text, String choice) {
        for (String other : List.of("lz4", "zstd-1", "zstd-3")) {
            if (!other.equals(choice)) {
                assertThat(text).as("no other compressor than " + choice).doesNotContain(sending(other));
            }
        }
        if (choice.equals("none")) {
            assertThat(text).doesNotContain("-d -c | zfs receive");
        }
    }

    private static String guids(LabFixture lab, String dataset) {
        return lab.sh("zfs list -H -d 1 -t snapshot -s createtxg -o guid " + dataset);
    }
}
