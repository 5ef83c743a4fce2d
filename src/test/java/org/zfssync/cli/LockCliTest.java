package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.lock.LockTarget;
import org.zfssync.lock.RunClaim;
import org.zfssync.lock.RunLock;
import org.zfssync.lock.Wait;
import org.zfssync.replication.Endpoint;
import org.zfssync.zfs.DatasetName;
import picocli.CommandLine;

/** Locks as the commands use them: refused before anything touches ZFS, so no ZFS is needed here. */
class LockCliTest {
    @TempDir
    Path dir;

    private Path locks() {
        return dir.resolve("locks");
    }

    private RunLock holdSync(String target) {
        RunClaim claim = RunClaim.sync(Endpoint.parse(target), true, "zfs-sync sync -r tank/x " + target);
        return RunLock.acquire(locks(), claim, Wait.NONE, line -> { });
    }

    @Test
    void aSyncOnATargetAnotherRunHoldsExitsFiveInOneLine() {
        try (RunLock held = holdSync("backup/a")) {
            CliTest.Result r = CliTest.run("sync", "--lock-dir", locks().toString(), "tank/a", "backup/a/b");
            assertThat(r.exit()).isEqualTo(ExitCodes.LOCKED);
            assertThat(r.err().strip().lines()).singleElement().asString().isEqualTo("zfs-sync: target backup/a/b "
                    + "is in use: pid " + ProcessHandle.current().pid() + " (zfs-sync sync -r tank/x backup/a, since "
                    + held.holder().since() + ") holds backup/a (recursive), which overlaps it; not starting a "
                    + "second run on it (--wait waits for it)");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void aLimitedWaitSaysForWhomThenGivesUp() {
        try (RunLock held = holdSync("nas:pool/a")) {
            CliTest.Result r = CliTest.run("sync", "-r", "--wait=1s", "--lock-dir", locks().toString(), "tank/a",
                    "nas:pool/a");
            assertThat(r.exit()).isEqualTo(ExitCodes.LOCKED);
            assertThat(r.err().strip().lines()).hasSize(2);
            assertThat(r.err()).contains("zfs-sync: waiting up to 1s for pid " + ProcessHandle.current().pid(),
                    "after waiting 1s");
        }
    }

    @Test
    void aDryRunTakesNoLock() {
        try (RunLock held = holdSync("backup/a")) {
            CliTest.Result r = CliTest.run("sync", "--dry-run", "--lock-dir", locks().toString(), "tank/a", "backup/a");
            // It gets as far as looking for zfs (absent here, or present: then it only reads).
            assertThat(r.exit()).as(r.err()).isNotEqualTo(ExitCodes.LOCKED);
            assertThat(r.err()).doesNotContain("in use");
        }
    }

    @Test
    void aJobWhoseTargetAnotherRunHoldsIsRefusedByName() throws IOException {
        Path file = dir.resolve("jobs.yaml");
        Files.writeString(file, """
                jobs:
                  - name: home
                    source: tank/home
                    targets: [backup/home, nas:pool/home]
                """);
        try (RunLock held = holdSync("nas:pool")) {
            CliTest.Result r = CliTest.run("prune", "-c", file.toString(), "--lock-dir", locks().toString());
            assertThat(r.exit()).isEqualTo(ExitCodes.LOCKED);
            assertThat(r.err().strip().lines()).singleElement().asString().startsWith("zfs-sync: job home: target "
                    + "nas:pool/home (recursive) is in use: pid " + ProcessHandle.current().pid())
                    .contains("holds nas:pool (recursive), which overlaps it");
        }
        try (RunLock held = RunLock.acquire(locks(), new RunClaim(Optional.of("home"), "zfs-sync run home",
                List.of(new LockTarget("", DatasetName.of("other/x"), true))), Wait.NONE, line -> { })) {
            CliTest.Result r = CliTest.run("snapshot", "-c", file.toString(), "--lock-dir", locks().toString());
            assertThat(r.exit()).isEqualTo(ExitCodes.LOCKED);
            assertThat(r.err().strip()).startsWith("zfs-sync: job 'home' is already running: pid "
                    + ProcessHandle.current().pid() + " (zfs-sync run home, since ");
        }
    }

    @Test
    void aBareWaitLeavesTheNextArgumentAlone() {
        SyncCommand sync = parse("sync", "--wait", "tank/a", "backup/a");
        assertThat(sync.source).isEqualTo("tank/a");
        assertThat(sync.target).isEqualTo("backup/a");
        assertThat(sync.locks.wait).isEqualTo(Wait.UNLIMITED);
        assertThat(parse("sync", "--wait=30m", "tank/a", "backup/a").locks.wait.limit())
                .contains(java.time.Duration.ofMinutes(30));
        assertThat(parse("sync", "tank/a", "backup/a").locks.wait).isEqualTo(Wait.NONE);
        CliTest.Result bad = CliTest.run("run", "--wait=soon");
        assertThat(bad.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bad.err()).contains("--wait takes a duration", "'soon'");
    }

    private static SyncCommand parse(String... args) {
        CommandLine cli = ZfsSyncCommand.commandLine();
        cli.parseArgs(args);
        return (SyncCommand) cli.getSubcommands().get("sync").getCommand();
    }
}
