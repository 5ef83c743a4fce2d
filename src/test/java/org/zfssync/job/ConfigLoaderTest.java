package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("test.yaml");
    private final ConfigLoader loader = new ConfigLoader();

    static String example() throws IOException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("example.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theExampleIsItselfAValidConfig() throws IOException {
        Config config = loader.parse(FILE, example());
        assertThat(config.jobs()).extracting(Job::name).containsExactly("home", "vms", "db");
        Job vms = config.job("vms").orElseThrow();
        assertThat(vms.targets()).hasSize(2);
        assertThat(vms.settings().bwlimit()).isEqualTo("20M");
        assertThat(vms.settings().recursive()).as("inherited").isTrue();
        assertThat(vms.settings().retention().target().last()).as("own target retention").isEqualTo(2);
        assertThat(vms.settings().retention().source().hourly()).as("inherited source retention").isEqualTo(24);
        assertThat(config.job("db").orElseThrow().settings().recursive()).as("overridden").isFalse();
        assertThat(vms.line()).isEqualTo(37);
        assertThat(vms.settings().workers()).as("inherited").isEqualTo(2);
        assertThat(config.job("home").orElseThrow().settings().snapshotEvery()).isEqualTo("1h");
    }

    @Test
    void everyTransferOptionOfSyncCanBeSetPerJob() {
        String yaml = """
                defaults:
                  large-block: true
                  stall-timeout: 300
                jobs:
                  - name: all
                    source: tank/a
                    targets: [root@nas:pool/a]
                    include: [home]
                    compressed: true
                    embed: true
                    props: true
                    no-mount: true
                    writable-targets: true
                    recv-options: {compression: zstd}
                    recv-exclude: [mountpoint]
                    rollback: true
                    no-stream: true
                    retry-max-delay: 30
                """;
        Job job = loader.parse(FILE, yaml).jobs().get(0);
        org.zfssync.replication.Endpoint target = org.zfssync.replication.Endpoint.parse(job.targets().get(0));
        org.zfssync.replication.SyncOptions o = JobRunner.syncOptions(job.settings(), target);
        assertThat(o.sendFlags()).isEqualTo(new org.zfssync.zfs.SendFlags(false, true, true, true, true));
        assertThat(o.receiveFlags().noMount()).isTrue();
        assertThat(o.receiveFlags().readonlyNewTargets()).isFalse();
        assertThat(o.receiveFlags().setProperties()).containsEntry("compression", "zstd");
        assertThat(o.receiveFlags().excludeProperties()).containsExactly("mountpoint");
        assertThat(o.rollback()).isTrue();
        assertThat(o.forceOverwrite()).isFalse();
        assertThat(o.noStream()).isTrue();
        assertThat(o.includes()).hasSize(1);
        org.zfssync.replication.TransferSettings t = JobRunner.transfer(job.settings());
        assertThat(t.stallTimeout()).hasSeconds(300);
        assertThat(t.retry().max()).hasSeconds(30);
    }

    @Test
    void aBadPropertyNameInRecvOptionsIsAProblemWithItsPlace() {
        String yaml = "jobs:\n  - name: a\n    source: tank/a\n    targets: [pool/a]\n"
                + "    recv-options: {\"Bad Name\": x}\n";
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, yaml), ConfigException.class);
        assertThat(e.problems()).singleElement().asString().contains("line 5", "invalid property name 'Bad Name'");
    }

    @Test
    void scheduledSnapshotsNeedASourceRetentionAndWorkersABoundedCount() {
        String yaml = """
                jobs:
                  - name: piles-up
                    source: tank/a
                    targets: [pool/a]
                    snapshot-every: 15m
                  - name: bad
                    source: tank/b
                    targets: [pool/b]
                    snapshot-every: hourly
                    workers: 0
                    retention: {source: {hourly: 24}}
                """;
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, yaml), ConfigException.class);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 2,")
                .contains("piles-up", "retention: source:"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 9, column 21:")
                .contains("hourly", "e.g. 15m"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 10, column 14:")
                .contains("workers must be between 1 and 64"));
    }

    @Test
    void brokenYamlGivesLineAndColumn() {
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, "jobs:\n  - name: a\n    source: [x\n"),
                ConfigException.class);
        assertThat(e.problems()).singleElement().asString().startsWith("test.yaml: line ").contains("column",
                "not valid YAML");
    }

    @Test
    void everyProblemIsReportedWithItsLineAndColumn() {
        String yaml = """
                defaults:
                  timezone: Mars/Olympus
                jobs:
                  - name: ok
                    source: tank/a
                    targets: [pool/a]
                  - name: bad
                    source: "tank/a*b"
                    targets: [pool/b]
                    compress: gzip
                  - name: ok
                    source: tank/c
                    targets: [pool/c]
                    colour: blue
                """;
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, yaml), ConfigException.class);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 2, column 13:")
                .contains("Mars/Olympus"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 8, column 13:"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("test.yaml: line 10, column 15:")
                .contains("gzip"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("colour"));
    }

    @Test
    void aConfigWithoutJobsIsRefused() {
        assertThatThrownBy(() -> loader.parse(FILE, "defaults: {}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("jobs: must be a list");
    }

    @Test
    void aMissingFileSaysHowToWriteOne() {
        assertThatThrownBy(() -> loader.load(Path.of("/nonexistent/zfs-sync.yaml")))
                .hasMessageContaining("zfs-sync config example >");
    }

    @Test
    void onDivergedAndQuarantineKeepAreJobKeysCheckedWhereWritten() {
        String yaml = """
                defaults:
                  on-diverged: quarantine
                  quarantine-keep: 30d
                jobs:
                  - name: a
                    source: tank/a
                    targets: [pool/a]
                  - name: b
                    source: tank/b
                    targets: [pool/b]
                    on-diverged: rollback
                """;
        Config config = loader.parse(FILE, yaml);
        Settings a = config.job("a").orElseThrow().settings();
        assertThat(a.onDiverged()).isEqualTo("quarantine");
        assertThat(a.quarantineKeep()).isEqualTo("30d");
        org.zfssync.replication.SyncOptions options = JobRunner.syncOptions(a,
                org.zfssync.replication.Endpoint.parse("pool/a"));
        assertThat(options.onDiverged()).isEqualTo(org.zfssync.replication.OnDiverged.QUARANTINE);
        assertThat(options.quarantineKeep()).contains(java.time.Duration.ofDays(30));
        assertThat(JobRunner.syncOptions(config.job("b").orElseThrow().settings(),
                org.zfssync.replication.Endpoint.parse("pool/b")).rollback()).isTrue();

        String bad = """
                jobs:
                  - name: a
                    source: tank/a
                    targets: [pool/a]
                    on-diverged: destroy
                    quarantine-keep: soon
                  - name: b
                    source: tank/b
                    targets: [pool/b]
                    on-diverged: quarantine
                    rollback: true
                """;
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, bad), ConfigException.class);
        assertThat(String.join("\n", e.problems())).contains("on-diverged must be refuse, quarantine or rollback",
                "invalid quarantine-keep 'soon'", "cannot be combined with rollback");
    }
}
