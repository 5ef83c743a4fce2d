package org.zfssync.pruning;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.States;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.TreeState;

class PrunePlannerTest {
    private static final PrunePlanner KEEP_ONE = new PrunePlanner(
            new Retention(new RetentionPolicy(1, 0, null, 0, 0, 0, 0, 0), ZoneOffset.UTC), n -> n.startsWith("zs_"));

    @Test
    void keepsTheNewestCommonSnapshotOfEveryTargetEvenBeyondThePolicy() {
        TreeState source = States.under("tank/a").fs("tank/a")
                .snap("tank/a", "zs_1", 1).snap("tank/a", "zs_2", 2).snap("tank/a", "zs_3", 3).snap("tank/a", "zs_4", 4)
                .build();
        TreeState nas = States.under("pool/a").fs("pool/a").snap("pool/a", "zs_1", 1).snap("pool/a", "zs_2", 2).build();
        TreeState offsite = States.under("off/a").fs("off/a").snap("off/a", "zs_1", 1).build();

        PrunePlan plan = KEEP_ONE.planAgainst(source, List.of(nas, offsite));
        // zs_4 is the newest (last 1); zs_2 is nas's base, zs_1 offsite's; only zs_3 may go.
        assertThat(plan.destroy()).containsEntry(DatasetName.of("tank/a"), List.of("zs_3"));
        assertThat(plan.commands()).singleElement().asString().isEqualTo("zfs destroy tank/a@zs_3");
    }

    @Test
    void neverTouchesHeldOrForeignSnapshots() {
        TreeState target = States.under("pool/a").fs("pool/a")
                .snap("pool/a", "manual", 1).snap("pool/a", "zs_2", 2, 1).snap("pool/a", "zs_3", 3)
                .snap("pool/a", "zs_4", 4).snap("pool/a", "zs_5", 5).build();
        TreeState source = States.under("tank/a").fs("tank/a").snap("tank/a", "zs_5", 5).build();
        PrunePlan plan = KEEP_ONE.planAgainst(target, List.of(source));
        assertThat(plan.destroy()).containsEntry(DatasetName.of("pool/a"), List.of("zs_4", "zs_3"));
    }

    @Test
    void aPendingResumeKeepsTheSnapshotItIsReceiving() {
        long tokenGuid = 3733534622378937118L; // the snapshot Tokens.FULL_S1 was interrupted sending
        TreeState source = States.under("tank/a").fs("tank/a").snap("tank/a", "zs_0", 7).snap("tank/a", "zs_1", 1)
                .snap("tank/a", "zs_2", tokenGuid).snap("tank/a", "zs_9", 9).build();
        TreeState target = States.under("pool/a")
                .dataset("pool/a", 0, false, java.util.Optional.of(org.zfssync.testing.Tokens.FULL_S1))
                .snap("pool/a", "zs_0", 7).snap("pool/a", "zs_1", 1).build();
        PrunePlan plan = KEEP_ONE.planAgainst(source, List.of(target));
        assertThat(plan.destroy()).containsEntry(DatasetName.of("tank/a"), List.of("zs_0"));
    }

    @Test
    void anOfflineTargetWithoutItsCursorHereKeepsEverything() {
        TreeState source = States.under("tank/a").fs("tank/a")
                .snap("tank/a", "zs_1", 1).snap("tank/a", "zs_2", 2).snap("tank/a", "zs_3", 3).build();
        TreeState exported = TreeState.absent(DatasetName.of("usb/a"));
        PrunePlan plan = KEEP_ONE.plan(source, List.of(PrunePlanner.Peer.receiver(exported, n -> n.startsWith("cursor_"))));
        assertThat(plan.destroy()).isEmpty();
    }

    @Test
    void anOfflineTargetWithItsCursorHereLetsRetentionPruneFreely() {
        TreeState source = States.under("tank/a").fs("tank/a").snap("tank/a", "zs_1", 1).bookmark("tank/a", "cursor_1", 1)
                .snap("tank/a", "zs_2", 2).snap("tank/a", "zs_3", 3).build();
        TreeState exported = TreeState.absent(DatasetName.of("usb/a"));
        PrunePlan plan = KEEP_ONE.plan(source, List.of(PrunePlanner.Peer.receiver(exported, n -> n.startsWith("cursor_"))));
        assertThat(plan.destroy().get(DatasetName.of("tank/a"))).containsExactlyInAnyOrder("zs_1", "zs_2");
    }

    @Test
    void onATargetTheSnapshotMatchingTheSourcesCursorBookmarkIsTheBaseAndStays() {
        // The source pruned zs_1 and keeps only its cursor: the target's zs_1 is still the next base.
        TreeState source = States.under("tank/a").fs("tank/a").bookmark("tank/a", "cursor_1", 1)
                .snap("tank/a", "zs_5", 5).build();
        TreeState target = States.under("pool/a").fs("pool/a").snap("pool/a", "zs_0", 9).snap("pool/a", "zs_1", 1)
                .snap("pool/a", "zs_x", 11).build();
        PrunePlan plan = KEEP_ONE.planAgainst(target, List.of(source));
        assertThat(plan.destroy()).containsEntry(DatasetName.of("pool/a"), List.of("zs_0"));
    }

    @Test
    void onASourceATargetsBookmarkIsNoBaseOnlyItsSnapshotIs() {
        // The target keeps a bookmark of zs_2 but its newest snapshot the source has is zs_1: that is its base.
        TreeState source = States.under("tank/a").fs("tank/a").snap("tank/a", "zs_1", 1).snap("tank/a", "zs_2", 2)
                .snap("tank/a", "zs_3", 3).build();
        TreeState target = States.under("pool/a").fs("pool/a").snap("pool/a", "zs_1", 1).bookmark("pool/a", "b", 2)
                .build();
        PrunePlan plan = KEEP_ONE.plan(source, List.of(PrunePlanner.Peer.receiver(target, n -> false)));
        assertThat(plan.destroy().get(DatasetName.of("tank/a"))).containsExactly("zs_2");
    }

    @Test
    void snapshotsNewerThanAnOfflineTargetsCursorBecomeItsCursorsBeforeTheyArePruned() {
        // The target's cursor is at zs_1, but its last run may have delivered zs_2 before it was killed.
        TreeState source = States.under("tank/a").fs("tank/a").snap("tank/a", "zs_1", 1).bookmark("tank/a", "cursor_1", 1)
                .snap("tank/a", "zs_2", 2).snap("tank/a", "zs_3", 3).build();
        TreeState exported = TreeState.absent(DatasetName.of("usb/a"));
        PrunePlan plan = KEEP_ONE.plan(source, List.of(PrunePlanner.Peer.receiver(exported,
                n -> n.startsWith("cursor_"), guid -> "cursor_" + guid)));
        assertThat(plan.destroy().get(DatasetName.of("tank/a"))).containsExactlyInAnyOrder("zs_1", "zs_2");
        assertThat(plan.cursorsFirst()).singleElement().satisfies(c -> assertThat(c.argv())
                .containsExactly("zfs", "bookmark", "tank/a@zs_2", "tank/a#cursor_2"));
    }
}
