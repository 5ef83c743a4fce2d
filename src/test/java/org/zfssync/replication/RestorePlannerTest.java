package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.FakeZfsHost;
import org.zfssync.testing.States;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.TreeState;

/** Restore planning, without ZFS: which way, which snapshot, which commands. */
class RestorePlannerTest {
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final DatasetName BACKUP = DatasetName.of("pool/backup/data");
    static final DatasetName DATA = DatasetName.of("tank/data");

    /** s1 (guid 1), s2 (guid 2), s3 (guid 3), oldest first; creation 1_700_000_000 + txg (110, 120, 130). */
    static States backup() {
        return States.under(BACKUP.value()).fs(BACKUP.value()).snap(BACKUP.value(), "s1", 1)
                .snap(BACKUP.value(), "s2", 2).snap(BACKUP.value(), "s3", 3);
    }

    static RestorePlanner.Request request(String snapshot, boolean inPlace, boolean destroyNewer) {
        return new RestorePlanner.Request(BACKUP, snapshot, null, inPlace ? DATA : DatasetName.of("tank/restored/data"),
                false, inPlace, destroyNewer);
    }

    static RestorePlanner.Plan plan(RestorePlanner.Request r, States backup, TreeState destination) {
        return RestorePlanner.plan(r, backup.build(), destination, NOW);
    }

    static TreeState absent(DatasetName d) {
        return TreeState.absent(d);
    }

    static Step.Send send(DatasetPlan p) {
        return p.steps().stream().filter(Step.Send.class::isInstance).map(Step.Send.class::cast).findFirst()
                .orElseThrow();
    }

    @Test
    void byDefaultAFullSendIntoANewDatasetWithItsParentCreated() {
        RestorePlanner.Plan plan = plan(request("s2", false, false), backup(),
                absent(DatasetName.of("tank/restored/data")));
        assertThat(plan.mode()).isEqualTo(RestorePlanner.Mode.NEW);
        assertThat(plan.snapshot()).isEqualTo("s2");
        assertThat(plan.created()).isEqualTo(Instant.ofEpochSecond(1_700_000_120L));
        DatasetPlan p = plan.transfers().get(0);
        assertThat(p.steps().get(0)).isEqualTo(new Step.CreateParent(DatasetName.of("tank/restored")));
        Step.Send s = send(p);
        assertThat(s.full()).isTrue();
        assertThat(s.source()).isEqualTo(BACKUP);
        assertThat(s.target()).isEqualTo(DatasetName.of("tank/restored/data"));
        assertThat(s.snapshot()).isEqualTo("s2");
        assertThat(s.sendFlags().raw()).isFalse();
        assertThat(s.receiveFlags().force()).as("never -F").isFalse();
        assertThat(s.receiveFlags().forNewTarget().setProperties()).as("a restored copy is writable").isEmpty();
        assertThat(p.holds()).containsExactly("s2");
        assertThat(plan.rollbacks()).isEmpty();
        assertThat(plan.swap()).isEmpty();
    }

    @Test
    void anExistingDestinationIsRefusedNeverOverwritten() {
        assertThatThrownBy(() -> plan(request("s2", false, false), backup(),
                States.under("tank/restored/data").fs("tank/restored/data").build()))
                .isInstanceOf(RestorePlanner.RefusedException.class).hasMessageContaining("never overwrites");
    }

    @Test
    void anEncryptedBackupComesBackRaw() {
        States b = States.under(BACKUP.value()).fs(BACKUP.value(), 0, true).snap(BACKUP.value(), "s1", 1);
        RestorePlanner.Plan plan = plan(request("s1", false, false), b, absent(DatasetName.of("tank/restored/data")));
        assertThat(send(plan.transfers().get(0)).sendFlags().raw()).isTrue();
    }

    @Test
    void asOfPicksTheNewestSnapshotAtOrBeforeTheTime() {
        RestorePlanner.Request at125 = new RestorePlanner.Request(BACKUP, null, Instant.ofEpochSecond(1_700_000_125L),
                DatasetName.of("tank/r"), false, false, false);
        assertThat(plan(at125, backup(), absent(DatasetName.of("tank/r"))).snapshot()).isEqualTo("s2");
        RestorePlanner.Request exact = new RestorePlanner.Request(BACKUP, null, Instant.ofEpochSecond(1_700_000_130L),
                DatasetName.of("tank/r"), false, false, false);
        assertThat(plan(exact, backup(), absent(DatasetName.of("tank/r"))).snapshot()).isEqualTo("s3");
        RestorePlanner.Request before = new RestorePlanner.Request(BACKUP, null, Instant.ofEpochSecond(1_600_000_000L),
                DatasetName.of("tank/r"), false, false, false);
        assertThatThrownBy(() -> plan(before, backup(), absent(DatasetName.of("tank/r"))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("no snapshot as old as");
    }

    @Test
    void aMissingSnapshotOrBackupIsAUsageError() {
        assertThatThrownBy(() -> plan(request("nope", false, false), backup(), absent(DatasetName.of("tank/r"))))
                .isInstanceOf(PlanningException.class).hasMessageContaining("no snapshot @nope");
        assertThatThrownBy(() -> RestorePlanner.plan(request("s1", false, false), TreeState.absent(BACKUP),
                absent(DatasetName.of("tank/r")), NOW)).isInstanceOf(PlanningException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aTreeLeavesOutDatasetsWithoutTheSnapshotWithTheirSubtreeAndAsideCopies() {
        States b = backup().fs(BACKUP + "/a").snap(BACKUP + "/a", "s2", 12)
                .fs(BACKUP + "/b").snap(BACKUP + "/b", "other", 22).fs(BACKUP + "/b/x").snap(BACKUP + "/b/x", "s2", 23)
                .fs(BACKUP + "/a.zfs-sync-diverged-20261101T000000Z")
                .snap(BACKUP + "/a.zfs-sync-diverged-20261101T000000Z", "s2", 99);
        RestorePlanner.Request r = new RestorePlanner.Request(BACKUP, "s2", null, DatasetName.of("tank/r"), true, false,
                false);
        RestorePlanner.Plan plan = plan(r, b, absent(DatasetName.of("tank/r")));
        assertThat(plan.transfers()).extracting(p -> p.target().value()).containsExactly("tank/r", "tank/r/a");
        assertThat(plan.notes()).anyMatch(n -> n.contains(BACKUP + "/b") && n.contains("no @s2"));
        assertThat(plan.transfers().get(1).steps()).noneMatch(Step.CreateParent.class::isInstance);
    }

    @Test
    void inPlaceOnADatasetThatIsGoneIsAUsageError() {
        assertThatThrownBy(() -> plan(request("s2", true, false), backup(), absent(DATA)))
                .isInstanceOf(PlanningException.class).hasMessageContaining("leave out --in-place");
    }

    @Test
    void inPlaceRollsBackWhenTheSourceStillHoldsItAsItsNewestWhateverItsName() {
        TreeState source = States.under(DATA.value()).fs(DATA.value(), 4096, false).snap(DATA.value(), "s1", 1)
                .snap(DATA.value(), "pinned", 2).build();
        RestorePlanner.Plan plan = plan(request("s2", true, false), backup(), source);
        assertThat(plan.mode()).isEqualTo(RestorePlanner.Mode.ROLLBACK);
        assertThat(plan.transfers()).isEmpty();
        assertThat(plan.rollbacks()).containsExactly(new RestorePlanner.Rollback(DATA, "pinned", List.of()));
    }

    @Test
    void newerSnapshotsOnTheSourceMeanASwapUnlessDestroyNewerAllowsRollbackMinusR() {
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s1", 1)
                .snap(DATA.value(), "s2", 2).snap(DATA.value(), "later", 7).build();
        RestorePlanner.Plan swap = plan(request("s2", true, false), backup(), source);
        assertThat(swap.mode()).isEqualTo(RestorePlanner.Mode.SWAP);
        assertThat(swap.notes()).anyMatch(n -> n.contains("1 newer snapshot") && n.contains("--destroy-newer"));
        RestorePlanner.Plan rollback = plan(request("s2", true, true), backup(), source);
        assertThat(rollback.mode()).isEqualTo(RestorePlanner.Mode.ROLLBACK);
        assertThat(rollback.rollbacks()).containsExactly(new RestorePlanner.Rollback(DATA, "s2", List.of("later")));
    }

    @Test
    void aSnapshotTheSourceNoLongerHoldsIsReceivedBesideThenTheNamesAreSwapped() {
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s3", 3).build();
        RestorePlanner.Plan plan = plan(request("s2", true, true), backup(), source);
        assertThat(plan.mode()).isEqualTo(RestorePlanner.Mode.SWAP);
        RestorePlanner.Swap swap = plan.swap().orElseThrow();
        assertThat(swap.original()).isEqualTo(DATA);
        assertThat(swap.restored()).isEqualTo(DatasetName.of("tank/data.zfs-sync-restoring-20261124T100000Z"));
        assertThat(swap.aside()).isEqualTo(DatasetName.of("tank/data.zfs-sync-replaced-20261124T100000Z"));
        DatasetPlan p = plan.transfers().get(0);
        assertThat(p.steps()).noneMatch(Step.CreateParent.class::isInstance);
        assertThat(send(p).target()).isEqualTo(swap.restored());
        assertThat(RestoreRun.swapCommands(swap)).extracting(c -> String.join(" ", c.argv())).containsExactly(
                "zfs rename tank/data tank/data.zfs-sync-replaced-20261124T100000Z",
                "zfs rename tank/data.zfs-sync-restoring-20261124T100000Z tank/data");
        assertThat(plan.rollbacks()).isEmpty();
    }

    @Test
    void aTreeIsRolledBackOnlyWhenEveryDatasetCanBe() {
        States b = backup().fs(BACKUP + "/a").snap(BACKUP + "/a", "s2", 12);
        TreeState all = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s2", 2)
                .fs(DATA + "/a").snap(DATA + "/a", "s2", 12).build();
        TreeState childLacks = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s2", 2)
                .fs(DATA + "/a").snap(DATA + "/a", "s9", 19).build();
        RestorePlanner.Request r = new RestorePlanner.Request(BACKUP, "s2", null, DATA, true, true, false);
        assertThat(RestorePlanner.plan(r, b.build(), all, NOW).rollbacks()).hasSize(2);
        RestorePlanner.Plan swap = RestorePlanner.plan(r, b.build(), childLacks, NOW);
        assertThat(swap.mode()).isEqualTo(RestorePlanner.Mode.SWAP);
        assertThat(swap.transfers()).extracting(p -> p.target().value()).containsExactly(
                "tank/data.zfs-sync-restoring-20261124T100000Z", "tank/data.zfs-sync-restoring-20261124T100000Z/a");
    }

    @Test
    void aSwapThatWouldCarryAwayADatasetItDoesNotRestoreIsRefused() {
        // tank/data/home is not in the restore: renaming tank/data aside would move it out of its place.
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s3", 3)
                .fs(DATA + "/home").snap(DATA + "/home", "h1", 31).build();
        assertThatThrownBy(() -> plan(request("s2", true, false), backup(), source))
                .isInstanceOf(RestorePlanner.RefusedException.class).hasMessageContaining(DATA + "/home");
        // With -r, a child the backup lacks the snapshot for is not restored either.
        States b = backup().fs(BACKUP + "/home").snap(BACKUP + "/home", "other", 41);
        RestorePlanner.Request r = new RestorePlanner.Request(BACKUP, "s2", null, DATA, true, true, false);
        assertThatThrownBy(() -> RestorePlanner.plan(r, b.build(), source, NOW))
                .isInstanceOf(RestorePlanner.RefusedException.class).hasMessageContaining(DATA + "/home");
        // An earlier restore's replaced copy below it is ours and does not count.
        TreeState withAside = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s3", 3)
                .fs(DATA + "/x.zfs-sync-replaced-20261101T000000Z").build();
        assertThat(plan(request("s2", true, false), backup(), withAside).mode()).isEqualTo(RestorePlanner.Mode.SWAP);
    }

    @Test
    void aNewerBookmarkIsNewerDataForRollbackItNeedsDestroyNewerAndIsShownAsDestroyed() {
        // A sync's cursor bookmark of a snapshot since destroyed: plain zfs rollback refuses it, -r destroys it.
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s2", 2)
                .bookmark(DATA.value(), "cursor", 7).build();
        RestorePlanner.Plan swap = plan(request("s2", true, false), backup(), source);
        assertThat(swap.mode()).isEqualTo(RestorePlanner.Mode.SWAP);
        assertThat(swap.notes()).anyMatch(n -> n.contains("#cursor") && n.contains("--destroy-newer"));
        RestorePlanner.Plan rollback = plan(request("s2", true, true), backup(), source);
        assertThat(rollback.rollbacks()).containsExactly(new RestorePlanner.Rollback(DATA, "s2", List.of("#cursor")));
        FakeZfsHost host = new FakeZfsHost("local");
        assertThat(String.join("\n", RestoreRun.lines(rollback, host, host, StreamShape.plain())))
                .contains("zfs rollback -r tank/data@s2");
    }

    @Test
    void aPoolsRootIsNeverSwappedItsRestoringNameWouldBeAnotherPool() {
        TreeState pool = States.under("tank").fs("tank").snap("tank", "s3", 3).build();
        RestorePlanner.Request r = new RestorePlanner.Request(BACKUP, "s2", null, DatasetName.of("tank"), false, true,
                false);
        assertThatThrownBy(() -> RestorePlanner.plan(r, backup().build(), pool, NOW))
                .isInstanceOf(RestorePlanner.RefusedException.class).hasMessageContaining("pool's root");
    }

    @Test
    void whenTheRestoredCopyCannotTakeTheNameTheOriginalIsPutBack() {
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s3", 3).build();
        RestorePlanner.Plan plan = plan(request("s2", true, false), backup(), source);
        RestorePlanner.Swap swap = plan.swap().orElseThrow();
        FakeZfsHost host = new FakeZfsHost("local").pool("tank").create(DATA.value()).create(swap.restored().value());
        host.failNext("zfs rename " + swap.restored(), 1, "cannot rename: dataset is busy");
        RestoreRun.Outcome o = RestoreRun.swap(plan, List.of(), List.of(), host, swap);
        assertThat(o.completed()).isFalse();
        // The original is in its place again, not left under the replaced name with nothing at DATA.
        assertThat(host.exists(DATA.value())).isTrue();
        assertThat(host.exists(swap.aside().value())).isFalse();
        assertThat(host.exists(swap.restored().value())).isTrue();
        assertThat(o.message()).contains("put back", swap.restored().value());
    }

    @Test
    void thePlanShowsEveryCommand() {
        FakeZfsHost host = new FakeZfsHost("local");
        TreeState source = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s3", 3).build();
        String swap = String.join("\n", RestoreRun.lines(plan(request("s2", true, false), backup(), source), host,
                host, StreamShape.plain()));
        assertThat(swap).contains("zfs hold zfs-sync-restore pool/backup/data@s2",
                "zfs send pool/backup/data@s2 | zfs receive -s tank/data.zfs-sync-restoring-20261124T100000Z",
                "zfs release zfs-sync-restore pool/backup/data@s2",
                "zfs rename tank/data tank/data.zfs-sync-replaced-20261124T100000Z");
        TreeState holds = States.under(DATA.value()).fs(DATA.value()).snap(DATA.value(), "s2", 2).build();
        String rollback = String.join("\n", RestoreRun.lines(plan(request("s2", true, false), backup(), holds), host,
                host, StreamShape.plain()));
        assertThat(rollback).contains("zfs rollback tank/data@s2").doesNotContain("rollback -r", "zfs send");
    }
}
