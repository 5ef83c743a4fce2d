package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.States;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;

class PlannerTest {
    static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    static final String NEW = "zfs-sync_nas_20261124T100000Z";
    /** An earlier sync snapshot of this target: a base of our own. */
    static final String OWN = "zfs-sync_nas_20261123T090000Z";
    static final SnapshotNaming NAMING = new SnapshotNaming("zfs-sync", "nas", SnapshotNaming.DEFAULT_TEMPLATE);

    static SyncOptions options() {
        return new SyncOptions(false, List.of(), true, false, SendFlags.none(), ReceiveFlags.none(), false, false,
                false, NAMING);
    }

    static SyncOptions with(SyncOptions o, String flag) {
        return switch (flag) {
            case "recursive" -> new SyncOptions(true, o.excludes(), o.takeSnapshot(), o.noStream(), o.sendFlags(),
                    o.receiveFlags(), o.rollback(), o.forceOverwrite(), o.keepSyncSnapshots(), o.naming());
            case "no-snapshot" -> new SyncOptions(o.recursive(), o.excludes(), false, o.noStream(), o.sendFlags(),
                    o.receiveFlags(), o.rollback(), o.forceOverwrite(), o.keepSyncSnapshots(), o.naming());
            case "no-stream" -> new SyncOptions(o.recursive(), o.excludes(), o.takeSnapshot(), true, o.sendFlags(),
                    o.receiveFlags(), o.rollback(), o.forceOverwrite(), o.keepSyncSnapshots(), o.naming());
            case "rollback" -> new SyncOptions(o.recursive(), o.excludes(), o.takeSnapshot(), o.noStream(),
                    o.sendFlags(), o.receiveFlags(), true, o.forceOverwrite(), o.keepSyncSnapshots(), o.naming());
            case "force-overwrite" -> new SyncOptions(o.recursive(), o.excludes(), o.takeSnapshot(), o.noStream(),
                    o.sendFlags(), o.receiveFlags(), o.rollback(), true, o.keepSyncSnapshots(), o.naming());
            case "keep" -> new SyncOptions(o.recursive(), o.excludes(), o.takeSnapshot(), o.noStream(), o.sendFlags(),
                    o.receiveFlags(), o.rollback(), o.forceOverwrite(), true, o.naming());
            default -> throw new IllegalArgumentException(flag);
        };
    }

    static Plan plan(SyncOptions options, States source, States target) {
        return new Planner(options).plan(source.build(), target.build(), NOW);
    }

    static DatasetPlan only(Plan plan) {
        assertThat(plan.datasets()).hasSize(1);
        return plan.datasets().get(0);
    }

    static List<Step.Send> sends(DatasetPlan p) {
        return p.steps().stream().filter(Step.Send.class::isInstance).map(Step.Send.class::cast).toList();
    }

    @Nested
    class FirstSync {
        @Test
        void fullSendOfOldestThenOneIncrementalStreamToTheNewSnapshot() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 100, false).snap("tank/a", "s1", 1)
                    .snap("tank/a", "s2", 2), States.under("backup/a"));
            DatasetPlan p = only(plan);
            assertThat(p.action()).isEqualTo(Action.FULL);
            assertThat(plan.snapshotName()).contains(NEW);
            assertThat(p.steps().get(0)).isEqualTo(new Step.CreateParent(DatasetName.of("backup")));
            List<Step.Send> sends = sends(p);
            assertThat(sends).hasSize(2);
            assertThat(sends.get(0).full()).isTrue();
            assertThat(sends.get(0).snapshot()).isEqualTo("s1");
            assertThat(sends.get(1).from()).isEqualTo("tank/a@s1");
            assertThat(sends.get(1).intermediates()).isTrue();
            assertThat(sends.get(1).snapshot()).isEqualTo(NEW);
        }

        @Test
        void noStreamSendsOnlyTheNewest() {
            Plan plan = plan(with(options(), "no-stream"), States.under("tank/a").fs("tank/a", 100, false)
                    .snap("tank/a", "s1", 1), States.under("backup/a"));
            List<Step.Send> sends = sends(only(plan));
            assertThat(sends).singleElement().satisfies(s -> {
                assertThat(s.full()).isTrue();
                assertThat(s.snapshot()).isEqualTo(NEW);
            });
        }

        @Test
        void sourceWithoutSnapshotsGetsTheSyncSnapshot() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false), States.under("backup/a"));
            assertThat(plan.snapshotDatasets()).containsExactly(DatasetName.of("tank/a"));
            assertThat(sends(only(plan))).singleElement().satisfies(s -> assertThat(s.snapshot()).isEqualTo(NEW));
        }

        @Test
        void sourceWithoutSnapshotsAndNoSnapshotFlagIsRefusedWithTheRemedy() {
            Plan plan = plan(with(options(), "no-snapshot"), States.under("tank/a").fs("tank/a"),
                    States.under("backup/a"));
            DatasetPlan p = only(plan);
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.refusal().orElseThrow().kind()).isEqualTo(Refusal.Kind.NO_SOURCE_SNAPSHOT);
            assertThat(p.refusal().orElseThrow().message()).contains("tank/a has no snapshots", "--no-snapshot");
            assertThat(plan.snapshotDatasets()).isEmpty();
        }

        @Test
        void unchangedSourceWhoseNewestIsOursIsSentWithoutANewOne() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", OWN, 1),
                    States.under("backup/a"));
            assertThat(plan.snapshotName()).isEmpty();
            assertThat(sends(only(plan))).singleElement().satisfies(s -> assertThat(s.snapshot()).isEqualTo(OWN));
        }

        @Test
        void anotherToolsNewestSnapshotGetsOneOfOursOnTopSoTheBaseIsNeverOnlyTheirs() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "autosnap_1", 1),
                    States.under("backup/a"));
            assertThat(plan.snapshotName()).contains(NEW);
            assertThat(sends(only(plan))).extracting(Step.Send::snapshot).containsExactly("autosnap_1", NEW);
        }

        @Test
        void newTargetsAreCreatedReadOnlyUnlessTheUserChoseOtherwise() {
            SyncOptions o = options();
            SyncOptions readonly = new SyncOptions(false, List.of(), true, false, SendFlags.none(),
                    new ReceiveFlags(false, false, Map.of(), List.of(), true), false, false, false, NAMING);
            States source = States.under("tank/a").fs("tank/a", 1, false).snap("tank/a", "s1", 1);
            List<Step.Send> sends = sends(only(plan(readonly, source, States.under("backup/a"))));
            assertThat(sends.get(0).receiveFlags().setProperties()).containsEntry("readonly", "on");
            assertThat(sends.get(1).receiveFlags().setProperties()).doesNotContainKey("readonly");
            SyncOptions userChoice = new SyncOptions(false, List.of(), true, false, SendFlags.none(),
                    new ReceiveFlags(false, false, Map.of("readonly", "off"), List.of(), true), false, false, false,
                    NAMING);
            assertThat(sends(only(plan(userChoice, source, States.under("backup/a")))).get(0).receiveFlags()
                    .setProperties()).containsEntry("readonly", "off");
            assertThat(sends(only(plan(o, source, States.under("backup/a")))).get(0).receiveFlags().setProperties())
                    .isEmpty();
        }

        @Test
        void encryptedDatasetsAreAlwaysSentRaw() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 1, true), States.under("backup/a"));
            assertThat(sends(only(plan)).get(0).sendFlags().raw()).isTrue();
            Plan plain = plan(options(), States.under("tank/a").fs("tank/a", 1, false), States.under("backup/a"));
            assertThat(sends(only(plain)).get(0).sendFlags().raw()).isFalse();
        }

        @Test
        void missingSourceIsAUsageError() {
            assertThatThrownBy(() -> plan(options(), States.under("tank/nope"), States.under("backup/a")))
                    .isInstanceOf(PlanningException.class).hasMessageContaining("tank/nope does not exist");
        }
    }

    @Nested
    class Incremental {
        @Test
        void fromTheNewestCommonSnapshotToTheNewest() {
            Plan plan = plan(with(options(), "no-snapshot"), States.under("tank/a").fs("tank/a", 0, false)
                    .snap("tank/a", "s1", 1).snap("tank/a", "s2", 2).snap("tank/a", "s3", 3),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "s2", 2));
            DatasetPlan p = only(plan);
            assertThat(p.action()).isEqualTo(Action.INCREMENTAL);
            assertThat(sends(p)).singleElement().satisfies(s -> {
                assertThat(s.from()).isEqualTo("tank/a@s2");
                assertThat(s.intermediates()).isTrue();
                assertThat(s.snapshot()).isEqualTo("s3");
                assertThat(s.receiveFlags().force()).isFalse();
            });
        }

        @Test
        void upToDateWhenTheTargetHasTheNewestAndNothingChanged() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", OWN, 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", OWN, 1));
            assertThat(only(plan).action()).isEqualTo(Action.UP_TO_DATE);
            assertThat(only(plan).steps()).isEmpty();
            assertThat(plan.changesNothing()).isTrue();
        }

        @Test
        void commonSnapshotIsFoundByGuidEvenWhenRenamed() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", "renamed", 7),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "original", 7));
            assertThat(sends(only(plan))).singleElement().satisfies(s -> {
                assertThat(s.from()).isEqualTo("tank/a@renamed");
                assertThat(s.snapshot()).isEqualTo(NEW);
            });
        }

        @Test
        void sameNameWithAnotherGuidIsNotCommon() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", "s1", 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 99));
            assertThat(only(plan).refusal().orElseThrow().kind()).isEqualTo(Refusal.Kind.NO_COMMON_SNAPSHOT);
        }

        @Test
        void aBookmarkServesAsIncrementalSourceWhenItsSnapshotIsGone() {
            Plan plan = plan(with(options(), "no-snapshot"), States.under("tank/a").fs("tank/a", 0, false)
                    .bookmark("tank/a", "mark", 5).snap("tank/a", "s9", 9),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s5", 5));
            assertThat(sends(only(plan))).singleElement().satisfies(s -> {
                assertThat(s.from()).isEqualTo("tank/a#mark");
                assertThat(s.intermediates()).as("-I cannot start at a bookmark").isFalse();
                assertThat(s.snapshot()).isEqualTo("s9");
            });
        }

        @Test
        void aSnapshotIsPreferredOverABookmarkWithTheSameGuid() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).bookmark("tank/a", "mark", 5)
                    .snap("tank/a", "s5", 5).snap("tank/a", "s9", 9),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "s5", 5));
            assertThat(sends(only(plan)).get(0).from()).isEqualTo("tank/a@s5");
        }
    }

    @Nested
    class Refusals {
        @Test
        void targetWithZeroSnapshotsIsRefusedNamingForceOverwrite() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", "s1", 1),
                    States.under("backup/a").fs("backup/a"));
            DatasetPlan p = only(plan);
            assertThat(p.action()).isEqualTo(Action.REFUSED);
            assertThat(p.refusal().orElseThrow().message()).contains("has no snapshots", "--force-overwrite");
            assertThat(plan.snapshotDatasets()).as("no snapshot for a refused dataset").isEmpty();
        }

        @Test
        void noCommonSnapshotIsRefusedAndForceOverwriteReplacesTheTarget() {
            States source = States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "s1", 1);
            States target = States.under("backup/a").fs("backup/a").snap("backup/a", "x", 50);
            DatasetPlan refused = only(plan(options(), source, target));
            assertThat(refused.refusal().orElseThrow().message()).contains("shares no snapshot", "--force-overwrite");
            DatasetPlan forced = only(plan(with(options(), "force-overwrite"), source, target));
            assertThat(forced.steps().get(0)).isEqualTo(new Step.DestroyTargetSnapshots(DatasetName.of("backup/a"),
                    List.of("x")));
            assertThat(sends(forced).get(0).full()).isTrue();
            assertThat(sends(forced).get(0).receiveFlags().force()).isTrue();
        }

        @Test
        void targetWithNewerSnapshotsIsRefusedAndRollbackRollsItBack() {
            States source = States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "s1", 1).snap("tank/a", "s2", 2);
            States target = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1)
                    .snap("backup/a", "local", 77);
            DatasetPlan refused = only(plan(options(), source, target));
            assertThat(refused.refusal().orElseThrow().kind()).isEqualTo(Refusal.Kind.DIVERGED);
            assertThat(refused.refusal().orElseThrow().message()).contains("newer than the common snapshot @s1",
                    "--rollback");
            DatasetPlan rolled = only(plan(with(options(), "rollback"), source, target));
            assertThat(rolled.steps().get(0)).isEqualTo(new Step.Rollback(DatasetName.of("backup/a"), "s1",
                    List.of("local")));
            assertThat(sends(rolled).get(0).from()).isEqualTo("tank/a@s1");
        }

        @Test
        void modifiedTargetIsRefusedAndRollbackReceivesWithForce() {
            States source = States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "s1", 1).snap("tank/a", "s2", 2);
            States target = States.under("backup/a").fs("backup/a", 8192, false).snap("backup/a", "s1", 1);
            assertThat(only(plan(options(), source, target)).refusal().orElseThrow().message())
                    .contains("was modified", "--rollback");
            Step.Send send = sends(only(plan(with(options(), "rollback"), source, target))).get(0);
            assertThat(send.receiveFlags().force()).isTrue();
        }
    }

    @Nested
    class Cleanup {
        @Test
        void aSyncSnapshotRenamedOnTheSourceToPinItKeepsItsCopyOnTheTarget() {
            // The user renamed our snapshot to "pinned" on the source; on the target it still has our name.
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "pinned", 7),
                    States.under("backup/a").fs("backup/a").snap("backup/a", OWN, 7));
            DatasetPlan p = only(plan);
            assertThat(p.cleanupTarget()).as("the only snapshot the two sides share").doesNotContain(OWN);
        }

        @Test
        void aBookmarkAsTheOnlyBaseKeepsTheTargetsSnapshotWithItsGuid() {
            Plan plan = plan(with(options(), "no-snapshot"), States.under("tank/a").fs("tank/a", 0, false)
                    .bookmark("tank/a", "mine", 7), States.under("backup/a").fs("backup/a").snap("backup/a", OWN, 7));
            assertThat(only(plan).cleanupTarget()).doesNotContain(OWN);
        }

        @Test
        void aJobsOwnSnapshotsOnTheTargetAreNeverTakenForAnotherTargetsOrphans() {
            String job = "zfs-sync_job.home_20261120T000000Z";
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", OWN, 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", job, 3).snap("backup/a", OWN, 1));
            assertThat(only(plan).cleanupTarget()).doesNotContain(job);
        }

        @Test
        void holdsCoverEveryIntermediateOfTheStream() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", OWN, 1)
                    .snap("tank/a", "u1", 2).snap("tank/a", "u2", 3), States.under("backup/a").fs("backup/a")
                    .snap("backup/a", OWN, 1));
            assertThat(only(plan).holds()).containsExactly(OWN, "u1", "u2", NEW);
        }

        @Test
        void thisTargetsCursorsAreListedForReplacementAndNoOneElses() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", OWN, 1)
                    .bookmark("tank/a", NAMING.cursorName(1), 1).bookmark("tank/a", "zfs-sync_offsite_cursor_0000000000000001", 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", OWN, 1));
            assertThat(only(plan).cursors()).containsExactly(NAMING.cursorName(1));
        }

        @Test
        void destroysOnlyOurOlderSyncSnapshotsNeverTheNewestCommonUserOrHeldOnes() {
            String ours1 = "zfs-sync_nas_20260101T000000Z";
            String ours2 = "zfs-sync_nas_20260102T000000Z";
            String held = "zfs-sync_nas_20260103T000000Z";
            String otherTarget = "zfs-sync_nas2_20260101T000000Z";
            String lookalike = "zfs-sync_nas_manual";
            States source = States.under("tank/a").fs("tank/a", 10, false).snap("tank/a", ours1, 1)
                    .snap("tank/a", otherTarget, 2).snap("tank/a", lookalike, 3).snap("tank/a", held, 4, 1)
                    .snap("tank/a", ours2, 5);
            States target = States.under("backup/a").fs("backup/a").snap("backup/a", ours1, 1)
                    .snap("backup/a", otherTarget, 2).snap("backup/a", lookalike, 3).snap("backup/a", held, 4, 1)
                    .snap("backup/a", ours2, 5);
            DatasetPlan p = only(plan(options(), source, target));
            assertThat(sends(p).get(0).from()).isEqualTo("tank/a@" + ours2);
            assertThat(p.cleanupSource()).containsExactly(ours1, ours2);
            assertThat(p.cleanupTarget()).containsExactly(ours1, ours2);
        }

        @Test
        void upToDateKeepsTheNewestCommonEvenIfItIsOurs() {
            String ours = "zfs-sync_nas_20260101T000000Z";
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", ours, 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", ours, 1)));
            assertThat(p.cleanupSource()).isEmpty();
            assertThat(p.cleanupTarget()).isEmpty();
        }

        @Test
        void oursArrivingWithTheIntermediateStreamAreCleanedOnTheTargetToo() {
            String old1 = "zfs-sync_nas_20260101T000000Z";
            String old2 = "zfs-sync_nas_20260102T000000Z";
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "u", 1)
                    .snap("tank/a", old1, 2).snap("tank/a", old2, 3).snap("tank/a", "v", 4),
                    States.under("backup/a")));
            assertThat(p.cleanupSource()).containsExactly(old1, old2);
            assertThat(p.cleanupTarget()).containsExactly(old1, old2);
        }

        @Test
        void keepSyncSnapshotsKeepsThem() {
            DatasetPlan p = only(plan(with(options(), "keep"), States.under("tank/a").fs("tank/a", 1, false)
                    .snap("tank/a", "zfs-sync_nas_20260101T000000Z", 1),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "zfs-sync_nas_20260101T000000Z", 1)));
            assertThat(p.cleanupSource()).isEmpty();
            assertThat(p.cleanupTarget()).isEmpty();
        }
    }

    @Nested
    class Trees {
        States sourceTree() {
            return States.under("tank/t").fs("tank/t", 0, false).snap("tank/t", OWN, 1)
                    .fs("tank/t/a", 100, false).snap("tank/t/a", OWN, 2)
                    .fs("tank/t/a/x", 0, false).snap("tank/t/a/x", OWN, 3)
                    .fs("tank/t/cache", 100, false).snap("tank/t/cache", OWN, 4)
                    .fs("tank/t/cache/deep", 0, false).snap("tank/t/cache/deep", OWN, 5);
        }

        States targetTree() {
            return States.under("backup/t").fs("backup/t").snap("backup/t", OWN, 1)
                    .fs("backup/t/a").snap("backup/t/a", OWN, 2)
                    .fs("backup/t/a/x").snap("backup/t/a/x", OWN, 3)
                    .fs("backup/t/cache").snap("backup/t/cache", OWN, 4)
                    .fs("backup/t/cache/deep").snap("backup/t/cache/deep", OWN, 5);
        }

        @Test
        void onlyChangedDatasetsAreSnapshottedInOneAtomicCommandAndSent() {
            Plan plan = plan(with(options(), "recursive"), sourceTree(), targetTree());
            assertThat(plan.snapshotDatasets()).extracting(DatasetName::value).containsExactly("tank/t/a", "tank/t/cache");
            assertThat(plan.datasets()).extracting(DatasetPlan::action).containsExactly(Action.UP_TO_DATE,
                    Action.INCREMENTAL, Action.UP_TO_DATE, Action.INCREMENTAL, Action.UP_TO_DATE);
        }

        @Test
        void parentsComeBeforeChildrenAndTargetsMirrorTheTree() {
            Plan plan = plan(with(options(), "recursive"), sourceTree(), States.under("backup/t"));
            assertThat(plan.datasets()).extracting(d -> d.target().value()).containsExactly("backup/t", "backup/t/a",
                    "backup/t/a/x", "backup/t/cache", "backup/t/cache/deep");
            assertThat(plan.datasets().get(0).steps().get(0)).isInstanceOf(Step.CreateParent.class);
            assertThat(plan.datasets().get(1).steps().get(0)).isInstanceOf(Step.Send.class);
        }

        @Test
        void excludePrunesTheWholeSubtree() {
            SyncOptions o = with(options(), "recursive");
            o = new SyncOptions(true, List.of(Glob.of("cache")), o.takeSnapshot(), o.noStream(), o.sendFlags(),
                    o.receiveFlags(), o.rollback(), o.forceOverwrite(), o.keepSyncSnapshots(), o.naming());
            Plan plan = plan(o, sourceTree(), targetTree());
            assertThat(plan.datasets()).extracting(d -> d.source().value()).containsExactly("tank/t", "tank/t/a",
                    "tank/t/a/x");
            SyncOptions byFullName = new SyncOptions(true, List.of(Glob.of("tank/t/*/x")), o.takeSnapshot(),
                    o.noStream(), o.sendFlags(), o.receiveFlags(), false, false, false, o.naming());
            assertThat(plan(byFullName, sourceTree(), targetTree()).datasets()).extracting(d -> d.source().value())
                    .doesNotContain("tank/t/a/x").contains("tank/t/cache/deep");
        }

        @Test
        void includeKeepsMatchingSubtreesAndTheDatasetsAboveThemAndExcludeStillWins() {
            SyncOptions o = with(options(), "recursive");
            SyncOptions deep = new SyncOptions(true, List.of(), o.takeSnapshot(), o.noStream(), o.sendFlags(),
                    o.receiveFlags(), false, false, false, o.naming(), List.of(Glob.of("cache/deep")));
            assertThat(plan(deep, sourceTree(), targetTree()).datasets()).extracting(d -> d.source().value())
                    .as("the root and tank/t/cache are kept so that cache/deep has a parent to be received into")
                    .containsExactly("tank/t", "tank/t/cache", "tank/t/cache/deep");
            SyncOptions subtree = new SyncOptions(true, List.of(Glob.of("a/x")), o.takeSnapshot(), o.noStream(),
                    o.sendFlags(), o.receiveFlags(), false, false, false, o.naming(), List.of(Glob.of("a")));
            assertThat(plan(subtree, sourceTree(), targetTree()).datasets()).extracting(d -> d.source().value())
                    .containsExactly("tank/t", "tank/t/a");
        }

        @Test
        void nonRecursiveTakesOnlyTheRoot() {
            Plan plan = plan(options(), sourceTree(), targetTree());
            assertThat(plan.datasets()).extracting(d -> d.source().value()).containsExactly("tank/t");
        }
    }

    /** One source, several targets: each target's base must survive the others' cleanups. */
    @Nested
    class FanOut {
        static final String OTHER_OLD = "zfs-sync_offsite_20261123T100000Z";
        static final String OTHER_NEW = "zfs-sync_offsite_20261124T090000Z";

        @Test
        void anotherTargetsSnapshotBeingNewestStillGetsThisTargetItsOwn() {
            // Nothing written since offsite's sync took its snapshot: nas still needs a base of its own.
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "zfs-sync_nas_20261123T100000Z", 1)
                    .snap("tank/a", OTHER_NEW, 2), States.under("backup/a").fs("backup/a")
                    .snap("backup/a", "zfs-sync_nas_20261123T100000Z", 1));
            assertThat(plan.snapshotDatasets()).extracting(DatasetName::value).containsExactly("tank/a");
            assertThat(sends(only(plan))).singleElement().satisfies(s -> assertThat(s.snapshot()).isEqualTo(NEW));
            assertThat(only(plan).cleanupSource()).as("only our own older one").containsExactly("zfs-sync_nas_20261123T100000Z");
        }

        @Test
        void nothingWrittenSinceThisTargetsBaseIsUpToDateDespiteAnotherTargetsNewerSnapshot() {
            String base = "zfs-sync_nas_20261123T100000Z";
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", base, 1)
                    .snap("tank/a", OTHER_NEW, 2, 0, 0), States.under("backup/a").fs("backup/a").snap("backup/a", base, 1));
            assertThat(plan.snapshotDatasets()).isEmpty();
            assertThat(only(plan).action()).isEqualTo(Action.UP_TO_DATE);
            assertThat(only(plan).steps()).isEmpty();
            assertThat(only(plan).cleanupSource()).as("the base stays").isEmpty();
            assertThat(only(plan).cleanupTarget()).isEmpty();
        }

        @Test
        void anEmptyUserSnapshotAfterTheBaseIsStillSent() {
            String base = "zfs-sync_nas_20261123T100000Z";
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", base, 1)
                    .snap("tank/a", OTHER_NEW, 2, 0, 0).snap("tank/a", "manual", 3, 0, 0),
                    States.under("backup/a").fs("backup/a").snap("backup/a", base, 1));
            // The user's snapshot is carried inside the stream, with one of ours on top as the new base.
            assertThat(plan.snapshotDatasets()).extracting(DatasetName::value).containsExactly("tank/a");
            assertThat(sends(only(plan))).singleElement().satisfies(s -> {
                assertThat(s.snapshot()).isEqualTo(NEW);
                assertThat(s.intermediates()).isTrue();
            });
            assertThat(only(plan).holds()).containsExactly(base, OTHER_NEW, "manual", NEW);
        }

        @Test
        void otherTargetsSnapshotsOrphanedOnTheTargetAreCleanedButNotWhileTheSourceHasThem() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false)
                    .snap("tank/a", "zfs-sync_nas_20261123T100000Z", 1).snap("tank/a", OTHER_NEW, 3),
                    States.under("backup/a").fs("backup/a").snap("backup/a", "manual", 7).snap("backup/a", OTHER_OLD, 9)
                            .snap("backup/a", "zfs-sync_nas_20261123T100000Z", 1));
            DatasetPlan p = only(plan);
            assertThat(p.cleanupTarget()).contains(OTHER_OLD).doesNotContain(OTHER_NEW, "manual");
        }
    }

    @Nested
    class Resume {
        /** The real token of ResumeTokenTest: a full send of tok/a@s1, guid 0x33d02df53b84cb1e, not raw. */
        static final String TOKEN = org.zfssync.testing.Tokens.FULL_S1;
        static final long TO_GUID = 0x33d02df53b84cb1eL;

        States target(boolean withSnapshot) {
            States t = States.under("backup/a").dataset("backup/a", 0, false, java.util.Optional.of(TOKEN));
            return withSnapshot ? t.snap("backup/a", "s0", 5) : t;
        }

        @Test
        void aTokenThatStillFitsIsResumedFirstThenTheRestIsIncremental() {
            Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 1, false).snap("tank/a", "s1", TO_GUID),
                    target(false));
            DatasetPlan p = only(plan);
            assertThat(p.steps().get(0)).isInstanceOf(Step.ResumeSend.class);
            assertThat(((Step.ResumeSend) p.steps().get(0)).token().toGuid()).isEqualTo(TO_GUID);
            assertThat(sends(p)).singleElement().satisfies(s -> {
                assertThat(s.from()).isEqualTo("tank/a@s1");
                assertThat(s.snapshot()).isEqualTo(NEW);
            });
        }

        @Test
        void resumeAloneWhenTheResumedSnapshotIsTheNewest() {
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, false)
                    .snap("tank/a", OWN, TO_GUID), target(false)));
            assertThat(p.steps()).singleElement().isInstanceOf(Step.ResumeSend.class);
            assertThat(p.action()).isEqualTo(Action.INCREMENTAL);
        }

        @Test
        void aTokenWhoseSnapshotIsGoneIsDiscardedSayingWhyAndTheTargetStartsOver() {
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "s2", 77),
                    target(false)));
            assertThat(p.steps().get(0)).isInstanceOfSatisfying(Step.AbortResume.class, a ->
                    assertThat(a.reason()).contains("discarding the partial receive of tok/a@s1",
                            "no longer exists on the source"));
            assertThat(p.action()).isEqualTo(Action.FULL);
            assertThat(sends(p).get(0).full()).isTrue();
        }

        @Test
        void aNonRawTokenIsDiscardedWhenThisRunSendsRaw() {
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, true)
                    .snap("tank/a", "s1", TO_GUID), target(false)));
            assertThat(p.steps().get(0)).isInstanceOfSatisfying(Step.AbortResume.class, a ->
                    assertThat(a.reason()).contains("non-raw send and this run sends raw"));
        }

        @Test
        void anIncrementalTargetKeepsItsSnapshotsAfterADiscard() {
            DatasetPlan p = only(plan(options(), States.under("tank/a").fs("tank/a", 0, false).snap("tank/a", "s0", 5)
                    .snap("tank/a", "s2", 77), target(true)));
            assertThat(p.steps().get(0)).isInstanceOf(Step.AbortResume.class);
            assertThat(sends(p)).singleElement().satisfies(s -> assertThat(s.from()).isEqualTo("tank/a@s0"));
        }
    }

    @Test
    void aNameThatExistsAlreadyMovesOnASecond() {
        Plan plan = plan(options(), States.under("tank/a").fs("tank/a", 5, false).snap("tank/a", NEW, 1),
                States.under("backup/a").fs("backup/a").snap("backup/a", NEW, 1));
        assertThat(plan.snapshotName()).contains("zfs-sync_nas_20261124T100001Z");
    }

    @Test
    void tableOfOutcomes() {
        record Case(String name, States source, States target, SyncOptions options, Action expected) {
        }
        List<Case> cases = List.of(
                new Case("new target", States.under("p/a").fs("p/a", 1, false), States.under("q/a"), options(),
                        Action.FULL),
                new Case("up to date", States.under("p/a").fs("p/a").snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 1), options(), Action.UP_TO_DATE),
                new Case("changed", States.under("p/a").fs("p/a", 1, false).snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 1), options(), Action.INCREMENTAL),
                new Case("behind", States.under("p/a").fs("p/a").snap("p/a", OWN, 1).snap("p/a", "t", 2),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 1), with(options(), "no-snapshot"),
                        Action.INCREMENTAL),
                new Case("diverged", States.under("p/a").fs("p/a").snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 1).snap("q/a", "x", 3), options(),
                        Action.REFUSED),
                new Case("diverged+rollback", States.under("p/a").fs("p/a").snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 1).snap("q/a", "x", 3),
                        with(options(), "rollback"), Action.UP_TO_DATE),
                new Case("no common", States.under("p/a").fs("p/a").snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 2), options(), Action.REFUSED),
                new Case("no common+force", States.under("p/a").fs("p/a").snap("p/a", OWN, 1),
                        States.under("q/a").fs("q/a").snap("q/a", OWN, 2), with(options(), "force-overwrite"),
                        Action.FULL));
        Map<String, Action> actual = new java.util.LinkedHashMap<>();
        Map<String, Action> expected = new java.util.LinkedHashMap<>();
        for (Case c : cases) {
            TreeState s = c.source().build();
            actual.put(c.name(), only(new Planner(c.options()).plan(s, c.target().build(), NOW)).action());
            expected.put(c.name(), c.expected());
        }
        assertThat(actual).containsExactlyEntriesOf(expected);
    }
}
