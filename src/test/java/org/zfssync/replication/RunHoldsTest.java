package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.zfs.DatasetName;

class RunHoldsTest {
    private static final String TAG = "zfs-sync_nas";
    private static final List<DatasetName> TREE = List.of(DatasetName.of("tank/a"), DatasetName.of("tank/a/b"),
            DatasetName.of("tank/a/c"));

    private static Plan snapshotOf(List<DatasetName> datasets) {
        return new Plan(Optional.of("zfs-sync_nas_1"), datasets, List.of());
    }

    private static List<String> commands(List<RunHolds.HoldCommand> holds) {
        return holds.stream().map(h -> h.command().toString()).toList();
    }

    @Test
    void theRunsOwnSnapshotOfATreeIsHeldFromItsTopInOneCommandAndTheOthersByList() {
        List<String> fresh = List.of("tank/a@s1", "tank/a@zfs-sync_nas_1", "tank/a/b@zfs-sync_nas_1",
                "tank/a/c@s1", "tank/a/c@zfs-sync_nas_1");

        List<RunHolds.HoldCommand> holds = RunHolds.holds(TAG, fresh, snapshotOf(TREE));

        assertThat(commands(holds)).containsExactly("zfs hold -r zfs-sync_nas tank/a@zfs-sync_nas_1",
                "zfs hold zfs-sync_nas tank/a@s1 tank/a/c@s1");
        assertThat(holds.get(0).covers()).containsExactly("tank/a@zfs-sync_nas_1", "tank/a/b@zfs-sync_nas_1",
                "tank/a/c@zfs-sync_nas_1");
    }

    @Test
    void aSnapshotOfTheRunThatNeedsNoHoldKeepsTheWholeNameByList() {
        // tank/a/b was refused: -r would hold its new snapshot too, which nothing would release.
        List<String> fresh = List.of("tank/a@zfs-sync_nas_1", "tank/a/c@zfs-sync_nas_1");

        assertThat(commands(RunHolds.holds(TAG, fresh, snapshotOf(TREE))))
                .containsExactly("zfs hold zfs-sync_nas tank/a@zfs-sync_nas_1 tank/a/c@zfs-sync_nas_1");
    }

    @Test
    void snapshotsOfDatasetsInTwoTreesOrOfOneDatasetAreHeldByList() {
        List<DatasetName> two = List.of(DatasetName.of("tank/a"), DatasetName.of("tank/b"));
        assertThat(commands(RunHolds.holds(TAG, List.of("tank/a@zfs-sync_nas_1", "tank/b@zfs-sync_nas_1"),
                snapshotOf(two)))).containsExactly("zfs hold zfs-sync_nas tank/a@zfs-sync_nas_1 tank/b@zfs-sync_nas_1");
        assertThat(commands(RunHolds.holds(TAG, List.of("tank/a@zfs-sync_nas_1"), snapshotOf(TREE.subList(0, 1)))))
                .containsExactly("zfs hold zfs-sync_nas tank/a@zfs-sync_nas_1");
        assertThat(RunHolds.holds(TAG, List.of(), new Plan(Optional.empty(), List.of(), List.of()))).isEmpty();
    }

    @Test
    void releasesGoRecursiveFromEachTopmostHeldSnapshotOfAName() {
        List<String> held = List.of("tank/a@s1", "tank/a/b@s1", "tank/a/b/x@s1", "tank/z@s1", "tank/q/r@s2",
                "tank/q/t@s2", "tank/a@s2");

        List<RunHolds.HoldCommand> releases = RunHolds.releases(TAG, held);

        assertThat(commands(releases)).containsExactly("zfs release -r zfs-sync_nas tank/a@s1",
                "zfs release zfs-sync_nas tank/z@s1 tank/q/r@s2 tank/q/t@s2 tank/a@s2");
        assertThat(releases.get(0).covers()).containsExactly("tank/a@s1", "tank/a/b@s1", "tank/a/b/x@s1");
        assertThat(releases.stream().mapToInt(r -> r.covers().size()).sum()).isEqualTo(held.size());
        assertThat(RunHolds.releases(TAG, List.of())).isEmpty();
    }
}
