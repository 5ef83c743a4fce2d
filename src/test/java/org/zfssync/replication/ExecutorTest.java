package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.zfssync.event.RunEvent;
import org.zfssync.event.RunEvents;
import org.zfssync.testing.FakeZfsHost;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;

/**
 * The executor driven by the real planner against two fake ZFS hosts: what a run leaves behind
 * on both sides (snapshots by GUID, cursors, holds) and in which order it acts.
 */
class ExecutorTest {
    static final SnapshotNaming NAMING = new SnapshotNaming("zfs-sync", "nas", SnapshotNaming.DEFAULT_TEMPLATE);
    static final String TAG = "zfs-sync_nas";

    /** A source and a target host, and one sync between them as {@link SyncRun} does it. */
    static final class Pair {
        final FakeZfsHost src = new FakeZfsHost("src").pool("tank");
        final FakeZfsHost dst = new FakeZfsHost("nas").pool("backup");
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();
        final Cancellation cancellation = new Cancellation();
        final DatasetName sourceRoot = DatasetName.of("tank/a");
        final DatasetName targetRoot = DatasetName.of("backup/a");
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        int workers = 1;
        int attempts = 3;
        boolean recursive;
        boolean takeSnapshot = true;
        /** LOG makes the executor ask for size estimates ({@code zfs send -n -P}) before streaming. */
        ProgressReporter.Style style = ProgressReporter.Style.NONE;
        Plan plan;
        /** The sequence number of the last event before the latest sync started. */
        long startedAfter;
        /** The run events of every sync, in order. */
        final List<RunEvent> runEvents = new CopyOnWriteArrayList<>();

        SyncOptions options() {
            return new SyncOptions(recursive, List.of(), takeSnapshot, false, SendFlags.none(),
                    new ReceiveFlags(false, true, Map.of(), List.of(), true), false, false, false, NAMING);
        }

        /** {@code --reuse-connections}. */
        boolean reuseConnections;

        /** One run, an hour after the previous one. */
        SyncReport sync() {
            startedAfter = lastSeq();
            SyncOptions options = options();
            Zfs sourceZfs = new Zfs(src);
            Zfs targetZfs = new Zfs(dst);
            TreeState sourceState = sourceZfs.list(sourceRoot, options.recursive());
            TreeState targetState = targetZfs.list(targetRoot, options.recursive());
            plan = new Planner(options).plan(sourceState, targetState, now);
            TransferSettings settings = new TransferSettings(new RetryPolicy(attempts, Duration.ofMillis(10),
                    Duration.ofMillis(10), 0), Duration.ofSeconds(60), 0, CompressionMode.NONE, 0, workers);
            Sleeper sleeper = d -> sleeps.add(d);
            SyncReport report = new Executor(src, targetZfs, settings, StreamShape.plain(), options.naming(),
                    options.noStream(), style, sleeper, cancellation, RunEvents.of(java.time.Clock.fixed(now,
                    java.time.ZoneOffset.UTC), List.of(runEvents::add)), "run-" + now, new RelayTransport(src, dst,
                    reuseConnections)).execute(plan, sourceState,
                    targetState, () -> sourceZfs.list(sourceRoot, options.recursive()),
                    () -> targetZfs.list(targetRoot, options.recursive()), "src:" + sourceRoot,
                    "nas:" + targetRoot);
            now = now.plus(Duration.ofHours(1));
            return report;
        }

        /** The sync snapshot the latest run took. */
        String snapshotName() {
            return plan.snapshotName().orElseThrow();
        }

        long lastSeq() {
            return Stream.concat(src.events().stream(), dst.events().stream()).mapToLong(FakeZfsHost.Event::seq)
                    .max().orElse(0);
        }

        /** Both hosts' events of the latest sync, in order. */
        List<FakeZfsHost.Event> events() {
            List<FakeZfsHost.Event> all = new ArrayList<>(Stream.concat(src.events().stream(), dst.events().stream())
                    .filter(e -> e.seq() > startedAfter).toList());
            all.sort(java.util.Comparator.comparingLong(FakeZfsHost.Event::seq));
            return all;
        }

        /** Commands run or started on one host during the latest sync. */
        List<String> commands(FakeZfsHost host, String prefix) {
            return events().stream().filter(e -> e.host().equals(host.name()) && e.kind() != FakeZfsHost.Kind.EXIT
                    && e.command().startsWith(prefix)).map(FakeZfsHost.Event::command).toList();
        }

        String cursor(long guid) {
            return NAMING.cursorName(guid);
        }

        /** Every hold and every userref on both sides. */
        void assertNoHoldsLeft() {
            assertThat(src.allHolds()).as("holds on the source").isEmpty();
            assertThat(dst.allHolds()).as("holds on the target").isEmpty();
            assertThat(src.userrefs().values()).allMatch(n -> n == 0);
        }
    }

    static DatasetResult only(SyncReport report) {
        assertThat(report.datasets()).hasSize(1);
        return report.datasets().get(0);
    }

    /** tank/a with a user snapshot and data written since. */
    static Pair started() {
        Pair pair = new Pair();
        pair.src.create("tank/a").write("tank/a", 100_000);
        pair.src.snapshot("tank/a", "s1");
        pair.src.write("tank/a", 50_000);
        return pair;
    }

    @Test
    void aFullThenAnIncrementalSyncLeaveTheSourcesSnapshotsOnTheTargetAndMoveTheCursor() {
        Pair pair = started();
        pair.style = ProgressReporter.Style.LOG;
        DatasetResult first = only(pair.sync());
        String t1 = pair.snapshotName();
        // 150 kB, bounded so by the listing: over before a size estimate could mean anything.
        assertThat(pair.commands(pair.src, "zfs send -n -P")).isEmpty();
        assertThat(first.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(first.action()).isEqualTo(Action.FULL);
        assertThat(pair.commands(pair.src, "zfs send")).containsSubsequence("zfs send tank/a@s1",
                "zfs send -I tank/a@s1 tank/a@" + t1);
        assertThat(pair.commands(pair.src, "zfs send")).hasSize(2);
        assertThat(pair.dst.snapshotGuids("backup/a")).isEqualTo(pair.src.snapshotGuids("tank/a"));
        assertThat(pair.dst.property("backup/a", "readonly")).isEqualTo("on");
        long g1 = pair.src.guid("tank/a@" + t1);
        assertThat(pair.cursor(g1)).isEqualTo("zfs-sync_nas_cursor_" + String.format("%016x", g1));
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(g1));
        pair.assertNoHoldsLeft();

        pair.src.write("tank/a", 30_000);
        DatasetResult second = only(pair.sync());
        String t2 = pair.snapshotName();
        long g2 = pair.src.guid("tank/a@" + t2);
        assertThat(second.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(second.action()).isEqualTo(Action.INCREMENTAL);
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -I tank/a@" + t1 + " tank/a@" + t2);
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(g2));
        assertThat(pair.dst.snapshots("backup/a")).containsExactly("s1", t2);
        assertThat(pair.dst.snapshotGuids("backup/a")).containsExactly(pair.src.guid("tank/a@s1"), g2);
        pair.assertNoHoldsLeft();
    }

    /**
     * After the second run the source's previous sync snapshot is stale and no longer anyone's
     * base: it is planned for cleanup, and the target's copy is destroyed; the source's must go too.
     */
    @Test
    void theSourcesPreviousSyncSnapshotIsCleanedUpByTheRunThatReplacesIt() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        pair.src.write("tank/a", 30_000);
        pair.sync();
        String t2 = pair.snapshotName();
        assertThat(pair.plan.datasets().get(0).cleanupSource()).containsExactly(t1);
        assertThat(pair.dst.snapshots("backup/a")).containsExactly("s1", t2);
        assertThat(pair.src.snapshots("tank/a")).as("source snapshots after the second run").containsExactly("s1", t2);
        assertThat(pair.src.snapshotGuids("tank/a")).isEqualTo(pair.dst.snapshotGuids("backup/a"));
    }

    @Test
    void aTargetSnapshotRenamedToAnOlderNameOfOursIsKeptWhileItCarriesTheSharedGuid() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        long g1 = pair.src.guid("tank/a@" + t1);
        String renamed = "zfs-sync_nas_20200101T000000Z";
        pair.dst.renameSnapshot("backup/a@" + t1, renamed);

        // Nothing changed on the source: no snapshot, nothing sent; the renamed copy is the only base.
        DatasetResult idle = only(pair.sync());
        assertThat(idle.status()).isEqualTo(DatasetResult.Status.UP_TO_DATE);
        assertThat(pair.dst.snapshots("backup/a")).contains(renamed);
        assertThat(pair.dst.guid("backup/a@" + renamed)).isEqualTo(g1);
        assertThat(pair.commands(pair.dst, "zfs destroy")).isEmpty();
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(g1));

        // So the next change still goes incrementally from it.
        pair.src.write("tank/a", 1000);
        DatasetResult next = only(pair.sync());
        assertThat(next.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(next.action()).isEqualTo(Action.INCREMENTAL);
        assertThat(pair.dst.snapshotGuids("backup/a")).contains(pair.src.guid("tank/a@" + pair.snapshotName()));
    }

    @Test
    void aSourceSnapshotRenamedByTheUserIsABaseAndIsNeverCleanedUp() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        long g1 = pair.src.guid("tank/a@" + t1);
        pair.src.renameSnapshot("tank/a@" + t1, "pinned");
        pair.src.write("tank/a", 1000);
        DatasetResult r = only(pair.sync());
        String t2 = pair.snapshotName();
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -I tank/a@pinned tank/a@" + t2);
        assertThat(pair.src.guid("tank/a@pinned")).isEqualTo(g1);
        assertThat(pair.dst.snapshotGuids("backup/a")).endsWith(pair.src.guid("tank/a@" + t2));
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(pair.src.guid("tank/a@" + t2)));
    }

    @Test
    void aCursorBookmarkIsTheBaseOnceTheSnapshotIsPrunedAndIsReplacedOnlyAfterDelivery() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        long g1 = pair.src.guid("tank/a@" + t1);
        String cursor1 = pair.cursor(g1);
        // An older cursor of ours lingers; then source retention prunes every snapshot.
        String stale = pair.cursor(pair.src.guid("tank/a@s1"));
        pair.src.bookmark("tank/a@s1", stale);
        pair.src.destroySnapshot("tank/a@" + t1).destroySnapshot("tank/a@s1");
        pair.src.write("tank/a", 1000);

        // The first attempt fails for good: the cursor is the only base and stays.
        pair.dst.failReceive("backup/a", 1, "cannot receive incremental stream: permission denied\n");
        DatasetResult failed = only(pair.sync());
        String t2 = pair.snapshotName();
        assertThat(failed.status()).isEqualTo(DatasetResult.Status.FAILED);
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -i tank/a#" + cursor1 + " tank/a@"
                + t2);
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(cursor1);
        assertThat(pair.commands(pair.src, "zfs destroy")).containsExactly("zfs destroy tank/a#" + stale);
        assertThat(pair.dst.snapshots("backup/a")).containsExactly("s1", t1);
        assertThat(pair.commands(pair.dst, "zfs destroy")).isEmpty();
        pair.assertNoHoldsLeft();

        DatasetResult r = only(pair.sync());
        long g2 = pair.src.guid("tank/a@" + t2);
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        assertThat(pair.commands(pair.src, "zfs send")).containsExactly("zfs send -i tank/a#" + cursor1 + " tank/a@"
                + t2);
        assertThat(pair.dst.snapshotGuids("backup/a")).contains(g2);
        assertThat(pair.src.bookmarks("tank/a")).containsExactly(pair.cursor(g2));
        assertThat(pair.dst.snapshots("backup/a")).containsExactly("s1", t2);
    }

    @Test
    void oneDatasetsWorkerThrowingFailsOnlyItAndHoldsAreReleasedOnlyAfterTheLastStream() {
        Pair pair = new Pair();
        pair.recursive = true;
        pair.workers = 2;
        for (String d : List.of("tank/a", "tank/a/b", "tank/a/c", "tank/a/d")) {
            pair.src.create(d).write(d, 200_000);
            pair.src.snapshot(d, "s1");
            pair.src.write(d, 1000);
        }
        pair.src.throwOnStart("tank/a/c", () -> new IllegalStateException("ssh layer bug"));
        SyncReport report = pair.sync();
        Map<String, DatasetResult.Status> status = new java.util.TreeMap<>();
        report.datasets().forEach(d -> status.put(d.source(), d.status()));
        assertThat(status).containsExactlyInAnyOrderEntriesOf(Map.of("tank/a", DatasetResult.Status.DONE,
                "tank/a/b", DatasetResult.Status.DONE, "tank/a/c", DatasetResult.Status.FAILED,
                "tank/a/d", DatasetResult.Status.DONE));
        assertThat(report.datasets().stream().filter(d -> d.source().equals("tank/a/c")).findFirst().orElseThrow()
                .message()).contains("ssh layer bug");
        for (String d : List.of("a", "a/b", "a/d")) {
            assertThat(pair.dst.snapshotGuids("backup/" + d)).isEqualTo(pair.src.snapshotGuids("tank/" + d));
        }
        assertThat(pair.dst.exists("backup/a/c")).isFalse();

        List<FakeZfsHost.Event> events = pair.events();
        long lastStreamEnd = events.stream().filter(e -> e.kind() == FakeZfsHost.Kind.EXIT)
                .mapToLong(FakeZfsHost.Event::seq).max().orElseThrow();
        List<FakeZfsHost.Event> releases = events.stream().filter(e -> e.command().startsWith("zfs release")).toList();
        // One release per snapshot name, recursive from the tree's top (RunHolds): after the last stream.
        assertThat(releases).hasSize(2).allSatisfy(e -> assertThat(e.seq()).isGreaterThan(lastStreamEnd));
        assertThat(releases).extracting(FakeZfsHost.Event::command).anySatisfy(c -> assertThat(c)
                .startsWith("zfs release -r zfs-sync_nas tank/a@s1"));
        pair.assertNoHoldsLeft();
    }

    @Test
    void cancellingMidStreamKeepsWhatArrivedReleasesTheHoldsAndDestroysNothing() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        pair.src.write("tank/a", 2_000_000);
        pair.dst.onReceived("backup/a", 500_000, () -> pair.cancellation.cancel("SIGTERM"));
        DatasetResult r = only(pair.sync());
        String t2 = pair.snapshotName();
        assertThat(r.status()).isEqualTo(DatasetResult.Status.CANCELLED);
        assertThat(r.message()).contains("SIGTERM");
        assertThat(pair.commands(pair.src, "zfs destroy")).isEmpty();
        assertThat(pair.commands(pair.dst, "zfs destroy")).isEmpty();
        assertThat(pair.src.snapshots("tank/a")).containsExactly("s1", t1, t2);
        assertThat(pair.dst.snapshots("backup/a")).containsExactly("s1", t1);
        assertThat(pair.dst.resumeToken("backup/a")).isPresent();
        assertThat(pair.commands(pair.src, "zfs send")).hasSize(1);
        assertThat(pair.sleeps).isEmpty();
        pair.assertNoHoldsLeft();
    }

    @Test
    void staleHoldsOfThisTargetAreReleasedBeforeAnyStreamAndOtherTagsAreLeftAlone() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        // A killed run left our holds behind; another tool and another target hold theirs.
        pair.src.hold(TAG, "tank/a@s1").hold(TAG, "tank/a@" + t1).hold("backup-tool", "tank/a@s1")
                .hold("zfs-sync_offsite", "tank/a@" + t1);
        pair.src.write("tank/a", 1000);
        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        List<FakeZfsHost.Event> events = pair.events();
        long firstStream = events.stream().filter(e -> e.kind() == FakeZfsHost.Kind.START)
                .mapToLong(FakeZfsHost.Event::seq).min().orElseThrow();
        List<FakeZfsHost.Event> releases = events.stream().filter(e -> e.command().startsWith("zfs release")).toList();
        assertThat(releases.get(0).seq()).isLessThan(firstStream);
        assertThat(releases.get(0).command()).isEqualTo("zfs release " + TAG + " tank/a@s1");
        assertThat(pair.src.allHolds()).isEqualTo(Map.of("tank/a@s1", Set.of("backup-tool"),
                "tank/a@" + t1, Set.of("zfs-sync_offsite")));
    }

    @Test
    void aRunReportsItsSnapshotThenEachDatasetsStartAndVerifiedEndWithTheNewestSnapshotTheTargetHolds() {
        Pair pair = started();
        DatasetResult first = only(pair.sync());
        String t1 = pair.snapshotName();
        String run = "run-2026-11-24T10:00:00Z";
        assertThat(pair.runEvents).extracting(e -> e.getClass().getSimpleName()).containsExactly("SnapshotTaken",
                "DatasetStarted", "DatasetFinished");
        assertThat(pair.runEvents).allSatisfy(e -> assertThat(e.runId()).isEqualTo(run));
        assertThat((RunEvent.SnapshotTaken) pair.runEvents.get(0)).isEqualTo(new RunEvent.SnapshotTaken(run,
                "tank/a@" + t1, 1, Instant.parse("2026-11-24T10:00:00Z")));
        RunEvent.DatasetStarted start = (RunEvent.DatasetStarted) pair.runEvents.get(1);
        assertThat(start.source()).isEqualTo("tank/a");
        assertThat(start.target()).isEqualTo("backup/a");
        assertThat(start.to()).isEqualTo("tank/a@" + t1);
        RunEvent.DatasetFinished end = (RunEvent.DatasetFinished) pair.runEvents.get(2);
        assertThat(end.status()).isEqualTo(RunEvent.DatasetStatus.DONE);
        assertThat(end.bytes()).isEqualTo(first.bytes()).isPositive();
        assertThat(end.duration()).isEqualTo(Duration.ZERO);
        // What the target holds, as read again after the stream: the sync snapshot, dated as on the source.
        assertThat(end.newestOnTarget().dataset()).isEqualTo("backup/a");
        assertThat(end.newestOnTarget().snapshot()).isEqualTo(t1);
        assertThat(end.newestOnTarget().creation()).isEqualTo(Instant.ofEpochSecond(
                pair.src.snapshotCreation("tank/a@" + t1)));
    }

    @Test
    void aRefusedDatasetIsStartedAndFinishedAsRefusedWithWhatTheTargetStillHolds() {
        Pair pair = started();
        pair.sync();
        String t1 = pair.snapshotName();
        pair.dst.snapshot("backup/a", "foreign");
        pair.src.write("tank/a", 1_000);
        pair.runEvents.clear();
        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.REFUSED);
        List<RunEvent> datasetEvents = pair.runEvents.stream().filter(e -> !(e instanceof RunEvent.SnapshotTaken))
                .toList();
        assertThat(datasetEvents).extracting(e -> e.getClass().getSimpleName()).containsExactly("DatasetStarted",
                "DatasetFinished");
        RunEvent.DatasetFinished end = (RunEvent.DatasetFinished) datasetEvents.get(1);
        assertThat(end.status()).isEqualTo(RunEvent.DatasetStatus.REFUSED);
        assertThat(end.message()).isEqualTo(r.message());
        assertThat(end.newestOnTarget().snapshot()).isEqualTo("foreign").isNotEqualTo(t1);
    }

    @Test
    void withReuseConnectionsSmallStreamsGoOnKeptConnectionsAndABigOneGetsItsOwn() {
        Pair plain = started();
        plain.sync();
        assertThat(plain.src.reused()).as("without --reuse-connections, every stream on its own connection").isEmpty();
        assertThat(plain.dst.reused()).isEmpty();
        Pair pair = started();
        pair.reuseConnections = true;
        pair.sync();
        String t1 = pair.snapshotName();
        // 150 kB in two small streams (the full one and the -I to the sync snapshot): both halves of each kept.
        assertThat(pair.src.reused()).containsExactly("zfs send tank/a@s1", "zfs send -I tank/a@s1 tank/a@" + t1);
        assertThat(pair.dst.reused()).hasSize(2).allMatch(p -> p.startsWith("zfs receive"));
        pair.src.snapshot("tank/a", "s2");
        pair.src.write("tank/a", StreamSize.SMALL);
        pair.style = ProgressReporter.Style.LOG;
        DatasetResult r = only(pair.sync());
        assertThat(r.status()).isEqualTo(DatasetResult.Status.DONE);
        // 16 MiB by the listing: worth an estimate, once, and a connection of its own.
        assertThat(pair.commands(pair.src, "zfs send -n -P")).containsExactly("zfs send -n -P -I tank/a@" + t1
                + " tank/a@" + pair.snapshotName());
        assertThat(pair.commands(pair.src, "zfs send -I tank/a@" + t1)).hasSize(1);
        assertThat(pair.src.reused()).as("the big stream is not among the kept ones").hasSize(2);
        assertThat(pair.dst.reused()).hasSize(2);
    }

    @Test
    void theEventsDatasetStatusesAreTheReplicationsOwn() {
        assertThat(Stream.of(RunEvent.DatasetStatus.values()).map(Enum::name)).containsExactlyElementsOf(
                Stream.of(DatasetResult.Status.values()).map(Enum::name).toList());
    }
}
