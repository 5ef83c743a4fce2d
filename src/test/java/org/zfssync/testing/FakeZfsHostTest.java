package org.zfssync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Pipeline;
import org.zfssync.replication.Transfer;
import org.zfssync.replication.TransferFailedException;
import org.zfssync.replication.TransferPipeline;
import org.zfssync.zfs.DatasetName;
import org.zfssync.zfs.DatasetState;
import org.zfssync.zfs.ReceiveFlags;
import org.zfssync.zfs.ResumeToken;
import org.zfssync.zfs.SendFlags;
import org.zfssync.zfs.TreeState;
import org.zfssync.zfs.Zfs;
import org.zfssync.zfs.ZfsCommands;

/** The fake answers as OpenZFS does, for the commands and the failure texts zfs-sync relies on. */
class FakeZfsHostTest {
    private static final DatasetName A = DatasetName.of("tank/a");
    private static final DatasetName B = DatasetName.of("backup/a");

    private static FakeZfsHost source() {
        FakeZfsHost src = new FakeZfsHost("src").pool("tank").create("tank/a");
        for (String s : List.of("s1", "s2", "s3", "s4")) {
            src.write("tank/a", 10_000);
            src.snapshot("tank/a", s);
        }
        return src;
    }

    private static FakeZfsHost target() {
        return new FakeZfsHost("nas").pool("backup");
    }

    private static long transfer(FakeZfsHost src, FakeZfsHost dst, Command send, ReceiveFlags flags) {
        return new Transfer(src, dst, Duration.ofSeconds(30), null).run(new TransferPipeline(Pipeline.of(send),
                Pipeline.of(ZfsCommands.receive(flags, B))));
    }

    private static Command send(String from, boolean intermediates, String snapshot) {
        return ZfsCommands.send(SendFlags.none(), from, intermediates, snapshot);
    }

    @Nested
    class Listing {
        @Test
        void readsBackThroughTheRealParserWithUnsignedGuidsInCreationOrder() {
            FakeZfsHost src = source().create("tank/a/child").hold("t", "tank/a@s2").bookmark("tank/a@s1", "b1");
            src.write("tank/a", 5);
            TreeState state = new Zfs(src).list(A, true);
            DatasetState a = state.get(A);
            assertThat(a.snapshots()).extracting(s -> s.name()).containsExactly("s1", "s2", "s3", "s4");
            assertThat(a.snapshots()).extracting(s -> s.guid()).containsExactlyElementsOf(src.snapshotGuids("tank/a"));
            assertThat(a.snapshots().get(1).userrefs()).isEqualTo(1);
            assertThat(a.snapshots().get(0).written()).isEqualTo(10_000);
            assertThat(a.dataset().written()).isEqualTo(5);
            assertThat(a.bookmarks()).singleElement().satisfies(b -> {
                assertThat(b.guid()).isEqualTo(src.guid("tank/a@s1"));
                assertThat(b.createtxg()).isEqualTo(a.snapshots().get(0).createtxg());
            });
            assertThat(state.get(DatasetName.of("tank/a/child"))).isNotNull();
            // Some GUIDs are above 2^63: printed unsigned, read back as the same 64 bits.
            assertThat(src.snapshotGuids("tank/a")).anyMatch(g -> g < 0);
        }

        @Test
        void depthOneShowsTheChildrenButNotTheirSnapshots() {
            FakeZfsHost src = source().create("tank/a/child");
            src.snapshot("tank/a/child", "c1");
            TreeState state = new Zfs(src).list(A, false);
            assertThat(state.get(A).snapshots()).hasSize(4);
            assertThat(state.get(DatasetName.of("tank/a/child")).snapshots()).isEmpty();
        }

        @Test
        void aMissingRootIsAnAbsentTree() {
            CommandResult r = target().run(ZfsCommands.list(B, true));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).isEqualTo("cannot open 'backup/a': dataset does not exist\n");
            assertThat(new Zfs(target()).list(B, true).rootExists()).isFalse();
        }

        @Test
        void versionAndPropertiesAnswerLikeZfs() {
            FakeZfsHost src = source();
            assertThat(new Zfs(src).version().atLeast(2, 3)).isTrue();
            assertThat(src.run(ZfsCommands.getProperty(A, "receive_resume_token")).stdout()).isEqualTo("-\n");
        }
    }

    @Nested
    class ResumeTokens {
        @Test
        void rebuildsTheCapturedTokenByteForByte() {
            String built = FakeTokens.token(3733534622378937118L, "tok/a@s1", 0, 2, 0xc0000, 0xe1288,
                    false, false, false, false);
            assertThat(built).isEqualTo(org.zfssync.testing.Tokens.FULL_S1);
        }

        @Test
        void anIncrementalRawTokenDecodesWithItsFields() {
            ResumeToken t = ResumeToken.decode(FakeTokens.token(-5L, "tank/a@s3", 77, 1234, true, true, false, true));
            assertThat(t.toGuid()).isEqualTo(-5L);
            assertThat(t.fromGuid()).isEqualTo(77);
            assertThat(t.toName()).isEqualTo("tank/a@s3");
            assertThat(t.bytes()).isEqualTo(1234);
            assertThat(t.raw()).isTrue();
            assertThat(t.compressed()).isTrue();
            assertThat(t.largeBlock()).isFalse();
            assertThat(t.embed()).isTrue();
        }
    }

    @Nested
    class ControlCommands {
        @Test
        void aSnapshotOfSeveralDatasetsIsAtomicAndInOneTxg() {
            FakeZfsHost src = source().create("tank/b");
            CommandResult bad = src.run(ZfsCommands.snapshot(List.of(A, DatasetName.of("tank/missing")), "x"));
            assertThat(bad.ok()).isFalse();
            assertThat(src.hasSnapshot("tank/a@x")).isFalse();
            assertThat(src.run(ZfsCommands.snapshot(List.of(A, DatasetName.of("tank/b")), "x")).ok()).isTrue();
            TreeState state = new Zfs(src).list(DatasetName.of("tank"), true);
            long txgA = state.get(A).newestSnapshot().createtxg();
            assertThat(state.get(DatasetName.of("tank/b")).newestSnapshot().createtxg()).isEqualTo(txgA);
            assertThat(txgA).isGreaterThan(state.get(A).snapshots().get(3).createtxg());
            assertThat(src.guid("tank/a@x")).isNotEqualTo(src.guid("tank/b@x"));
        }

        @Test
        void holdsAreCountedPerTagAndEachSnapshotIsHeldOnItsOwnAsTheCliDoes() {
            FakeZfsHost src = source();
            CommandResult r = src.run(ZfsCommands.hold("t", List.of("tank/a@s1", "tank/a@gone", "tank/a@s2")));
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stderr()).contains("cannot hold snapshot 'tank/a@gone': dataset does not exist");
            assertThat(src.holds("tank/a@s1")).containsExactly("t");
            assertThat(src.holds("tank/a@s2")).containsExactly("t");
            CommandResult again = src.run(ZfsCommands.hold("t", List.of("tank/a@s1")));
            assertThat(again.stderr()).contains("tag already exists on this dataset");
            src.run(ZfsCommands.hold("other", List.of("tank/a@s1")));
            assertThat(src.userrefs()).containsEntry("tank/a@s1", 2);
            CommandResult holds = src.run(ZfsCommands.holds(List.of("tank/a@s1", "tank/a@s2")));
            assertThat(ZfsCommands.parseHolds(holds.stdout(), "t")).containsExactly("tank/a@s1", "tank/a@s2");
            assertThat(src.run(ZfsCommands.release("t", List.of("tank/a@s1", "tank/a@s2"))).ok()).isTrue();
            assertThat(src.allHolds()).isEqualTo(Map.of("tank/a@s1", java.util.Set.of("other")));
            assertThat(src.run(ZfsCommands.release("t", List.of("tank/a@s1"))).stderr())
                    .contains("no such tag on this dataset");
        }

        @Test
        void holdsCanBeMadeAllOrNothing() {
            FakeZfsHost src = source().holdsAllOrNothing(true);
            assertThat(src.run(ZfsCommands.hold("t", List.of("tank/a@s1", "tank/a@gone"))).ok()).isFalse();
            assertThat(src.allHolds()).isEmpty();
        }

        @Test
        void aDestroyListIsAtomicSkipsMissingNamesAndIsBusyOnAHeldSnapshot() {
            FakeZfsHost src = source().hold("t", "tank/a@s2");
            CommandResult busy = src.run(ZfsCommands.destroySnapshots(A, List.of("s1", "s2")).get(0));
            assertThat(busy.exitCode()).isEqualTo(1);
            assertThat(busy.stderr()).isEqualTo("cannot destroy snapshot tank/a@s2: dataset is busy\n");
            assertThat(src.snapshots("tank/a")).containsExactly("s1", "s2", "s3", "s4");
            assertThat(src.run(ZfsCommands.destroySnapshots(A, List.of("s1", "nope", "s3")).get(0)).ok()).isTrue();
            assertThat(src.snapshots("tank/a")).containsExactly("s2", "s4");
            // What only a destroyed snapshot held is now the next one's.
            assertThat(new Zfs(src).list(A, false).get(A).snapshots().get(1).written()).isEqualTo(20_000);
        }

        @Test
        void aBookmarkKeepsTheGuidAndMayBeMadeFromAnotherBookmark() {
            FakeZfsHost src = source();
            assertThat(src.run(ZfsCommands.bookmark("tank/a@s2", A, "b")).ok()).isTrue();
            assertThat(src.run(ZfsCommands.bookmark("tank/a#b", A, "c")).ok()).isTrue();
            assertThat(src.guid("tank/a#c")).isEqualTo(src.guid("tank/a@s2"));
            assertThat(src.run(ZfsCommands.bookmark("tank/a@s3", A, "b")).stderr())
                    .isEqualTo("cannot create bookmark 'tank/a#b': bookmark exists\n");
            assertThat(src.run(ZfsCommands.destroyBookmark(A, "b")).ok()).isTrue();
            assertThat(src.bookmarks("tank/a")).containsExactly("c");
        }

        @Test
        void aControlCommandCanBeMadeToFailOnce() {
            FakeZfsHost src = source().failNext("zfs hold", 1, "cannot hold: permission denied\n");
            assertThat(src.run(ZfsCommands.hold("t", List.of("tank/a@s1"))).ok()).isFalse();
            assertThat(src.allHolds()).isEmpty();
            assertThat(src.run(ZfsCommands.hold("t", List.of("tank/a@s1"))).ok()).isTrue();
        }

        @Test
        void rollbackDestroysLaterSnapshotsUnlessOneIsHeld() {
            FakeZfsHost src = source().hold("t", "tank/a@s4");
            assertThat(src.run(ZfsCommands.rollback(A, "s2")).stderr()).contains("dataset is busy");
            src.run(ZfsCommands.release("t", List.of("tank/a@s4")));
            src.write("tank/a", 9);
            assertThat(src.run(ZfsCommands.rollback(A, "s2")).ok()).isTrue();
            assertThat(src.snapshots("tank/a")).containsExactly("s1", "s2");
            assertThat(new Zfs(src).list(A, false).get(A).dataset().written()).isZero();
        }
    }

    @Nested
    class Streams {
        @Test
        void aFullThenAnIntermediatesStreamCarryEverySnapshotWithItsGuid() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            long bytes = transfer(src, dst, send(null, false, "tank/a@s1"),
                    new ReceiveFlags(false, true, Map.of("readonly", "on"), List.of(), false));
            assertThat(bytes).isGreaterThan(10_000);
            assertThat(dst.property("backup/a", "readonly")).isEqualTo("on");
            transfer(src, dst, send("tank/a@s1", true, "tank/a@s4"), ReceiveFlags.none());
            assertThat(dst.snapshotGuids("backup/a")).isEqualTo(src.snapshotGuids("tank/a"));
            assertThat(dst.snapshots("backup/a")).containsExactly("s1", "s2", "s3", "s4");
        }

        @Test
        void aStreamThroughHelperStagesArrivesUnchanged() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            new Transfer(src, dst, Duration.ofSeconds(30), null).run(new TransferPipeline(
                    Pipeline.of(send(null, false, "tank/a@s3")).then(Command.reading("zstd", "-c")),
                    Pipeline.of(Command.reading("zstd", "-dc")).then(ZfsCommands.receive(ReceiveFlags.none(), B))));
            assertThat(dst.snapshotGuids("backup/a")).containsExactly(src.guid("tank/a@s3"));
        }

        @Test
        void anIncrementalFromAnotherBaseIsRefusedWithZfsWords() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            transfer(src, dst, send(null, false, "tank/a@s1"), ReceiveFlags.none());
            assertThatThrownBy(() -> transfer(src, dst, send("tank/a@s2", false, "tank/a@s3"), ReceiveFlags.none()))
                    .isInstanceOfSatisfying(TransferFailedException.class, e -> assertThat(e.failedStage().stderr())
                            .isEqualTo("cannot receive incremental stream: most recent snapshot of backup/a does not "
                                    + "match incremental source\n"));
            dst.write("backup/a", 1);
            assertThatThrownBy(() -> transfer(src, dst, send("tank/a@s1", false, "tank/a@s2"), ReceiveFlags.none()))
                    .hasMessageContaining("has been modified");
            // -F rolls the modification back.
            transfer(src, dst, send("tank/a@s1", false, "tank/a@s2"), ReceiveFlags.none().withForce(true));
            assertThat(dst.snapshots("backup/a")).containsExactly("s1", "s2");
        }

        @Test
        void aCutInsideTheKthSnapshotKeepsTheEarlierOnesAndAResumableToken() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            transfer(src, dst, send(null, false, "tank/a@s1"), ReceiveFlags.none());
            src.cutSendInside("tank/a", 2, 5000);
            assertThatThrownBy(() -> transfer(src, dst, send("tank/a@s1", true, "tank/a@s4"), ReceiveFlags.none()))
                    .isInstanceOfSatisfying(TransferFailedException.class, e -> {
                        assertThat(e.failedStage().host()).isEqualTo("src");
                        assertThat(e.failedStage().exitCode()).isEqualTo(255);
                    });
            assertThat(dst.snapshots("backup/a")).containsExactly("s1", "s2");
            ResumeToken token = ResumeToken.decode(dst.resumeToken("backup/a").orElseThrow());
            assertThat(token.toGuid()).isEqualTo(src.guid("tank/a@s3"));
            assertThat(token.fromGuid()).isEqualTo(src.guid("tank/a@s2"));
            assertThat(token.toName()).isEqualTo("tank/a@s3");
            assertThat(token.bytes()).isEqualTo(5000);
            assertThat(new Zfs(dst).list(B, false).get(B).dataset().resumeToken()).contains(token.text());

            // A new stream is refused while the partial state is there...
            assertThatThrownBy(() -> transfer(src, dst, send("tank/a@s2", true, "tank/a@s4"), ReceiveFlags.none()))
                    .hasMessageContaining("contains partially-complete state");
            // ...and the resumed one completes only the snapshot that was in flight.
            transfer(src, dst, ZfsCommands.sendResume(token.text()), ReceiveFlags.none());
            assertThat(dst.snapshotGuids("backup/a")).containsExactlyElementsOf(src.snapshotGuids("tank/a").subList(0, 3));
            assertThat(dst.resumeToken("backup/a")).isEmpty();
        }

        @Test
        void aCutFirstReceiveLeavesADatasetThatAbortRemoves() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            src.cutSend("tank/a", 3000);
            assertThatThrownBy(() -> transfer(src, dst, send(null, false, "tank/a@s2"), ReceiveFlags.none()))
                    .isInstanceOf(TransferFailedException.class);
            assertThat(dst.exists("backup/a")).isTrue();
            assertThat(dst.snapshots("backup/a")).isEmpty();
            assertThat(ResumeToken.decode(dst.resumeToken("backup/a").orElseThrow()).fromGuid()).isZero();
            assertThat(dst.run(ZfsCommands.receiveAbort(B)).ok()).isTrue();
            assertThat(dst.exists("backup/a")).isFalse();
            assertThat(dst.run(ZfsCommands.receiveAbort(B)).ok()).isFalse();
        }

        @Test
        void aResumeTokenNamesTheFlagsOfTheInterruptedSend() {
            FakeZfsHost src = new FakeZfsHost("src").pool("tank").createEncrypted("tank/a");
            src.write("tank/a", 50_000);
            src.snapshot("tank/a", "s1");
            FakeZfsHost dst = target();
            src.cutSend("tank/a", 20_000);
            assertThatThrownBy(() -> transfer(src, dst, ZfsCommands.send(SendFlags.none().withRaw(true), null, false,
                    "tank/a@s1"), ReceiveFlags.none())).isInstanceOf(TransferFailedException.class);
            ResumeToken token = ResumeToken.decode(dst.resumeToken("backup/a").orElseThrow());
            assertThat(token.raw()).isTrue();
            transfer(src, dst, ZfsCommands.sendResume(token.text()), ReceiveFlags.none());
            assertThat(dst.encrypted("backup/a")).isTrue();
            assertThat(dst.snapshotGuids("backup/a")).containsExactly(src.guid("tank/a@s1"));
        }

        @Test
        void faultsOnTheReceivingSide() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            dst.failReceive("backup/a", 1, "cannot receive: dataset is busy\n");
            assertThatThrownBy(() -> transfer(src, dst, send(null, false, "tank/a@s1"), ReceiveFlags.none()))
                    .isInstanceOfSatisfying(TransferFailedException.class, e -> assertThat(e.failedStage().stderr())
                            .isEqualTo("cannot receive: dataset is busy\n"));
            assertThat(dst.exists("backup/a")).isFalse();

            dst.loseReceiveStatus("backup/a");
            assertThatThrownBy(() -> transfer(src, dst, send(null, false, "tank/a@s1"), ReceiveFlags.none()))
                    .isInstanceOfSatisfying(TransferFailedException.class, e -> assertThat(e.failedStage().exitCode())
                            .isEqualTo(255));
            assertThat(dst.snapshots("backup/a")).containsExactly("s1");

            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            dst.onReceived("backup/a", 5000, () -> seen.add("half"));
            transfer(src, dst, send("tank/a@s1", true, "tank/a@s3"), ReceiveFlags.none());
            assertThat(seen).containsExactly("half");

            src.throwOnStart("tank/a", () -> new IllegalStateException("boom"));
            assertThatThrownBy(() -> transfer(src, dst, send("tank/a@s3", false, "tank/a@s4"), ReceiveFlags.none()))
                    .hasMessage("boom");
            // The receiver that was started first was killed and changed nothing.
            assertThat(dst.snapshots("backup/a")).containsExactly("s1", "s2", "s3");
            assertThat(dst.resumeToken("backup/a")).isEmpty();
        }

        @Test
        void theLogOrdersCommandsAcrossHosts() {
            FakeZfsHost src = source();
            FakeZfsHost dst = target();
            transfer(src, dst, send(null, false, "tank/a@s1"), ReceiveFlags.none());
            src.run(ZfsCommands.hold("t", List.of("tank/a@s1")));
            long exited = dst.events().stream().filter(e -> e.kind() == FakeZfsHost.Kind.EXIT)
                    .mapToLong(FakeZfsHost.Event::seq).max().orElseThrow();
            long held = src.events().stream().filter(e -> e.command().startsWith("zfs hold"))
                    .mapToLong(FakeZfsHost.Event::seq).min().orElseThrow();
            assertThat(held).isGreaterThan(exited);
            assertThat(src.commands("zfs send")).containsExactly("zfs send tank/a@s1");
        }
    }
}
