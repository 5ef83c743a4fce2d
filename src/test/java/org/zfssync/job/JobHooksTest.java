package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.replication.DatasetResult;
import org.zfssync.testing.FakeZfsHost;

/** Hooks around a job's snapshot and each target's sync, through {@link JobRunner} on in-memory hosts. */
class JobHooksTest {
    private final JobRunnerFleet fleet = new JobRunnerFleet();

    @TempDir
    Path dir;

    /** A hook command that appends its point and environment to the log file. */
    private String record(String point) {
        return "echo \"" + point + " job=$ZFS_SYNC_JOB dataset=$ZFS_SYNC_DATASET target=$ZFS_SYNC_TARGET "
                + "result=$ZFS_SYNC_RESULT bytes=$ZFS_SYNC_BYTES error=$ZFS_SYNC_ERROR\" >> " + dir.resolve("log");
    }

    private List<String> log() throws IOException {
        Path log = dir.resolve("log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private FakeZfsHost nas;

    /** A source with data and the job's two empty targets, nas and nas2. */
    private FakeZfsHost source() {
        FakeZfsHost src = fleet.host("src", "tank");
        nas = fleet.host("nas", "pool");
        fleet.host("nas2", "pool");
        return src.create("tank/a").write("tank/a", 50_000);
    }

    private Job job(String hooks) {
        return JobRunnerFleet.job("""
                jobs:
                  - name: db
                    source: src:tank/a
                    targets: [nas:pool/x, nas2:pool/y]
                    snapshot-every: 1h
                    retention: {source: {last: 5}}
                    hooks:
                %s
                """.formatted(hooks.indent(6).stripTrailing()));
    }

    @Test
    void hooksRunAroundTheSnapshotAndEachTargetWithTheirEnvironment() throws IOException {
        source();
        Job job = job("""
                pre-snapshot: '%s'
                post-snapshot: '%s'
                pre-replicate: '%s'
                post-replicate: ['%s', 'true']
                """.formatted(record("pre-snapshot"), record("post-snapshot"), record("pre-replicate"),
                record("post-replicate")));
        JobRunner.Outcome o = fleet.runner().run(job, false);
        assertThat(o.failures()).isEmpty();
        assertThat(o.snapshot().status()).isEqualTo("taken");
        List<String> log = log();
        assertThat(log).hasSize(6);
        assertThat(log.get(0)).isEqualTo("pre-snapshot job=db dataset=src:tank/a target= result= bytes= error=");
        assertThat(log.get(1)).isEqualTo("post-snapshot job=db dataset=src:tank/a target= result=ok bytes= error=");
        assertThat(log.get(2)).isEqualTo("pre-replicate job=db dataset=src:tank/a target=nas:pool/x result= bytes= error=");
        assertThat(log.get(3)).startsWith("post-replicate job=db dataset=src:tank/a target=nas:pool/x result=ok bytes=")
                .endsWith(" error=");
        long bytes = Long.parseLong(log.get(3).replaceAll(".* bytes=(\\d+) .*", "$1"));
        assertThat(bytes).isEqualTo(o.syncs().get(0).bytes()).isPositive();
        assertThat(log.get(4)).contains("pre-replicate", "target=nas2:pool/y");
        assertThat(log.get(5)).contains("post-replicate", "target=nas2:pool/y", "result=ok");
    }

    @Test
    void aFailingPreSnapshotHookSkipsTheSnapshotAndTheJobReportsIt() throws IOException {
        FakeZfsHost src = source();
        Job job = job("""
                pre-snapshot: 'echo database busy >&2; exit 7'
                post-snapshot: '%s'
                """.formatted(record("post-snapshot")));
        JobRunner.Outcome o = fleet.runner().run(job, false);
        assertThat(o.snapshot().failed()).isTrue();
        assertThat(o.snapshot().detail()).isEqualTo("not taken: pre-snapshot hook 'echo database busy >&2; exit 7' "
                + "failed: exit 7: database busy");
        assertThat(src.snapshots("tank/a")).as("no job snapshot").noneMatch(s -> s.contains("job.db"));
        assertThat(log()).as("the post hook undoes what a half-done pre hook did (a freeze), told it failed")
                .containsExactly("post-snapshot job=db dataset=src:tank/a target= result=failed bytes= error=not taken: "
                        + "pre-snapshot hook 'echo database busy >&2; exit 7' failed: exit 7: database busy");
        assertThat(o.syncs()).as("the syncs still run, with their own snapshots").hasSize(2);
    }

    @Test
    void aFailingPreReplicateHookSkipsThatTargetOnlyAndPostHooksGetFailures() throws IOException {
        source();
        Job job = job("""
                pre-replicate: 'test "$ZFS_SYNC_TARGET" != nas:pool/x'
                post-replicate: '%s'
                """.formatted(record("post-replicate")));
        JobRunner.Outcome o = fleet.runner().run(job, false);
        assertThat(o.failures()).singleElement().asString().isEqualTo("nas:pool/x: not replicated: pre-replicate hook "
                + "'test \"$ZFS_SYNC_TARGET\" != nas:pool/x' failed: exit 1");
        assertThat(nas.exists("pool/x")).as("nothing sent to the skipped target").isFalse();
        assertThat(o.syncs()).singleElement().satisfies(r -> assertThat(r.target()).contains("pool/y"));
        assertThat(log()).singleElement().asString().contains("target=nas2:pool/y", "result=ok");

        fleet.offline("nas2");
        Files.delete(dir.resolve("log"));
        JobRunner.Outcome second = fleet.runner().run(job, false);
        assertThat(second.syncs()).singleElement().satisfies(r -> assertThat(r.count(DatasetResult.Status.FAILED))
                .as("the offline pool fails its dataset").isPositive());
        assertThat(log()).singleElement().asString().contains("target=nas2:pool/y", "result=failed", "bytes=0")
                .containsPattern("error=\\S");
    }

    @Test
    void aDryRunRunsNoHook() throws IOException {
        source();
        Job job = job("""
                pre-snapshot: '%s'
                pre-replicate: '%s'
                post-replicate: '%s'
                """.formatted(record("pre-snapshot"), record("pre-replicate"), record("post-replicate")));
        JobRunner.Outcome o = fleet.runner().run(job, true);
        assertThat(o.syncs()).allSatisfy(r -> assertThat(r.datasets()).noneMatch(d -> d.status()
                == DatasetResult.Status.FAILED));
        assertThat(log()).isEmpty();
    }
}
