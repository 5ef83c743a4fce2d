package org.zfssync.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.replication.SnapshotNaming;
import org.zfssync.testing.FakeTokens;
import org.zfssync.testing.States;
import org.zfssync.zfs.TreeState;

class ComparisonTest {
    private static final SnapshotNaming NAMING = new SnapshotNaming("zfs-sync", "t1", SnapshotNaming.DEFAULT_TEMPLATE);

    private static VerifyReport compare(States source, States target, boolean recursive,
                                        Map<String, List<String>> holds) {
        return new Comparison(NAMING).compare("tank/a", "backup/a", source.build(), target.build(), recursive, holds);
    }

    private static Verdict only(States source, States target) {
        VerifyReport report = compare(source, target, false, Map.of());
        assertThat(report.datasets()).hasSize(1);
        return report.datasets().get(0);
    }

    @Test
    void aReplicaWithEverySnapshotIsEqualAndNamesTheNewestCommonOne() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1).snap("tank/a", "s2", 2);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "s2", 2);
        VerifyReport report = compare(src, dst, false, Map.of());
        Verdict v = report.datasets().get(0);
        assertThat(v.status()).isEqualTo(Verdict.Status.EQUAL);
        assertThat(v.newestCommon().sourceName()).isEqualTo("s2");
        assertThat(v.newestCommon().guid()).isEqualTo("0000000000000002");
        assertThat(v.commonSnapshots()).isEqualTo(2);
        assertThat(v.lagSeconds()).isZero();
        assertThat(v.targetLacks()).isEmpty();
        assertThat(v.targetExtra()).isEmpty();
        assertThat(v.differences()).isEmpty();
        assertThat(report.exitCode()).isEqualTo(VerifyReport.EQUAL);
    }

    @Test
    void aSnapshotNewerThanTheNewestCommonOneThatTheTargetLacksIsADifferenceByName() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1).snap("tank/a", "s2", 2)
                .snap("tank/a", "s3", 3);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1);
        VerifyReport report = compare(src, dst, false, Map.of());
        Verdict v = report.datasets().get(0);
        assertThat(v.status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(v.targetLacks()).containsExactly("s2", "s3");
        assertThat(v.differences()).singleElement().asString().contains("lacks 2 snapshot(s)").contains("@s2, @s3")
                .contains("newest common @s1");
        // States gives creation = 1_700_000_000 + createtxg, 10 txgs apart: s3 is 20 s newer than s1.
        assertThat(v.lagSeconds()).isEqualTo(20);
        assertThat(report.exitCode()).isEqualTo(VerifyReport.DIFFERENT);
    }

    @Test
    void olderSnapshotsPrunedOnEitherSideAreNotesNotDifferences() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "old", 1).snap("tank/a", "s2", 2);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "kept", 9).snap("backup/a", "s2", 2);
        Verdict v = only(src, dst);
        assertThat(v.status()).isEqualTo(Verdict.Status.EQUAL);
        assertThat(v.targetLacks()).containsExactly("old");
        assertThat(v.targetExtra()).containsExactly("kept");
        assertThat(v.notes()).anyMatch(n -> n.contains("lacks 1 older snapshot(s)") && n.contains("@old"))
                .anyMatch(n -> n.contains("keeps 1 snapshot(s) the source no longer has") && n.contains("@kept"));
    }

    @Test
    void aTargetSnapshotAfterTheNewestCommonOneIsADivergence() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "mine", 7);
        Verdict v = only(src, dst);
        assertThat(v.status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(v.targetExtra()).containsExactly("mine");
        assertThat(v.differences()).singleElement().asString().contains("diverged").contains("@mine");
    }

    @Test
    void noCommonSnapshotAndASameNameWithAnotherGuidAreDifferences() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 99);
        Verdict v = only(src, dst);
        assertThat(v.status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(v.newestCommon()).isNull();
        assertThat(v.lagSeconds()).isNull();
        assertThat(v.differences()).anyMatch(d -> d.contains("@s1 is a different snapshot on each side")
                        && d.contains("0000000000000001") && d.contains("0000000000000063"))
                .anyMatch(d -> d.contains("no common snapshot"));
    }

    @Test
    void bothSidesWithoutSnapshotsHaveNothingToCompare() {
        Verdict v = only(States.under("tank/a").fs("tank/a"), States.under("backup/a").fs("backup/a"));
        assertThat(v.status()).isEqualTo(Verdict.Status.EQUAL);
        assertThat(v.notes()).anyMatch(n -> n.contains("nothing to compare"));
    }

    @Test
    void aTargetWrittenToSinceItsNewestSnapshotIsADifference() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1);
        States dst = States.under("backup/a").fs("backup/a", 4096, false).snap("backup/a", "s1", 1);
        Verdict v = only(src, dst);
        assertThat(v.status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(v.differences()).singleElement().asString().contains("changed since its newest snapshot @s1")
                .contains("4096 bytes");
    }

    @Test
    void aRenamedCommonSnapshotIsMatchedByGuidAndBothNamesAreGiven() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "renamed", 1);
        Verdict v = only(src, dst);
        assertThat(v.status()).isEqualTo(Verdict.Status.EQUAL);
        assertThat(v.newestCommon().targetName()).isEqualTo("renamed");
        assertThat(v.notes()).anyMatch(n -> n.contains("renamed; same GUID"));
    }

    @Test
    void aPendingResumeIsReportedWithItsSnapshot() {
        String token = FakeTokens.token(2, "tank/a@s2", 1, 12345, false, false, false, false);
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1).snap("tank/a", "s2", 2);
        States dst = States.under("backup/a").dataset("backup/a", 0, false, Optional.of(token))
                .snap("backup/a", "s1", 1);
        Verdict v = only(src, dst);
        assertThat(v.resume()).contains("tank/a@s2").contains("12345 bytes");
        assertThat(v.notes()).anyMatch(n -> n.contains("partial receive is pending"));
        assertThat(v.targetLacks()).containsExactly("s2");
    }

    @Test
    void holdsAreListedAndOnlyThisTargetsTagIsOursAndCursorsSayWhatTheyMark() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1, 2).snap("tank/a", "s2", 2)
                .bookmark("tank/a", NAMING.cursorName(2), 2).bookmark("tank/a", NAMING.cursorName(5), 5)
                .bookmark("tank/a", "zfs-sync_other_cursor_0000000000000002", 2);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).snap("backup/a", "s2", 2);
        VerifyReport report = compare(src, dst, false, Map.of("tank/a@s1", List.of("zfs-sync_t1", "keep")));
        Verdict v = report.datasets().get(0);
        assertThat(v.holds()).containsExactly(new Hold("tank/a@s1", "zfs-sync_t1", true),
                new Hold("tank/a@s1", "keep", false));
        assertThat(v.cursors()).hasSize(2);
        assertThat(v.cursors().get(0)).contains("marks @s2 on the target");
        assertThat(v.cursors().get(1)).contains("does not hold");
        assertThat(v.notes()).anyMatch(n -> n.contains("hold zfs-sync_t1 on tank/a@s1"));
        assertThat(v.status()).isEqualTo(Verdict.Status.EQUAL);
    }

    @Test
    void inATreeAMissingChildIsADifferenceAndATargetOnlyDatasetIsListed() {
        States src = States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1).fs("tank/a/b").snap("tank/a/b", "s1", 2)
                .volume("tank/a/v").snap("tank/a/v", "s1", 3);
        States dst = States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1).volume("backup/a/v")
                .snap("backup/a/v", "s1", 3).fs("backup/a/old");
        VerifyReport report = compare(src, dst, true, Map.of());
        assertThat(report.datasets()).extracting(Verdict::source).containsExactly("tank/a", "tank/a/b", "tank/a/v");
        assertThat(report.datasets().get(1).status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(report.datasets().get(1).differences()).singleElement().asString()
                .contains("missing on the target: backup/a/b");
        assertThat(report.datasets().get(2).type()).isEqualTo("volume");
        assertThat(report.datasets().get(2).status()).isEqualTo(Verdict.Status.EQUAL);
        assertThat(report.targetOnly()).containsExactly("backup/a/old");

        VerifyReport single = compare(src, dst, false, Map.of());
        assertThat(single.datasets()).extracting(Verdict::source).containsExactly("tank/a");
        assertThat(single.targetOnly()).isEmpty();
    }

    @Test
    void aTypeMismatchIsADifference() {
        Verdict v = only(States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1),
                States.under("backup/a").volume("backup/a").snap("backup/a", "s1", 1));
        assertThat(v.differences()).singleElement().asString().contains("the target is a volume, the source a filesystem");
    }

    @Test
    void aMissingSourceCannotBeCompared() {
        TreeState none = TreeState.absent(org.zfssync.zfs.DatasetName.of("tank/a"));
        assertThatThrownBy(() -> new Comparison(NAMING).compare("tank/a", "backup/a", none,
                States.under("backup/a").fs("backup/a").build(), false, Map.of()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void aContentDifferenceMakesADatasetDifferentAndAnUnreadableOneUncheckedUnlessADifferenceWasFound() {
        Verdict equal = only(States.under("tank/a").fs("tank/a").snap("tank/a", "s1", 1),
                States.under("backup/a").fs("backup/a").snap("backup/a", "s1", 1));
        Verdict differs = equal.withDeep(new DeepResult("files of @s1", false, "x", "y",
                List.of("dir/f: content differs (source vs target)"), null));
        assertThat(differs.status()).isEqualTo(Verdict.Status.DIFFERENT);
        assertThat(differs.differences()).containsExactly("content: dir/f: content differs (source vs target)");
        Verdict unread = equal.withDeep(DeepResult.unchecked("files of @s1", "reading it on h failed: boom"));
        assertThat(unread.status()).isEqualTo(Verdict.Status.UNCHECKED);
        assertThat(unread.notes()).anyMatch(n -> n.contains("content not checked: reading it on h failed"));
        assertThat(equal.withDeep(new DeepResult("files of @s1", true, "x", "x", List.of(), null)).status())
                .isEqualTo(Verdict.Status.EQUAL);

        assertThat(new VerifyReport("s", "t", true, List.of(equal, unread), List.of()).exitCode())
                .isEqualTo(VerifyReport.UNCHECKED);
        assertThat(new VerifyReport("s", "t", true, List.of(unread, differs), List.of()).exitCode())
                .as("a proven difference wins over an unchecked dataset").isEqualTo(VerifyReport.DIFFERENT);
    }
}
