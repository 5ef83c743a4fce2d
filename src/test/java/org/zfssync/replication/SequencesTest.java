package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.event.RunEvent;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;

/**
 * Tiny streams of a tree run back to back on one session on each side ({@link Sequences}), driven
 * by the real planner and executor against two fake hosts: what arrives is verified by GUID like
 * any stream, and a dataset whose stream failed in a sequence, with every later one, goes on alone
 * from what its target holds.
 */
class SequencesTest {
    /** tank/a with children c1..c3, 10 kB each, one user snapshot s1 on each; both hosts run sequences. */
    static ExecutorTest.Pair tree() {
        ExecutorTest.Pair pair = new ExecutorTest.Pair();
        pair.recursive = true;
        pair.src.runSequences(true);
        pair.dst.runSequences(true);
        pair.src.create("tank/a").write("tank/a", 10_000);
        for (int i = 1; i <= 3; i++) {
            pair.src.create("tank/a/c" + i).write("tank/a/c" + i, 10_000);
        }
        for (String ds : List.of("tank/a", "tank/a/c1", "tank/a/c2", "tank/a/c3")) {
            pair.src.snapshot(ds, "s1");
        }
        return pair;
    }

    static void assertArrived(ExecutorTest.Pair pair, String snapshot) {
        for (String ds : List.of("a", "a/c1", "a/c2", "a/c3")) {
            assertThat(pair.dst.guid("backup/" + ds + "@" + snapshot)).as(ds + "@" + snapshot)
                    .isEqualTo(pair.src.guid("tank/" + ds + "@" + snapshot));
        }
    }

    @Test
    void aFullAndAnIncrementalSyncOfATreeRunEachAsOneSequenceOnEachSide() {
        ExecutorTest.Pair pair = tree();
        SyncReport full = pair.sync();
        String t1 = pair.snapshotName();
        assertThat(full.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertArrived(pair, "s1");
        assertArrived(pair, t1);
        // Per dataset the oldest snapshot in full, then -I to the sync snapshot: 8 streams, 1 session each side.
        assertThat(pair.src.sequences()).hasSize(1);
        assertThat(pair.src.sequences().get(0)).hasSize(8).startsWith("zfs send tank/a@s1",
                "zfs send -I tank/a@s1 tank/a@" + t1, "zfs send tank/a/c1@s1");
        assertThat(pair.dst.sequences()).hasSize(1);
        assertThat(pair.dst.sequences().get(0)).hasSize(8).allMatch(c -> c.startsWith("zfs receive -s"));
        assertThat(pair.commands(pair.dst, "zfs receive")).as("no stream on its own").hasSize(8);
        assertThat(full.datasets()).allMatch(r -> r.bytes() > 0);
        assertThat(pair.runEvents.stream().filter(RunEvent.DatasetFinished.class::isInstance)).hasSize(4);
        pair.assertNoHoldsLeft();

        for (String ds : List.of("tank/a", "tank/a/c1", "tank/a/c2", "tank/a/c3")) {
            pair.src.write(ds, 2_000);
        }
        SyncReport incremental = pair.sync();
        assertThat(incremental.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertArrived(pair, pair.snapshotName());
        assertThat(pair.src.sequences()).hasSize(2);
        assertThat(pair.src.sequences().get(1)).hasSize(4).allMatch(c -> c.startsWith("zfs send -I "));
        assertThat(pair.dst.snapshots("backup/a/c2")).as("the older sync snapshot cleaned up").doesNotContain(t1);
        pair.assertNoHoldsLeft();
    }

    @Test
    void aStreamThatFailsInASequenceAndEveryLaterOneGoOnAloneAndArrive() {
        ExecutorTest.Pair pair = tree();
        pair.dst.failReceive("backup/a/c2", 1, "cannot receive: I/O error\n");
        SyncReport report = pair.sync();
        assertThat(report.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertArrived(pair, "s1");
        assertArrived(pair, pair.snapshotName());
        assertThat(pair.dst.sequences()).hasSize(1);
        // a and c1 arrived in the sequence; c2 (from what it holds: nothing) and c3 went on alone.
        List<String> receives = pair.commands(pair.dst, "zfs receive");
        assertThat(receives).as("5 in the sequence, of which the 5th failed, then 4 alone").hasSize(9);
        assertThat(receives.get(4)).endsWith("backup/a/c2");
        assertThat(receives.subList(5, 7)).allMatch(c -> c.endsWith("backup/a/c2"));
        assertThat(receives.subList(7, 9)).allMatch(c -> c.endsWith("backup/a/c3"));
        pair.assertNoHoldsLeft();
    }

    @Test
    void aSequenceCutInsideAStreamResumesThatStreamFromItsToken() {
        ExecutorTest.Pair pair = tree();
        pair.sync();
        for (String ds : List.of("tank/a", "tank/a/c1", "tank/a/c2", "tank/a/c3")) {
            pair.src.write(ds, 20_000);
        }
        pair.src.cutSendInside("tank/a/c1", 1, 5_000);
        SyncReport report = pair.sync();
        assertThat(report.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertArrived(pair, pair.snapshotName());
        assertThat(pair.commands(pair.src, "zfs send -t ")).as("c1 resumed from its token").hasSize(1);
        assertThat(pair.dst.resumeToken("backup/a/c1")).isEmpty();
        pair.assertNoHoldsLeft();
    }

    @Test
    void aBigDatasetAndTheNewChildrenBelowItGoAloneTheRestInOneSequence() {
        ExecutorTest.Pair pair = tree();
        pair.src.create("tank/a/c2/big").write("tank/a/c2/big", StreamSize.TINY);
        pair.src.snapshot("tank/a/c2/big", "s1");
        pair.src.create("tank/a/c2/big/small").write("tank/a/c2/big/small", 1_000);
        pair.src.snapshot("tank/a/c2/big/small", "s1");
        SyncReport report = pair.sync();
        assertThat(report.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertArrived(pair, pair.snapshotName());
        assertThat(pair.dst.guid("backup/a/c2/big/small@s1")).isEqualTo(pair.src.guid("tank/a/c2/big/small@s1"));
        assertThat(pair.dst.sequences()).hasSize(1);
        assertThat(pair.dst.sequences().get(0)).hasSize(8).noneMatch(c -> c.contains("big"));
    }

    @Test
    void aDryRunMarksTheStreamsThatWouldRunInSequence() {
        ExecutorTest.Pair pair = tree();
        SyncOptions options = pair.options();
        TreeState src = new Zfs(pair.src).list(pair.sourceRoot, true);
        Plan plan = new Planner(options).plan(src, new Zfs(pair.dst).list(pair.targetRoot, true), pair.now);
        List<String> lines = new PlanPrinter(pair.src, pair.dst, StreamShape.plain(), options.naming(),
                new RelayTransport(pair.src, pair.dst)).lines(plan, src);
        assertThat(lines).filteredOn(l -> l.contains("zfs receive")).hasSize(8)
                .allMatch(l -> l.endsWith("   # in sequence"));
        assertThat(lines).anyMatch(l -> l.startsWith("the tiny streams of 4 dataset(s) run back to back"));
        pair.dst.runSequences(false);
        assertThat(new PlanPrinter(pair.src, pair.dst, StreamShape.plain(), options.naming(),
                new RelayTransport(pair.src, pair.dst)).lines(plan, src)).noneMatch(l -> l.contains("in sequence"));
    }

    @Test
    void withoutSequencesOnBothSidesEveryStreamRunsAlone() {
        ExecutorTest.Pair pair = tree();
        pair.dst.runSequences(false);
        SyncReport report = pair.sync();
        assertThat(report.datasets()).allMatch(r -> r.status() == DatasetResult.Status.DONE);
        assertThat(pair.src.sequences()).isEmpty();
        assertArrived(pair, pair.snapshotName());
    }
}
