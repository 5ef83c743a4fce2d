package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.zfssync.replication.PlannerTest.NOW;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.FakeZfsHost;
import org.zfssync.testing.States;
import org.zfssync.zfs.DatasetName;

/** --on-diverged quarantine and quarantine-keep: planned without I/O, every case. */
class QuarantinePlannerTest {
    static final String ASIDE_SUFFIX = ".zfs-sync-diverged-20261124T100000Z";

    static SyncOptions quarantine() {
        return PlannerTest.options().withDiverged(OnDiverged.QUARANTINE, Optional.empty());
    }

    static SyncOptions recursive(SyncOptions o) {
        return new SyncOptions(true, o.excludes(), o.takeSnapshot(), o.noStream(), o.sendFlags(), o.receiveFlags(),
                o.rollback(), o.forceOverwrite(), o.keepSyncSnapshots(), o.naming(), o.includes(), o.onDiverged(),
                o.quarantineKeep());
    }

    static SyncOptions keep(SyncOptions o, Duration keep) {
        return o.withDiverged(o.onDiverged(), Optional.of(keep));
    }

    static States source() {
        return States.under("tank/a").fs("tank/a", 100, false).snap("tank/a", "s1", 1).snap("tank/a", "s2", 2);
    }

    static Step.Quarantine quarantineStep(DatasetPlan p) {
        return p.steps().stream().filter(Step.Quarantine.class::isInstance).map(Step.Quarantine.class::cast)
                .findFirst().orElseThrow();
    }

    @Nested
    class Divergence {
        @Test
        void refuseStaysTheDefaultAndNamesQuarantineAsARemedy() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(PlannerTest.options(), source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "mine", 77)));
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.refusal().orElseThrow().message()).contains("--on-diverged quarantine");
            assertThat(PlannerTest.options().onDiverged()).isEqualTo(OnDiverged.REFUSE);
        }

        @Test
        void aTargetWithNewerSnapshotsIsMovedAsideThenReceivesAFullCopy() {
            Plan plan = PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "mine", 77));
            DatasetPlan p = PlannerTest.only(plan);
            assertThat(p.action()).isEqualTo(Action.FULL);
            assertThat(p.refusal()).isEmpty();
            Step.Quarantine q = (Step.Quarantine) p.steps().get(0);
            assertThat(q.target()).isEqualTo(DatasetName.of("backup/a"));
            assertThat(q.aside()).isEqualTo(DatasetName.of("backup/a" + ASIDE_SUFFIX));
            assertThat(q.filesystem()).isTrue();
            assertThat(q.reason()).contains("newer than the common snapshot");
            List<Step.Send> sends = PlannerTest.sends(p);
            assertThat(sends.get(0).full()).isTrue();
            assertThat(sends.get(0).snapshot()).isEqualTo("s1");
            assertThat(sends.get(sends.size() - 1).snapshot()).isEqualTo(PlannerTest.NEW);
            assertThat(sends.get(0).receiveFlags().force()).as("nothing is forced: the name is free").isFalse();
            // Nothing of the old target is destroyed, rolled back or cleaned up: it all moved aside.
            assertThat(p.steps()).noneMatch(s -> s instanceof Step.Rollback || s instanceof Step.DestroyTargetSnapshots);
            assertThat(p.cleanupTarget()).isEmpty();
            assertThat(plan.expired()).isEmpty();
        }

        @Test
        void aTargetModifiedSinceTheCommonSnapshotIsMovedAside() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").fs("backup/a", 4096, false).snap("backup/a", "s1", 1)
                            .snap("backup/a", "s2", 2)));
            assertThat(quarantineStep(p).reason()).contains("was modified");
            assertThat(p.action()).isEqualTo(Action.FULL);
        }

        @Test
        void aTargetSharingNoSnapshotIsMovedAside() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "theirs", 99)));
            assertThat(quarantineStep(p).reason()).contains("shares no snapshot");
            assertThat(p.steps()).noneMatch(Step.DestroyTargetSnapshots.class::isInstance);
        }

        @Test
        void aTargetWithoutSnapshotsIsMovedAside() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(), States.under("backup/a")
                    .fs("backup/a")));
            assertThat(quarantineStep(p).reason()).contains("has no snapshots");
        }

        @Test
        void aVolumeIsMovedAsideWithoutMountProperties() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").volume("backup/a").snap("backup/a", "theirs", 99)));
            assertThat(quarantineStep(p).filesystem()).isFalse();
            assertThat(StepCommands.targetCommands(quarantineStep(p))).extracting(c -> String.join(" ", c.argv()))
                    .containsExactly("zfs rename backup/a backup/a" + ASIDE_SUFFIX,
                            "zfs set readonly=on backup/a" + ASIDE_SUFFIX);
        }

        @Test
        void aFileSystemAsideIsReadOnlyAndMountedNowhere() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "theirs", 99)));
            assertThat(StepCommands.targetCommands(quarantineStep(p))).extracting(c -> String.join(" ", c.argv()))
                    .containsExactly("zfs rename backup/a backup/a" + ASIDE_SUFFIX,
                            "zfs set readonly=on mountpoint=none backup/a" + ASIDE_SUFFIX);
        }

        @Test
        void anUpToDateOrIncrementalTargetIsNotTouched() {
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1)));
            assertThat(p.action()).isEqualTo(Action.INCREMENTAL);
            assertThat(p.steps()).noneMatch(Step.Quarantine.class::isInstance);
        }

        @Test
        void aPartialReceiveOnTheTargetIsDiscardedBeforeItMovesAside() {
            // The token's snapshot is not on the source: it does not fit and is discarded once, before the move.
            String token = org.zfssync.testing.FakeTokens.token(999, "tank/a@gone", 0, 1000, false, false, false, false);
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(),
                    States.under("backup/a").dataset("backup/a", 0, false, Optional.of(token))
                            .snap("backup/a", "theirs", 99)));
            assertThat(p.steps().get(0)).isInstanceOf(Step.AbortResume.class);
            assertThat(p.steps().get(1)).isInstanceOf(Step.Quarantine.class);
            assertThat(p.steps()).filteredOn(Step.AbortResume.class::isInstance).hasSize(1);
        }

        @Test
        void nothingIsMovedWhenTheSourceHasNothingToSend() {
            SyncOptions noSnapshot = new SyncOptions(false, List.of(), false, false, PlannerTest.options().sendFlags(),
                    PlannerTest.options().receiveFlags(), false, false, false, PlannerTest.NAMING, List.of(),
                    OnDiverged.QUARANTINE, Optional.empty());
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(noSnapshot, States.under("tank/a").fs("tank/a"),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "theirs", 99)));
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.steps()).isEmpty();
        }

        @Test
        void aPoolsRootDatasetCannotBeMovedAsideAndStaysRefused() {
            DatasetPlan p = PlannerTest.only(new Planner(quarantine()).plan(source().build(),
                    States.under("backup").fs("backup").snap("backup", "theirs", 99).build(), NOW));
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.steps()).isEmpty();
        }

        @Test
        void anAsideNameThatIsTakenMovesOnASecond() {
            Plan plan = new Planner(quarantine()).plan(source().build(), States.under("backup/a").fs("backup/a")
                    .snap("backup/a", "theirs", 99).build(), List.of(DatasetName.of("backup/a" + ASIDE_SUFFIX)), NOW);
            assertThat(quarantineStep(PlannerTest.only(plan)).aside())
                    .isEqualTo(DatasetName.of("backup/a.zfs-sync-diverged-20261124T100001Z"));
        }

        @Test
        void quarantineCannotBeCombinedWithFlagsThatDestroy() {
            SyncOptions rollback = PlannerTest.with(PlannerTest.options(), "rollback");
            assertThatThrownBy(() -> rollback.withDiverged(OnDiverged.QUARANTINE, Optional.empty()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rollback");
            SyncOptions force = PlannerTest.with(PlannerTest.options(), "force-overwrite");
            assertThatThrownBy(() -> force.withDiverged(OnDiverged.QUARANTINE, Optional.empty()))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void onDivergedRollbackIsTheRollbackFlag() {
            SyncOptions o = PlannerTest.options().withDiverged(OnDiverged.ROLLBACK, Optional.empty());
            assertThat(o.rollback()).isTrue();
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(o, source(),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "mine", 77)));
            assertThat(p.steps().get(0)).isInstanceOf(Step.Rollback.class);
            assertThat(PlannerTest.with(PlannerTest.options(), "rollback").onDiverged()).isEqualTo(OnDiverged.ROLLBACK);
        }

        @Test
        void choicesParseAsWritten() {
            assertThat(OnDiverged.parse(" Quarantine ")).isEqualTo(OnDiverged.QUARANTINE);
            assertThatThrownBy(() -> OnDiverged.parse("destroy")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("refuse, quarantine or rollback");
        }
    }

    @Nested
    class Trees {
        static States tree() {
            return States.under("tank/t").fs("tank/t").snap("tank/t", "s1", 1)
                    .fs("tank/t/a").snap("tank/t/a", "s1", 11)
                    .fs("tank/t/a/x").snap("tank/t/a/x", "s1", 111)
                    .fs("tank/t/b").snap("tank/t/b", "s1", 21);
        }

        static States target(boolean rootDiverged, boolean aDiverged) {
            States t = States.under("backup/t").fs("backup/t").snap("backup/t", "s1", 1)
                    .fs("backup/t/a").snap("backup/t/a", "s1", 11)
                    .fs("backup/t/a/x").snap("backup/t/a/x", "s1", 111)
                    .fs("backup/t/b").snap("backup/t/b", "s1", 21);
            if (rootDiverged) {
                t.snap("backup/t", "mine", 5);
            }
            if (aDiverged) {
                t.snap("backup/t/a", "mine", 6);
            }
            return t;
        }

        @Test
        void aDivergedChildMovesAsideWithItsChildrenWhichAreSentInFull() {
            Plan plan = PlannerTest.plan(recursive(quarantine()), tree(), target(false, true));
            DatasetPlan a = plan.datasets().get(1);
            DatasetPlan x = plan.datasets().get(2);
            assertThat(a.target()).isEqualTo(DatasetName.of("backup/t/a"));
            assertThat(quarantineStep(a).aside()).isEqualTo(DatasetName.of("backup/t/a" + ASIDE_SUFFIX));
            assertThat(x.action()).as("it moved along with its parent").isEqualTo(Action.FULL);
            assertThat(x.steps()).noneMatch(Step.Quarantine.class::isInstance);
            assertThat(PlannerTest.sends(x).get(0).full()).isTrue();
            assertThat(x.cleanupTarget()).isEmpty();
            assertThat(plan.datasets().get(0).action()).isNotIn(Action.FULL, Action.REFUSED);
            assertThat(plan.datasets().get(3).action()).isNotIn(Action.FULL, Action.REFUSED);
        }

        @Test
        void aDivergedRootMovesTheWholeTreeAsideAndEveryDatasetIsSentInFull() {
            Plan plan = PlannerTest.plan(recursive(quarantine()), tree(), target(true, true));
            assertThat(plan.datasets()).extracting(DatasetPlan::action).containsOnly(Action.FULL);
            assertThat(plan.datasets()).filteredOn(p -> p.steps().stream().anyMatch(Step.Quarantine.class::isInstance))
                    .singleElement().extracting(DatasetPlan::target).isEqualTo(DatasetName.of("backup/t"));
            assertThat(plan.datasets().get(0).steps()).noneMatch(Step.CreateParent.class::isInstance);
        }

        @Test
        void aDivergedTargetWithAnExcludedChildIsNotMovedAsideSoTheChildIsNeverRenamedOrExpired() {
            // backup/t/b is excluded: zfs-sync must not touch it, and a rename of backup/t would carry it
            // into the aside copy, which quarantine-keep later destroys with zfs destroy -r.
            SyncOptions o = recursive(quarantine());
            o = new SyncOptions(true, List.of(Glob.of("b")), o.takeSnapshot(), o.noStream(), o.sendFlags(),
                    o.receiveFlags(), false, false, false, o.naming(), List.of(), OnDiverged.QUARANTINE,
                    Optional.of(Duration.ofDays(1)));
            Plan plan = PlannerTest.plan(o, tree(), target(true, false));
            DatasetPlan root = plan.datasets().get(0);
            assertThat(root.action()).isEqualTo(Action.REFUSED);
            assertThat(root.refusal().orElseThrow().message()).contains("backup/t/b", "not moved aside");
            assertThat(plan.datasets()).flatExtracting(DatasetPlan::steps).noneMatch(Step.Quarantine.class::isInstance);
        }

        @Test
        void aDivergedTargetWithADatasetTheSourceNoLongerHasIsNotMovedAside() {
            // backup/t/old is the only copy of a dataset since destroyed on the source.
            Plan plan = PlannerTest.plan(recursive(quarantine()), tree(),
                    target(true, false).fs("backup/t/old").snap("backup/t/old", "s1", 41));
            assertThat(plan.datasets().get(0).action()).isEqualTo(Action.REFUSED);
            assertThat(plan.datasets().get(0).refusal().orElseThrow().message()).contains("backup/t/old");
        }

        @Test
        void withoutRecursionATargetWithChildrenIsNotMovedAsideButAsideCopiesBelowItDoNotCount() {
            // A non-recursive listing (-d 1) shows the direct children; none of them is this run's.
            DatasetPlan p = PlannerTest.only(PlannerTest.plan(quarantine(), source(), States.under("backup/a")
                    .fs("backup/a").snap("backup/a", "theirs", 99).fs("backup/a/home")));
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.refusal().orElseThrow().message()).contains("backup/a/home");
            DatasetPlan q = PlannerTest.only(PlannerTest.plan(quarantine(), source(), States.under("backup/a")
                    .fs("backup/a").snap("backup/a", "theirs", 99).fs("backup/a/x" + ASIDE_SUFFIX)));
            assertThat(q.action()).isEqualTo(Action.FULL);
        }

        @Test
        void asideCopiesOnTheSourceAreNeitherSentNorSnapshotted() {
            States source = tree().fs("tank/t/a" + ASIDE_SUFFIX).snap("tank/t/a" + ASIDE_SUFFIX, "s1", 31)
                    .fs("tank/t/a" + ASIDE_SUFFIX + "/x").fs("tank/t/b.zfs-sync-replaced-20261101T000000Z")
                    .fs("tank/t/b.zfs-sync-restoring-20261101T000000Z");
            Plan plan = PlannerTest.plan(recursive(quarantine()), source, target(false, false));
            assertThat(plan.datasets()).extracting(p -> p.source().value())
                    .containsExactly("tank/t", "tank/t/a", "tank/t/a/x", "tank/t/b");
            assertThat(plan.snapshotDatasets()).noneMatch(d -> d.value().contains(".zfs-sync-"));
        }
    }

    @Nested
    class Expiry {
        static final String OLD = ".zfs-sync-diverged-20261001T000000Z";
        static final String RECENT = ".zfs-sync-diverged-20261120T000000Z";

        static States targetTree() {
            return States.under("backup/t").fs("backup/t").snap("backup/t", "s1", 1)
                    .fs("backup/t/a").snap("backup/t/a", "s1", 11)
                    .fs("backup/t/a" + OLD).snap("backup/t/a" + OLD, "mine", 66)
                    .fs("backup/t/a" + OLD + "/x")
                    .fs("backup/t/a" + OLD + "/x" + OLD)
                    .fs("backup/t/a" + RECENT)
                    .fs("backup/t/cache").fs("backup/t/cache" + OLD)
                    .fs("backup/t/b.zfs-sync-replaced-20261001T000000Z")
                    .fs("backup/t/c.zfs-sync-diverged-2026")
                    .fs("backup/t/gone" + OLD);
        }

        static States sourceTree() {
            return States.under("tank/t").fs("tank/t").snap("tank/t", "s1", 1).fs("tank/t/a").snap("tank/t/a", "s1", 11)
                    .fs("tank/t/cache").snap("tank/t/cache", "s1", 12);
        }

        static SyncOptions options(Duration keep, boolean recursive, List<Glob> excludes) {
            SyncOptions o = PlannerTest.options();
            return new SyncOptions(recursive, excludes, o.takeSnapshot(), o.noStream(), o.sendFlags(), o.receiveFlags(),
                    false, false, false, o.naming(), List.of(), OnDiverged.REFUSE, Optional.ofNullable(keep));
        }

        static List<String> expired(SyncOptions options, List<String> beside) {
            Plan plan = new Planner(options).plan(sourceTree().build(), targetTree().build(),
                    beside.stream().map(DatasetName::of).toList(), NOW);
            return plan.expired().stream().map(e -> e.aside().value()).toList();
        }

        static final List<String> BESIDE = List.of("backup/t", "backup/t" + OLD, "backup/t" + RECENT,
                "backup/other" + OLD, "backup/t2" + OLD, "backup/t.zfs-sync-replaced-20261001T000000Z");

        @Test
        void onlyOurAsideNamesOlderThanTheKeepPeriodUnderTheTargetRootAreDestroyed() {
            assertThat(expired(options(Duration.ofDays(30), true, List.of()), BESIDE)).containsExactlyInAnyOrder(
                    "backup/t" + OLD, "backup/t/a" + OLD, "backup/t/cache" + OLD, "backup/t/gone" + OLD);
        }

        @Test
        void aLongerPeriodKeepsThemAndNoPeriodKeepsEverything() {
            assertThat(expired(options(Duration.ofDays(60), true, List.of()), BESIDE)).isEmpty();
            assertThat(expired(options(Duration.ofDays(3), true, List.of()), BESIDE)).contains("backup/t/a" + RECENT);
            assertThat(expired(options(null, true, List.of()), BESIDE)).isEmpty();
        }

        @Test
        void withoutRecursionOnlyTheRootsOwnAsideCopiesCount() {
            assertThat(expired(options(Duration.ofDays(30), false, List.of()), BESIDE))
                    .containsExactly("backup/t" + OLD);
        }

        @Test
        void anExcludedSubtreeKeepsItsAsideCopies() {
            assertThat(expired(options(Duration.ofDays(30), true, List.of(Glob.of("cache"))), BESIDE))
                    .doesNotContain("backup/t/cache" + OLD).contains("backup/t/a" + OLD);
        }

        @Test
        void aCopyInsideAnExpiredCopyGoesWithItNotOnItsOwn() {
            assertThat(expired(options(Duration.ofDays(30), true, List.of()), BESIDE))
                    .noneMatch(n -> n.contains(OLD + "/"));
        }

        @Test
        void anOldCopyBelowATargetMovedAsideThisRunIsNotDestroyedAtANameItNoLongerHas() {
            SyncOptions o = recursive(quarantine()).withDiverged(OnDiverged.QUARANTINE,
                    Optional.of(Duration.ofDays(30)));
            States target = States.under("backup/t").fs("backup/t").snap("backup/t", "s1", 1)
                    .snap("backup/t", "mine", 5).fs("backup/t/a").snap("backup/t/a", "s1", 11)
                    .fs("backup/t/a" + OLD).snap("backup/t/a" + OLD, "mine", 66)
                    .fs("backup/t/cache").snap("backup/t/cache", "s1", 12);
            Plan plan = new Planner(o).plan(sourceTree().build(), target.build(), List.of(), NOW);
            assertThat(quarantineStep(plan.datasets().get(0)).target()).isEqualTo(DatasetName.of("backup/t"));
            assertThat(plan.expired()).isEmpty();
        }

        @Test
        void theDryRunPrintsEachDestroyAndTheQuarantineCommands() {
            SyncOptions o = recursive(quarantine()).withDiverged(OnDiverged.QUARANTINE,
                    Optional.of(Duration.ofDays(30)));
            States target = targetTree().snap("backup/t/a", "mine", 77);
            Plan plan = new Planner(o).plan(sourceTree().build(), target.build(), List.of(), NOW);
            FakeZfsHost host = new FakeZfsHost("nas");
            List<String> lines = new PlanPrinter(host, host, StreamShape.plain(), PlannerTest.NAMING).lines(plan);
            String text = String.join("\n", lines);
            assertThat(text).contains("zfs rename backup/t/a backup/t/a" + ASIDE_SUFFIX,
                    "zfs set readonly=on mountpoint=none backup/t/a" + ASIDE_SUFFIX,
                    "moving the target aside to backup/t/a" + ASIDE_SUFFIX,
                    "zfs destroy -r backup/t/a" + OLD, "zfs destroy -r backup/t/cache" + OLD);
            assertThat(text).doesNotContain("zfs destroy -r backup/t/a" + RECENT);
        }
    }
}
