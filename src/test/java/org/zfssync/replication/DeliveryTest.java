package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.zfssync.replication.ExecutorTest.only;
import static org.zfssync.replication.ExecutorTest.started;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Pipeline;
import org.zfssync.replication.ExecutorTest.Pair;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.ZfsCommands;

/**
 * Delivery of one dataset, run by the executor as planned by the real planner against the fake
 * hosts: it is done only when the target holds the goal by GUID, whatever the streams reported.
 */
class DeliveryTest {
    /** After a first sync, two user snapshots and more data: the next run sends -I T1..u1,u2,T2. */
    private static Pair withIntermediates() {
        Pair pair = started();
        pair.sync();
        pair.src.write("tank/a", 40_000);
        pair.src.snapshot("tank/a", "u1");
        pair.src.write("tank/a", 60_000);
        pair.src.snapshot("tank/a", "u2");
        pair.src.write("tank/a", 10_000);
        return pair;
    }

    @Test
    void anIntermediatesStreamCutInsideAnIntermediateIsResumedThenContinuedToTheGoal() {
        Pair pair = withIntermediates();
        String t1 = pair.dst.snapshots("backup/a").get(1);
        pair.src.cutSendInside("tank/a", 2, 30_000);
        DatasetResult r = only(pair.sync());
        String t2 = pair.snapshotName();
        long goal = pair.src.guid("tank/a@" + t2);
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(r.retries()).isEqualTo(1);
        // Cut inside u2: the token resumes u2 alone, then the rest goes from u2, which arrived.
        List<String> sends = pair.commands(pair.src, "zfs send");
        assertThat(sends).hasSize(3);
        assertThat(sends.get(0)).isEqualTo("zfs send -I tank/a@" + t1 + " tank/a@" + t2);
        assertThat(sends.get(1)).startsWith("zfs send -t 1-");
        assertThat(sends.get(2)).isEqualTo("zfs send -I tank/a@u2 tank/a@" + t2);
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@u1"),
                pair.src.guid("tank/a@u2"), goal);
        assertThat(pair.dst.resumeToken("backup/a")).isEmpty();
        // The newest shared GUID survives cleanup on both sides, with its cursor.
        assertThat(pair.dst.snapshots("backup/a")).doesNotContain(t1).endsWith(t2);
        assertThat(pair.src.snapshots("tank/a")).endsWith(t2);
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(goal));
        pair.assertNoHoldsLeft();
    }

    @Test
    void aRunCutForGoodLeavesATokenThatTheNextRunResumesAndCarriesOnToTheGoal() {
        Pair pair = withIntermediates();
        String t1 = pair.dst.snapshots("backup/a").get(1);
        pair.attempts = 1;
        pair.src.cutSendInside("tank/a", 2, 30_000);
        DatasetResult cut = only(pair.sync());
        String t2 = pair.snapshotName();
        assertThat(cut.status()).isEqualTo(DatasetResult.Status.FAILED);
        ResumeToken token = ResumeToken.decode(pair.dst.resumeToken("backup/a").orElseThrow());
        assertThat(token.toName()).isEqualTo("tank/a@u2");
        // No snapshot is cleaned up after a failure; the cursor moves to what the target really holds: u1.
        assertThat(pair.commands(pair.src, "zfs destroy")).noneMatch(c -> c.contains("@"));
        assertThat(pair.commands(pair.dst, "zfs destroy")).isEmpty();
        assertThat(pair.dst.snapshots("backup/a")).endsWith(t1, "u1");
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(pair.src.guid("tank/a@u1")));
        pair.assertNoHoldsLeft();

        DatasetResult resumed = only(pair.sync());
        assertThat(pair.plan.snapshotName()).isEmpty();
        assertThat(resumed.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -t " + token.text(),
                "zfs send -I tank/a@u2 tank/a@" + t2);
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@" + t2));
        pair.assertNoHoldsLeft();
    }

    @Test
    void aStreamWhoseExitStatusWasLostAfterItArrivedIsDoneNotRefused() {
        Pair pair = withIntermediates();
        pair.dst.loseReceiveStatus("backup/a");
        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(r.message()).isNull();
        // Verified by reading the target again, not by sending the same stream once more.
        assertThat(pair.commands(pair.src, "zfs send")).hasSize(1);
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@" + pair.snapshotName()));
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(pair.src.guid("tank/a@"
                + pair.snapshotName())));
        pair.assertNoHoldsLeft();
    }

    /** A first send of an encrypted dataset made without -w (by hand, or an older tool) and cut. */
    @Test
    void aNonRawTokenOfAnEncryptedDatasetIsDiscardedNeverResumed() {
        Pair pair = new Pair();
        pair.src.createEncrypted("tank/a").write("tank/a", 100_000);
        pair.src.snapshot("tank/a", "s1");
        pair.src.cutSend("tank/a", 40_000);
        assertThatThrownBy(() -> new Transfer(pair.src, pair.dst, Duration.ofSeconds(30), null).run(
                new TransferPipeline(Pipeline.of(ZfsCommands.send(SendFlags.none(), null, false, "tank/a@s1")),
                        Pipeline.of(ZfsCommands.receive(ReceiveFlags.none(), pair.targetRoot)))))
                .isInstanceOf(TransferFailedException.class);
        assertThat(ResumeToken.decode(pair.dst.resumeToken("backup/a").orElseThrow()).raw()).isFalse();

        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.commands(pair.dst, "zfs receive -A")).containsExactly("zfs receive -A backup/a");
        assertThat(pair.src.commands("zfs send -t")).isEmpty();
        assertThat(pair.commands(pair.src, "zfs send")).allMatch(c -> c.startsWith("zfs send -w "));
        assertThat(pair.dst.encrypted("backup/a")).isTrue();
        assertThat(pair.dst.snapshotGuids("backup/a")).isEqualTo(pair.src.snapshotGuids("tank/a"));
    }

    @Test
    void aNonRawIncrementalTokenOfAnEncryptedDatasetIsDiscardedAndTheTargetKept() {
        Pair pair = new Pair();
        pair.src.createEncrypted("tank/a").write("tank/a", 100_000);
        pair.src.snapshot("tank/a", "s1");
        pair.src.write("tank/a", 10);
        pair.sync();
        String t1 = pair.snapshotName();
        pair.src.write("tank/a", 80_000);
        pair.src.snapshot("tank/a", "u1");
        pair.src.cutSend("tank/a", 40_000);
        assertThatThrownBy(() -> new Transfer(pair.src, pair.dst, Duration.ofSeconds(30), null).run(
                new TransferPipeline(Pipeline.of(ZfsCommands.send(SendFlags.none(), "tank/a@" + t1, false,
                        "tank/a@u1")), Pipeline.of(ZfsCommands.receive(ReceiveFlags.none(), pair.targetRoot)))))
                .isInstanceOf(TransferFailedException.class);

        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.commands(pair.dst, "zfs receive -A")).containsExactly("zfs receive -A backup/a");
        assertThat(pair.src.commands("zfs send -t")).isEmpty();
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -w -I tank/a@" + t1 + " tank/a@"
                + pair.snapshotName());
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@u1"),
                pair.src.guid("tank/a@" + pair.snapshotName()));
    }

    @Test
    void aReceiveStillBusyWithTheCutOneIsWaitedForThenResumed() {
        Pair pair = withIntermediates();
        pair.attempts = 1;
        pair.src.cutSendInside("tank/a", 3, 5000);
        assertThat(only(pair.sync()).status()).isEqualTo(DatasetResult.Status.FAILED);
        String t2 = pair.snapshotName();
        String token = pair.dst.resumeToken("backup/a").orElseThrow();
        assertThat(pair.sleeps).isEmpty();

        pair.dst.failReceive("backup/a", 1, "cannot receive resume stream: destination backup/a contains "
                + "partially-complete state from \"zfs receive -s\".\n");
        DatasetResult r = only(pair.sync());
        assertThat(r.status()).as(r.message()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.sleeps).containsExactly(Delivery.BUSY_POLL);
        assertThat(r.retries()).isZero();
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -t " + token,
                "zfs send -t " + token);
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@" + t2));
        pair.assertNoHoldsLeft();
    }
}
