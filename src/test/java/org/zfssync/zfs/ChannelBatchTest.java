package org.zfssync.zfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.testing.FakeZfsHost;

class ChannelBatchTest {
    private static final DatasetName A = DatasetName.of("tank/a");
    private static final DatasetName B = DatasetName.of("tank/b");

    private static FakeZfsHost tree() {
        FakeZfsHost host = new FakeZfsHost("src").pool("tank").create("tank/a").create("tank/b");
        for (String ds : List.of("tank/a", "tank/b")) {
            host.snapshot(ds, "old");
            host.snapshot(ds, "new");
            host.bookmark(ds + "@old", "cursor_old");
        }
        return host;
    }

    /** The end of a run as Executor builds it: cursors, a release, then destroys. */
    private static List<Command> endOfRun() {
        return List.of(
                ZfsCommands.bookmarkThenDestroy("tank/a@new", A, "cursor_new", List.of("cursor_old")),
                ZfsCommands.bookmarkThenDestroy("tank/b@new", B, "cursor_new", List.of("cursor_old")),
                ZfsCommands.release("zfs-sync_x", List.of("tank/a@new", "tank/b@new")),
                ZfsCommands.destroySnapshots(A, List.of("old")).get(0),
                ZfsCommands.destroySnapshots(B, List.of("old")).get(0));
    }

    @Test
    void runsBookmarksAndDestroysAsProgramsAndKeepsEachCommandsResult() {
        FakeZfsHost host = tree().hold("zfs-sync_x", "tank/a@new").hold("zfs-sync_x", "tank/b@new")
                .hold("user", "tank/b@old");
        List<Command> commands = endOfRun();

        List<CommandResult> results = new ChannelBatch(host).runAll(commands);

        assertThat(results).extracting(CommandResult::command).containsExactlyElementsOf(commands);
        assertThat(results).extracting(CommandResult::ok).containsExactly(true, true, true, true, false);
        assertThat(results.get(4).stderr()).contains("tank/b@old").contains("busy");
        assertThat(host.bookmarks("tank/a")).containsExactly("cursor_new");
        assertThat(host.bookmarks("tank/b")).containsExactly("cursor_new");
        assertThat(host.snapshots("tank/a")).containsExactly("new");
        assertThat(host.snapshots("tank/b")).containsExactly("old", "new");
        // Two programs (cursors; destroys), the older cursors by the command line once the new ones
        // existed, the release between: no zfs bookmark or snapshot destroy process of its own.
        List<String> ran = host.commands();
        assertThat(ran).filteredOn(c -> c.contains("zfs-sync-program")).hasSize(2);
        assertThat(ran).filteredOn(c -> c.startsWith("zfs bookmark") || c.startsWith("zfs destroy tank/a@")).isEmpty();
        assertThat(ran).filteredOn(c -> c.startsWith("zfs destroy")).containsExactly(
                "zfs destroy tank/a#cursor_old", "zfs destroy tank/b#cursor_old");
        assertThat(ran.indexOf("zfs destroy tank/b#cursor_old")).isLessThan(ran.indexOf(
                ran.stream().filter(c -> c.startsWith("zfs release")).findFirst().orElseThrow()));
    }

    @Test
    void aCursorThatCannotBeMadeKeepsTheOlderOne() {
        FakeZfsHost host = tree().bookmark("tank/a@new", "cursor_new");

        List<CommandResult> results = new ChannelBatch(host).runAll(endOfRun().subList(0, 2));

        assertThat(results.get(0).ok()).isFalse();
        assertThat(results.get(0).stderr()).contains("tank/a#cursor_new").contains("already exists");
        assertThat(results.get(1).ok()).isTrue();
        assertThat(host.bookmarks("tank/a")).containsExactlyInAnyOrder("cursor_old", "cursor_new");
        assertThat(host.bookmarks("tank/b")).containsExactly("cursor_new");
    }

    @Test
    void aHostThatRefusesProgramsGetsTheCommandsOneByOneAndIsNotAskedAgain() {
        FakeZfsHost host = tree().programs(false);
        ChannelBatch batch = new ChannelBatch(host);

        List<CommandResult> first = batch.runAll(endOfRun().subList(0, 2));
        List<CommandResult> second = batch.runAll(List.of(ZfsCommands.destroySnapshots(A, List.of("old")).get(0),
                ZfsCommands.destroySnapshots(B, List.of("old")).get(0)));

        assertThat(first).allMatch(CommandResult::ok);
        assertThat(second).allMatch(CommandResult::ok);
        assertThat(host.bookmarks("tank/a")).containsExactly("cursor_new");
        assertThat(host.snapshots("tank/b")).containsExactly("new");
        assertThat(host.commands()).filteredOn(c -> c.contains("zfs-sync-program")).hasSize(1);
        assertThat(host.commands()).filteredOn(c -> c.startsWith("sh -c zfs bookmark")).hasSize(2);
    }

    @Test
    void aProgramThatFailsAmongOthersHasOnlyItsOwnCommandsRunOneByOne() {
        FakeZfsHost host = tree();
        DatasetName gone = DatasetName.of("gone/x");
        List<Command> commands = List.of(
                ZfsCommands.bookmark("gone/x@new", gone, "cursor_new"),
                ZfsCommands.destroySnapshots(gone, List.of("old")).get(0),
                ZfsCommands.bookmarkThenDestroy("tank/a@new", A, "cursor_new", List.of("cursor_old")),
                ZfsCommands.destroySnapshots(A, List.of("old")).get(0));

        List<CommandResult> results = new ChannelBatch(host).runAll(commands);

        // The pool "gone" has no program (no such pool); tank's answered and is reported as it went.
        assertThat(results).extracting(CommandResult::ok).containsExactly(false, false, true, true);
        assertThat(host.bookmarks("tank/a")).containsExactly("cursor_new");
        assertThat(host.snapshots("tank/a")).containsExactly("new");
        assertThat(host.commands()).filteredOn(c -> c.contains("zfs-sync-program")).hasSize(2);
        assertThat(host.commands()).contains("zfs bookmark gone/x@new gone/x#cursor_new", "zfs destroy gone/x@old");
    }

    @Test
    void aDestroyTooLongForAProgramRunsAsItIs() {
        List<String> names = new ArrayList<>();
        for (int i = 0; names.stream().mapToInt(String::length).sum() < ZfsCommands.MAX_ARGUMENT - 12_000; i++) {
            names.add("zfs-sync_nas_20261127T0000" + i);
        }
        Command big = ZfsCommands.destroySnapshots(A, names).get(0);

        assertThat(ChannelBatch.Operation.of(big)).isNull();
        assertThat(ChannelBatch.Operation.of(ZfsCommands.destroySnapshots(A, names.subList(0, 100)).get(0)))
                .isNotNull();
    }

    @Test
    void aSingleOperationRunsAsItIs() {
        FakeZfsHost host = tree();

        new ChannelBatch(host).runAll(List.of(ZfsCommands.destroySnapshots(A, List.of("old")).get(0)));

        assertThat(host.commands()).containsExactly("zfs destroy tank/a@old");
    }

    @Test
    void programsArePerPoolAndShorterThanOneArgumentMayBe() {
        List<ChannelBatch.Operation> ops = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String pool = i % 2 == 0 ? "tank" : "backup";
            ops.add(ChannelBatch.Operation.of(ZfsCommands.bookmark(pool + "/d" + i + "@zfs-sync_a_20261127T000000Z",
                    DatasetName.of(pool + "/d" + i), "zfs-sync_a_cursor_0123456789abcdef")));
        }

        List<ChannelBatch.Program> programs = ChannelBatch.programs(ops);

        assertThat(programs.size()).isGreaterThan(2);
        assertThat(programs).allSatisfy(p -> {
            assertThat(p.command().toString().length()).isLessThan(ZfsCommands.MAX_ARGUMENT + 10_000);
            String pool = p.command().argv().get(4);
            assertThat(p.members()).allMatch(n -> (n % 2 == 0) == pool.equals("tank"));
        });
        assertThat(programs.stream().mapToInt(p -> p.members().size()).sum()).isEqualTo(3000);
    }

    @Test
    void readsTheProgramsAnswersAndNothingFromAFailedRun() {
        Command c = Command.changing("true");
        assertThat(ChannelBatch.codes(new CommandResult(c, "h", 0, "{\"return\":{\"1\":\"0\",\"2\":\"16 2\"}}\n", "")))
                .containsExactly("0", "16 2");
        assertThat(ChannelBatch.codes(new CommandResult(c, "h", 1, "", "Channel program execution failed:\n"))).isNull();
        assertThat(ChannelBatch.codes(new CommandResult(c, "h", 0, "garbage", ""))).isNull();
    }

    @Test
    void leavesOtherCommandsAlone() {
        assertThat(ChannelBatch.Operation.of(ZfsCommands.destroyBookmark(A, "cursor_old"))).isNull();
        assertThat(ChannelBatch.Operation.of(ZfsCommands.release("t", List.of("tank/a@new")))).isNull();
        assertThat(ChannelBatch.Operation.of(Command.changing("zfs", "destroy", "-r", "tank/a"))).isNull();
        assertThat(ChannelBatch.Operation.of(Command.changing("zfs", "destroy", "tank/a"))).isNull();
    }
}
