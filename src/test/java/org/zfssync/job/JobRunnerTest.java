package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.replication.Action;
import org.zfssync.replication.Cancellation;
import org.zfssync.replication.DatasetResult;
import org.zfssync.replication.Endpoint;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.replication.SyncOptions;
import org.zfssync.replication.SyncReport;
import org.zfssync.replication.SyncRun;
import org.zfssync.replication.TargetIds;
import org.zfssync.testing.FakeZfsHost;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.ZfsCommands;

/**
 * Real jobs through {@link JobRunner} on in-memory ZFS hosts ({@link JobRunnerFleet}): a job's
 * syncs and its pruning together, over many runs, as a timer would run them.
 */
class JobRunnerTest {
    private final JobRunnerFleet fleet = new JobRunnerFleet();

    /** One run an hour after the previous one, after some data was written on the source. */
    private JobRunner.Outcome runAfterWrite(JobRunner runner, Job job, FakeZfsHost src, long bytes) {
        fleet.clock.advance(Duration.ofHours(1));
        src.write("tank/a", bytes);
        return runner.run(job, false);
    }

    private static void assertEverySyncSucceeded(JobRunner.Outcome o, int targets) {
        assertThat(o.failures()).as("targets that could not be synced").isEmpty();
        assertThat(o.syncs()).hasSize(targets);
        for (SyncReport r : o.syncs()) {
            assertThat(r.datasets()).as("datasets of the sync to " + r.target()).isNotEmpty()
                    .allSatisfy(d -> assertThat(d.status()).as(d.source() + " -> " + d.target() + ": " + d.message())
                            .isIn(DatasetResult.Status.DONE, DatasetResult.Status.UP_TO_DATE));
        }
    }

    private static Set<Long> shared(FakeZfsHost a, String da, FakeZfsHost b, String db) {
        Set<Long> common = new HashSet<>(a.snapshotGuids(da));
        common.retainAll(b.snapshotGuids(db));
        return common;
    }

    private static long lastSeq(FakeZfsHost host) {
        return host.events().stream().mapToLong(FakeZfsHost.Event::seq).max().orElse(0);
    }

    /** The send stages started on a host after an event. */
    private static List<String> streamsSince(FakeZfsHost host, long seq) {
        return host.events().stream().filter(e -> e.seq() > seq && e.kind() == FakeZfsHost.Kind.START
                && e.command().startsWith("zfs send")).map(FakeZfsHost.Event::command).toList();
    }

    /** The snapshot destroys (not bookmarks: a sync moves its cursor) run on a host after an event. */
    private static List<String> snapshotDestroysSince(FakeZfsHost host, long seq) {
        return host.events().stream().filter(e -> e.seq() > seq && e.kind() == FakeZfsHost.Kind.RUN
                && e.command().startsWith("zfs destroy") && e.command().contains("@"))
                .map(FakeZfsHost.Event::command).toList();
    }

    /** GUIDs of a target's cursor bookmarks on the source dataset. */
    private static List<Long> cursorGuids(FakeZfsHost src, SnapshotNaming naming) {
        return src.bookmarks("tank/a").stream().filter(naming::isOwnCursor).map(b -> src.guid("tank/a#" + b)).toList();
    }

    // ------------------------------------------------------------------ 1. fan-out with retention

    @Test
    void fanOutWithRetentionPrunesEachTargetsCopiesOfTheOtherTargetsSnapshotsAndKeepsEveryBase() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        FakeZfsHost nas2 = fleet.host("nas2", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = JobRunnerFleet.job("""
                jobs:
                  - name: fan
                    source: src:tank/a
                    targets: [nas:pool/x, nas2:pool/y]
                    retention: {source: {last: 2}, target: {last: 3}}
                """);
        SnapshotNaming toNas = JobRunnerFleet.naming(job, "nas:pool/x");
        SnapshotNaming toNas2 = JobRunnerFleet.naming(job, "nas2:pool/y");
        assertThat(toNas.targetId()).isNotEqualTo(toNas2.targetId());
        JobRunner runner = fleet.runner();

        for (int run = 1; run <= 5; run++) {
            JobRunner.Outcome o = runAfterWrite(runner, job, src, 10_000L * run);
            String state = "after run " + run + "\nsrc:\n" + src.dump() + "nas:\n" + nas.dump() + "nas2:\n"
                    + nas2.dump();
            assertEverySyncSucceeded(o, 2);
            assertThat(o.pruneFailed()).as(state).isFalse();

            // The other target's sync snapshots arrive inside -I streams and are pruned like the target's own.
            assertThat(JobRunnerFleet.matching(nas, "pool/x", toNas2)).as("nas2's snapshots on nas, " + state)
                    .hasSizeLessThanOrEqualTo(1);
            assertThat(JobRunnerFleet.matching(nas2, "pool/y", toNas)).as("nas's snapshots on nas2, " + state)
                    .hasSizeLessThanOrEqualTo(1);
            // Each target keeps a base: a snapshot the source still has, by GUID.
            assertThat(shared(src, "tank/a", nas, "pool/x")).as("common with nas, " + state).isNotEmpty();
            assertThat(shared(src, "tank/a", nas2, "pool/y")).as("common with nas2, " + state).isNotEmpty();
            // Each target's cursor on the source names a snapshot that target holds; the last target holds the newest.
            assertThat(cursorGuids(src, toNas)).as(state).singleElement().isIn(nas.snapshotGuids("pool/x"));
            assertThat(cursorGuids(src, toNas2)).as(state).singleElement().isIn(nas2.snapshotGuids("pool/y"));
            List<Long> srcGuids = src.snapshotGuids("tank/a");
            assertThat(nas2.snapshotGuids("pool/y")).as(state).contains(srcGuids.get(srcGuids.size() - 1));
            // Bounded: retention's counts, plus at most one base per peer.
            assertThat(src.snapshots("tank/a")).as(state).hasSizeLessThanOrEqualTo(2 + 2);
            assertThat(nas.snapshots("pool/x")).as(state).hasSizeLessThanOrEqualTo(3 + 1);
            assertThat(nas2.snapshots("pool/y")).as(state).hasSizeLessThanOrEqualTo(3 + 1);
        }
        // In the steady state both bases are among the newest: exactly the policies' counts remain.
        assertThat(src.snapshots("tank/a")).hasSize(2);
        assertThat(nas.snapshots("pool/x")).hasSize(3);
        assertThat(nas2.snapshots("pool/y")).hasSize(3);
    }

    // ------------------------------------------------------------------ 2. offline target, cursor kept

    private Job offlineJob() {
        return JobRunnerFleet.job("""
                jobs:
                  - name: usb
                    source: src:tank/a
                    targets: [nas:pool/x]
                    retention: {source: {last: 2}}
                """);
    }

    @Test
    void aTargetOfflineForTenRunsLetsTheSourcePruneButKeepsItsCursorAndResumesIncrementally() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = offlineJob();
        SnapshotNaming toNas = JobRunnerFleet.naming(job, "nas:pool/x");
        JobRunner runner = fleet.runner();

        JobRunner.Outcome first = runAfterWrite(runner, job, src, 10_000);
        assertEverySyncSucceeded(first, 1);
        assertThat(first.syncs().get(0).datasets().get(0).action()).isEqualTo(Action.FULL);
        List<Long> delivered = nas.snapshotGuids("pool/x");
        assertThat(cursorGuids(src, toNas)).containsExactlyElementsOf(delivered);
        String cursor = src.bookmarks("tank/a").stream().filter(toNas::isOwnCursor).findFirst().orElseThrow();

        FakeZfsHost exported = fleet.offline("nas");
        for (int run = 1; run <= 10; run++) {
            JobRunner.Outcome o = runAfterWrite(runner, job, src, 10_000);
            String state = "offline run " + run + ": " + o + "\nsrc:\n" + src.dump();
            // The sync cannot reach the target; the job goes on to prune the source.
            assertThat(o.syncs()).as(state).singleElement().satisfies(r -> assertThat(r.datasets())
                    .singleElement().extracting(DatasetResult::status).isEqualTo(DatasetResult.Status.FAILED));
            assertThat(o.prunes()).as(state).extracting(JobRunner.PruneResult::side).containsExactly("source");
            assertThat(o.pruneFailed()).as(state).isFalse();
            // The source keeps to its policy (last 2) although the target is away ...
            assertThat(src.snapshots("tank/a")).as(state).hasSize(2);
            // ... and the target's cursor stays: its base, whatever is pruned. (Pruning may add provisional
            // cursors of the same target for the snapshots it destroys; no bookmark of another kind appears.)
            assertThat(src.bookmarks("tank/a")).as(state).contains(cursor).allMatch(toNas::isOwnCursor);
            assertThat(src.guid("tank/a#" + cursor)).isEqualTo(delivered.get(0));
        }
        assertThat(src.snapshotGuids("tank/a")).as("the base snapshot itself was pruned: only the cursor is left")
                .doesNotContainAnyElementsOf(delivered);
        assertThat(exported.exists("pool/x")).isFalse();
        assertThat(nas.snapshotGuids("pool/x")).as("the exported pool was left alone").isEqualTo(delivered);

        fleet.online("nas");
        long mark = lastSeq(src);
        JobRunner.Outcome back = runAfterWrite(runner, job, src, 10_000);
        assertEverySyncSucceeded(back, 1);
        DatasetResult r = back.syncs().get(0).datasets().get(0);
        String newest = back.syncs().get(0).snapshot();
        assertThat(r.action()).isEqualTo(Action.INCREMENTAL);
        assertThat(streamsSince(src, mark)).containsExactly("zfs send -i tank/a#" + cursor + " tank/a@" + newest);
        List<Long> srcGuids = src.snapshotGuids("tank/a");
        assertThat(nas.snapshotGuids("pool/x")).endsWith(srcGuids.get(srcGuids.size() - 1));
        assertThat(cursorGuids(src, toNas)).containsExactly(src.guid("tank/a@" + newest));
    }

    // ------------------------------------------------------------------ 3. offline target, no cursor

    /**
     * The other target stays online and keeps its own cursor: that one is no stand-in for the
     * absent target's, whose loss keeps every snapshot of the dataset.
     */
    @Test
    void aTargetOfflineWithoutItsCursorKeepsEverySnapshotOnTheSourceUntilItIsBack() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        FakeZfsHost nas2 = fleet.host("nas2", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = JobRunnerFleet.job("""
                jobs:
                  - name: usb
                    source: src:tank/a
                    targets: [nas:pool/x, nas2:pool/y]
                    retention: {source: {last: 2}}
                """);
        SnapshotNaming toNas = JobRunnerFleet.naming(job, "nas:pool/x");
        SnapshotNaming toNas2 = JobRunnerFleet.naming(job, "nas2:pool/y");
        JobRunner runner = fleet.runner();
        assertEverySyncSucceeded(runAfterWrite(runner, job, src, 10_000), 2);
        List<Long> delivered = nas.snapshotGuids("pool/x");
        String base = nas.snapshots("pool/x").get(0);

        fleet.offline("nas");
        // Its cursor is lost (a user, another tool, a version that made none); nas2's stays.
        for (String b : src.bookmarks("tank/a")) {
            if (toNas.isOwnCursor(b)) {
                assertThat(src.run(ZfsCommands.destroyBookmark(DatasetName.of("tank/a"), b)).ok()).isTrue();
            }
        }
        int before = src.snapshots("tank/a").size();
        for (int run = 1; run <= 6; run++) {
            JobRunner.Outcome o = runAfterWrite(runner, job, src, 10_000);
            String state = "offline run " + run + ": " + o + "\nsrc:\n" + src.dump();
            assertThat(o.syncs().get(1).datasets()).as(state).singleElement().extracting(DatasetResult::status)
                    .isEqualTo(DatasetResult.Status.DONE);
            assertThat(o.prunes()).as(state).allSatisfy(p -> assertThat(p.destroyed()).isEmpty());
            // Every snapshot stays (each run adds one per target): the absent target may need any of them.
            assertThat(src.snapshots("tank/a")).as(state).hasSize(before + 2 * run);
            assertThat(src.snapshotGuids("tank/a")).as(state).containsAll(delivered);
            assertThat(cursorGuids(src, toNas2)).as(state).singleElement().isIn(nas2.snapshotGuids("pool/y"));
        }
        assertThat(snapshotDestroysSince(src, 0)).as("nothing destroyed on the source while the target was away")
                .isEmpty();
        assertThat(src.bookmarks("tank/a")).noneMatch(toNas::isOwnCursor);

        // Back: the kept base makes the catch-up an incremental, and pruning resumes.
        fleet.online("nas");
        long back = lastSeq(src);
        JobRunner.Outcome o = runAfterWrite(runner, job, src, 10_000);
        assertEverySyncSucceeded(o, 2);
        assertThat(o.syncs().get(0).datasets().get(0).action()).isEqualTo(Action.INCREMENTAL);
        assertThat(streamsSince(src, back)).startsWith("zfs send -I tank/a@" + base + " tank/a@"
                + o.syncs().get(0).snapshot());
        assertThat(nas.snapshotGuids("pool/x")).contains(src.guid("tank/a@" + o.syncs().get(0).snapshot()));
        assertThat(src.snapshots("tank/a")).as(src.dump()).hasSize(2);
    }

    // ------------------------------------------------------------------ 4. job snapshots and a plain sync

    @Test
    void jobSnapshotsAreCarriedToTheTargetAndAPlainSyncOfTheSamePairNeverDestroysThem() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = JobRunnerFleet.job("""
                jobs:
                  - name: hourly
                    source: src:tank/a
                    targets: [nas:pool/x]
                    snapshot-every: 1h
                    retention: {source: {last: 2}}
                """);
        SnapshotNaming jobNaming = JobRunner.jobNaming(job.settings(), job);
        JobRunner runner = fleet.runner();

        JobRunner.Outcome first = runAfterWrite(runner, job, src, 10_000);
        assertThat(first.snapshot().status()).isEqualTo("taken");
        assertEverySyncSucceeded(first, 1);
        for (int i = 0; i < 2; i++) {
            fleet.clock.advance(Duration.ofHours(1));
            src.write("tank/a", 10_000);
            assertThat(runner.snapshotOnly(job, false).snapshot().status()).isEqualTo("taken");
        }
        JobRunner.Outcome carried = runAfterWrite(runner, job, src, 0);
        assertEverySyncSucceeded(carried, 1);
        List<Long> jobGuids = new ArrayList<>();
        for (String n : nas.snapshots("pool/x")) {
            if (jobNaming.isOurs(n)) {
                jobGuids.add(nas.guid("pool/x@" + n));
            }
        }
        String state = "src:\n" + src.dump() + "nas:\n" + nas.dump();
        // Two taken by runs, two by snapshotOnly, all carried by the syncs. (Every run finds one due: the fake
        // dates its snapshots by its own clock, years before the runner's.)
        assertThat(jobGuids).as("the job's snapshots, carried to the target, " + state).hasSize(4);
        // Retention (last 2) pruned the two oldest on the source: their copies on the target are job snapshots the
        // source no longer has, which a sync must not take for orphans of its own.
        assertThat(src.snapshotGuids("tank/a")).as(state).doesNotContain(jobGuids.get(0), jobGuids.get(1))
                .contains(jobGuids.get(2), jobGuids.get(3));

        SyncRun plain = new SyncRun(JobRunner.ssh(job.settings()), JobRunner.transfer(job.settings()), fleet.clock,
                new Cancellation(), fleet.factory());
        Endpoint source = Endpoint.parse("src:tank/a");
        Endpoint target = Endpoint.parse("nas:pool/x");
        SnapshotNaming naming = new SnapshotNaming(SnapshotNaming.DEFAULT_PREFIX, TargetIds.derive(target),
                SnapshotNaming.DEFAULT_TEMPLATE);
        assertThat(naming).isEqualTo(JobRunnerFleet.naming(job, "nas:pool/x"));
        SyncOptions options = new SyncOptions(false, List.of(), true, false, SendFlags.none(),
                new ReceiveFlags(false, false, Map.of(), List.of(), true), false, false, false, naming);
        for (int run = 1; run <= 3; run++) {
            fleet.clock.advance(Duration.ofHours(1));
            src.write("tank/a", 5_000);
            SyncReport report = plain.run(source, target, options, false).report();
            String now = "plain sync " + run + "\nsrc:\n" + src.dump() + "nas:\n" + nas.dump();
            assertThat(report.datasets()).as(now).singleElement().extracting(DatasetResult::status)
                    .isEqualTo(DatasetResult.Status.DONE);
            assertThat(nas.snapshotGuids("pool/x")).as(now).containsAll(jobGuids);
            assertThat(report.destroyedTarget()).as(now)
                    .noneMatch(n -> jobNaming.isOurs(n.substring(n.indexOf('@') + 1)));
            // The plain sync cleans up its own older sync snapshots: only the newest stays.
            assertThat(JobRunnerFleet.matching(nas, "pool/x", naming)).as(now).hasSize(1);
        }
        assertThat(snapshotDestroysSince(nas, 0)).as("snapshots destroyed on the target, " + nas.dump())
                .allSatisfy(c -> assertThat(c).doesNotContain("@zfs-sync_job.hourly_", ",zfs-sync_job.hourly_"));
    }

    // ------------------------------------------------------------------ 5. cancellation

    private Job twoTargets() {
        return JobRunnerFleet.job("""
                jobs:
                  - name: fan
                    source: src:tank/a
                    targets: [nas:pool/x, nas2:pool/y]
                    retention: {source: {last: 1}, target: {last: 1}}
                """);
    }

    @Test
    void aCancelledRunStartsNothingAndPrunesNothing() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        FakeZfsHost nas2 = fleet.host("nas2", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = twoTargets();
        assertEverySyncSucceeded(runAfterWrite(fleet.runner(), job, src, 10_000), 2);
        List<String> before = List.of(src.dump(), nas.dump(), nas2.dump());
        long mark = Math.max(lastSeq(src), Math.max(lastSeq(nas), lastSeq(nas2)));

        Cancellation cancellation = new Cancellation();
        cancellation.cancel("SIGTERM");
        JobRunner runner = fleet.runner(cancellation);
        fleet.clock.advance(Duration.ofHours(1));
        src.write("tank/a", 10_000);
        try {
            // It may say so by throwing, or by an outcome with nothing done.
            JobRunner.Outcome o = runner.run(job, false);
            assertThat(o.prunes()).isEmpty();
            assertThat(o.syncs()).allSatisfy(r -> assertThat(r.datasets()).noneMatch(d -> d.status()
                    == DatasetResult.Status.DONE));
        } catch (Cancellation.CancelledException e) {
            assertThat(e).hasMessageContaining("SIGTERM");
        }
        assertThatThrownBy(() -> runner.pruneOnly(job, false)).isInstanceOf(Cancellation.CancelledException.class);
        assertThatThrownBy(() -> runner.snapshotOnly(job, false)).isInstanceOf(Cancellation.CancelledException.class);
        for (FakeZfsHost h : List.of(src, nas, nas2)) {
            assertThat(h.events().stream().filter(e -> e.seq() > mark).map(FakeZfsHost.Event::command))
                    .as("commands on " + h.name()).isEmpty();
        }
        assertThat(List.of(src.dump(), nas.dump(), nas2.dump())).isEqualTo(before);
    }

    @Test
    void cancellingDuringTheLastTargetsStreamSkipsPruningThatWouldOtherwiseDestroySnapshots() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        FakeZfsHost nas2 = fleet.host("nas2", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = twoTargets();
        assertEverySyncSucceeded(runAfterWrite(fleet.runner(), job, src, 10_000), 2);
        List<String> sourceBefore = src.snapshots("tank/a");
        List<String> nasBefore = nas.snapshots("pool/x");

        Cancellation cancellation = new Cancellation();
        nas2.onReceived("pool/y", 500_000, () -> cancellation.cancel("SIGTERM"));
        long mark = Math.max(lastSeq(src), Math.max(lastSeq(nas), lastSeq(nas2)));
        JobRunner.Outcome o = runAfterWrite(fleet.runner(cancellation), job, src, 2_000_000);
        String state = o + "\nsrc:\n" + src.dump() + "nas:\n" + nas.dump() + "nas2:\n" + nas2.dump();

        assertThat(o.syncs()).as(state).hasSize(2);
        assertThat(o.syncs().get(0).datasets()).as(state).singleElement().extracting(DatasetResult::status)
                .isEqualTo(DatasetResult.Status.DONE);
        assertThat(o.syncs().get(1).datasets()).as(state).singleElement().extracting(DatasetResult::status)
                .isEqualTo(DatasetResult.Status.CANCELLED);
        assertThat(o.prunes()).as(state).isEmpty();
        for (FakeZfsHost h : List.of(src, nas, nas2)) {
            assertThat(snapshotDestroysSince(h, mark)).as("snapshots destroyed on " + h.name() + ", " + state)
                    .isEmpty();
        }
        assertThat(src.snapshots("tank/a")).as(state).containsAll(sourceBefore);
        assertThat(nas.snapshots("pool/x")).as(state).containsAll(nasBefore);
        // Pruning would have had work: the source keeps more than its policy's one, nas too.
        assertThat(src.snapshots("tank/a").size()).as(state).isGreaterThan(3);
        assertThat(nas.snapshots("pool/x").size()).as(state).isGreaterThan(2);
    }

    @Test
    void cancellingDuringTheFirstTargetsStreamStartsNoOtherTargetAndPrunesNothing() {
        FakeZfsHost src = fleet.host("src", "tank");
        FakeZfsHost nas = fleet.host("nas", "pool");
        FakeZfsHost nas2 = fleet.host("nas2", "pool");
        src.create("tank/a").write("tank/a", 100_000);
        Job job = twoTargets();
        assertEverySyncSucceeded(runAfterWrite(fleet.runner(), job, src, 10_000), 2);

        Cancellation cancellation = new Cancellation();
        nas.onReceived("pool/x", 500_000, () -> cancellation.cancel("SIGTERM"));
        long mark = Math.max(lastSeq(src), Math.max(lastSeq(nas), lastSeq(nas2)));
        JobRunner.Outcome o = runAfterWrite(fleet.runner(cancellation), job, src, 2_000_000);
        String state = o + "\nsrc:\n" + src.dump() + "nas:\n" + nas.dump() + "nas2:\n" + nas2.dump();

        assertThat(o.syncs()).as(state).singleElement().satisfies(r -> assertThat(r.datasets()).singleElement()
                .extracting(DatasetResult::status).isEqualTo(DatasetResult.Status.CANCELLED));
        assertThat(o.failures()).as(state).singleElement().asString().startsWith("nas2:pool/y").contains("SIGTERM");
        assertThat(nas2.events().stream().filter(e -> e.seq() > mark).map(FakeZfsHost.Event::command))
                .as("commands on nas2, " + state).isEmpty();
        assertThat(streamsSince(src, mark)).as(state).hasSize(1);
        assertThat(o.prunes()).as(state).isEmpty();
        for (FakeZfsHost h : List.of(src, nas)) {
            assertThat(snapshotDestroysSince(h, mark)).as("snapshots destroyed on " + h.name() + ", " + state)
                    .isEmpty();
        }
        assertThat(nas.resumeToken("pool/x")).as("the cut receive stays resumable").isPresent();
    }

    // ------------------------------------------------------------------ run events

    /** tank/a with data on src, an empty pool on nas, and the job of {@code yaml}. */
    private Job sourceWithData(String yaml) {
        fleet.host("src", "tank").create("tank/a").write("tank/a", 100_000);
        fleet.host("nas", "pool");
        return JobRunnerFleet.job(yaml);
    }

    /** A job from src:tank/a to nas:pool/x that keeps one snapshot on the source. */
    private Job keepingOne(String name) {
        return sourceWithData("""
                jobs:
                  - name: %s
                    source: src:tank/a
                    targets: [nas:pool/x]
                    retention: {source: {last: 1}}
                """.formatted(name));
    }

    /** A runner on the fleet whose events go to {@code events}. */
    private JobRunner reportingTo(List<RunEvent> events) {
        return new JobRunner(fleet.clock, new Cancellation(), fleet.factory(),
                RunEvents.of(fleet.clock, List.of(events::add)));
    }

    @Test
    void aVerifyOfEachTargetIsRecordedAsItsOwnEventNeverAsARunAndAnUnreachableTargetIsUnchecked() {
        Job job = sourceWithData("""
                jobs:
                  - name: nightly
                    source: src:tank/a
                    targets: [nas:pool/x, gone:pool/y]
                    verify-every: 7d
                """);
        reportingTo(new java.util.ArrayList<>()).run(job, false);
        List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobRunner.Outcome o = reportingTo(events).verifyOnly(job);

        assertThat(events).allSatisfy(e -> assertThat(e).isInstanceOf(RunEvent.VerifyFinished.class)).hasSize(2);
        RunEvent.VerifyFinished nas = (RunEvent.VerifyFinished) events.get(0);
        assertThat(nas.job()).isEqualTo("nightly");
        assertThat(nas.source()).isEqualTo("src:tank/a");
        assertThat(nas.target()).isEqualTo("nas:pool/x");
        assertThat(nas.deep()).isTrue();
        RunEvent.VerifyFinished gone = (RunEvent.VerifyFinished) events.get(1);
        assertThat(gone.target()).isEqualTo("gone:pool/y");
        assertThat(gone.result()).isEqualTo("unchecked");
        assertThat(gone.exitCode()).isEqualTo(3);
        assertThat(gone.summary()).contains("Could not resolve hostname gone");
        assertThat(gone.runId()).isNotEqualTo(nas.runId());
        assertThat(o.failures()).anySatisfy(f -> assertThat(f).startsWith("gone:pool/y: verify unchecked"));
        assertThat(o.syncs()).isEmpty();
    }

    @Test
    void eachTargetOfAJobIsOneRunOfEventsAndAnUnreachableTargetStillFinishesItsRun() {
        Job job = sourceWithData("""
                jobs:
                  - name: nightly
                    source: src:tank/a
                    targets: [nas:pool/x, gone:pool/y]
                    retention: {source: {last: 2}}
                """);
        List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobRunner.Outcome o = reportingTo(events).run(job, false);
        assertThat(o.failures()).singleElement().asString().contains("gone:pool/y");

        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("RunStarted",
                "SnapshotTaken", "DatasetStarted", "DatasetFinished", "RunFinished", "RunStarted", "RunFinished");
        RunEvent.RunStarted first = (RunEvent.RunStarted) events.get(0);
        assertThat(first.kind()).isEqualTo(RunEvent.Kind.JOB);
        assertThat(first.job()).isEqualTo("nightly");
        assertThat(first.source()).isEqualTo("src:tank/a");
        assertThat(first.target()).isEqualTo("nas:pool/x");
        assertThat(first.dryRun()).isFalse();
        assertThat(events.subList(0, 5)).allSatisfy(e -> assertThat(e.runId()).isEqualTo(first.runId()));
        RunEvent.RunFinished done = (RunEvent.RunFinished) events.get(4);
        assertThat(done.result()).isEqualTo(RunEvent.Result.SUCCESS);
        assertThat(done.exitCode()).isZero();
        assertThat(done.counts()).isEqualTo(new RunEvent.Counts(1, 0, 0, 0, 0, 0));
        assertThat(done.bytes()).isEqualTo(o.syncs().get(0).bytes());
        assertThat(done.error()).isNull();

        RunEvent.RunStarted second = (RunEvent.RunStarted) events.get(5);
        assertThat(second.runId()).isNotEqualTo(first.runId());
        assertThat(second.target()).isEqualTo("gone:pool/y");
        RunEvent.RunFinished failed = (RunEvent.RunFinished) events.get(6);
        assertThat(failed.runId()).isEqualTo(second.runId());
        assertThat(failed.result()).isEqualTo(RunEvent.Result.ERROR);
        assertThat(failed.exitCode()).as("a host that cannot be reached is a missing prerequisite").isEqualTo(3);
        assertThat(failed.error()).contains("Could not resolve hostname gone");
        // With a target unsynced the job does not prune: no Pruned event either.
    }

    @Test
    void aJobsPruningIsReportedUnderItsInvocationAfterItsRuns() {
        Job job = keepingOne("kept");
        List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobRunner runner = reportingTo(events);
        for (int run = 1; run <= 3; run++) {
            runAfterWrite(runner, job, fleet.get("src"), 10_000);
        }
        List<RunEvent.Pruned> prunes = events.stream().filter(RunEvent.Pruned.class::isInstance)
                .map(RunEvent.Pruned.class::cast).toList();
        assertThat(prunes).hasSize(3).allSatisfy(p -> {
            assertThat(p.job()).isEqualTo("kept");
            assertThat(p.side()).isEqualTo("source");
            assertThat(p.errors()).isEmpty();
        });
        assertThat(prunes.stream().flatMap(p -> p.destroyed().stream())).isNotEmpty()
                .allSatisfy(d -> assertThat(d).startsWith("tank/a@"));
        // The job invocation's id is none of its runs' ids.
        Set<String> runIds = new HashSet<>();
        events.stream().filter(RunEvent.RunStarted.class::isInstance).forEach(e -> runIds.add(e.runId()));
        assertThat(runIds).hasSize(3).doesNotContainAnyElementsOf(prunes.stream().map(RunEvent::runId).toList());
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunEvent.Pruned.class);
    }

    @Test
    void aDryRunIsReportedAsOneAndPrunesNothingReported() {
        Job job = keepingOne("dry");
        List<RunEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        reportingTo(events).run(job, true);
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("RunStarted",
                "RunFinished");
        assertThat(((RunEvent.RunStarted) events.get(0)).dryRun()).isTrue();
    }
}
