package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.zfssync.testing.FakeZfsHost;
import picocli.CommandLine;

/** {@code zfs-sync check} naming missing delegations, and {@code zfs-sync allow --apply}, on in-memory hosts. */
class DelegationCliTest {
    private static final String TARGET_GRANTS = """
            ---- Permissions on pool/backup --------------------------------------
            Local+Descendent permissions:
            \tuser backup create,destroy,mount,readonly,receive
            """;

    record Result(int exit, String out, String err) {
    }

    private static Result run(Callable<Integer> command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println("zfs-sync: " + e.getMessage());
            return ZfsSyncCommand.exitCode(e);
        });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Result(cli.execute(args), out.toString(), err.toString());
    }

    private static Map<String, DelegatedHost> hosts(String sourceUser, String targetUser, String targetGrants) {
        FakeZfsHost src = new FakeZfsHost("root@src").pool("tank").create("tank/data");
        FakeZfsHost dst = new FakeZfsHost("backup@nas").pool("pool").create("pool/backup");
        return Map.of("root@src", new DelegatedHost(src, sourceUser, ""),
                "backup@nas", new DelegatedHost(dst, targetUser, targetGrants));
    }

    @Test
    void checkPassesWhenTheTargetUserHasEveryPermissionAndTheSourceRunsAsRoot() {
        Map<String, DelegatedHost> hosts = hosts("root", "backup", TARGET_GRANTS);
        Result r = run(new CheckCommand(DelegatedHost.pool(hosts)), "root@src:tank/data", "backup@nas:pool/backup/data");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("ok     root@src: runs as root: every zfs permission on tank/data",
                "ok     backup@nas: user backup may do everything zfs-sync needs on pool/backup "
                        + "(create,destroy,mount,readonly,receive)");
    }

    @Test
    void checkNamesEachMissingPermissionWithWhatNeedsItAndExitsThree() {
        Map<String, DelegatedHost> hosts = hosts("root", "backup", TARGET_GRANTS);
        Result r = run(new CheckCommand(DelegatedHost.pool(hosts)), "root@src:tank/data", "backup@nas:pool/backup/data",
                "--rollback", "--recv-option", "compression=zstd");
        assertThat(r.exit()).isEqualTo(ExitCodes.PREREQUISITE);
        assertThat(r.out()).contains(
                "FAIL   backup@nas: user backup lacks the zfs permission 'compression' on pool/backup, needed for "
                        + "--recv-option compression=...",
                "FAIL   backup@nas: user backup lacks the zfs permission 'rollback' on pool/backup, needed for "
                        + "--rollback (zfs rollback -r, zfs receive -F)",
                "fix, as root on backup@nas: zfs allow -u backup compression,rollback pool/backup");
        assertThat(r.out()).doesNotContain("lacks the zfs permission 'receive'");
    }

    @Test
    void checkOfANonRootSourceWithoutDelegationsNamesAllSevenPermissions() {
        Map<String, DelegatedHost> hosts = hosts("backup", "root", "");
        Result r = run(new CheckCommand(DelegatedHost.pool(hosts)), "root@src:tank/data");
        assertThat(r.exit()).isEqualTo(ExitCodes.PREREQUISITE);
        assertThat(r.out().lines().filter(l -> l.contains("lacks the zfs permission"))).hasSize(7);
        assertThat(r.out()).contains("'snapshot' on tank/data, needed for the sync snapshot");
    }

    @Test
    void checkReportsAListingItCannotReadInsteadOfGuessing() {
        Map<String, DelegatedHost> hosts = hosts("root", "backup", "Strange output:\n\tbackup all\n");
        Result r = run(new CheckCommand(DelegatedHost.pool(hosts)), "root@src:tank/data", "backup@nas:pool/backup/data");
        assertThat(r.exit()).isEqualTo(ExitCodes.PREREQUISITE);
        assertThat(r.out()).contains("FAIL   backup@nas: cannot read the zfs allow delegations of user backup on "
                + "pool/backup: unexpected line in the output of zfs allow: 'Strange output:'");
    }

    @Test
    void applyRunsZfsAllowOnEachNonRootSideThroughTheHostLayer() {
        FakeZfsHost dst = new FakeZfsHost("root@nas").pool("pool");
        DelegatedHost nas = new DelegatedHost(dst, "root", "");
        FakeZfsHost src = new FakeZfsHost("root@src").pool("tank");
        DelegatedHost server = new DelegatedHost(src, "root", "");
        Result r = run(new AllowCommand(DelegatedHost.pool(Map.of("root@nas", nas, "root@src", server))),
                "root@src:tank/my data", "root@nas:pool/backup/data", "--user", "backup", "--apply", "--from", "192.0.2.10");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCodes.OK);
        assertThat(server.delegations()).containsExactly(List.of("zfs", "allow", "-u", "backup",
                "bookmark,destroy,hold,mount,release,send,snapshot", "tank/my data"));
        assertThat(nas.delegations()).containsExactly(List.of("zfs", "allow", "-u", "backup",
                "create,destroy,mount,readonly,receive", "pool/backup"));
        assertThat(r.out()).contains("applied on src: zfs allow -u backup bookmark,destroy,hold,mount,release,send,"
                + "snapshot 'tank/my data'", "applied on nas: zfs allow -u backup create,destroy,mount,readonly,receive "
                + "pool/backup");
    }

    @Test
    void applyAsANonRootLoginFailsWithZfsOwnMessageAndExitOne() {
        FakeZfsHost dst = new FakeZfsHost("backup@nas").pool("pool");
        DelegatedHost nas = new DelegatedHost(dst, "backup", "");
        DelegatedHost server = new DelegatedHost(new FakeZfsHost("root@src").pool("tank"), "root", "");
        Result r = run(new AllowCommand(DelegatedHost.pool(Map.of("backup@nas", nas, "root@src", server))),
                "root@src:tank/data", "backup@nas:pool/backup/data", "--apply", "--from", "192.0.2.10");
        assertThat(r.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.out()).contains("FAIL   nas: zfs allow -u backup create,destroy,mount,readonly,receive pool/backup: "
                + "cannot set permissions on 'pool/backup': permission denied");
        // The source logs in as root and its user is root: nothing to delegate there.
        assertThat(server.delegations()).isEmpty();
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        Map<String, DelegatedHost> none = Map.of();
        Result user = run(new AllowCommand(DelegatedHost.pool(none)), "tank/a", "nas:pool/a", "--user", "x y");
        assertThat(user.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(user.err()).contains("invalid user name 'x y'");
        Result name = run(new AllowCommand(DelegatedHost.pool(none)), "tank/a;id", "nas:pool/a");
        assertThat(name.exit()).isEqualTo(ExitCodes.USAGE);
        Result from = run(new AllowCommand(DelegatedHost.pool(none)), "tank/a", "nas:pool/a", "--from", "\"x\"");
        assertThat(from.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(from.err()).contains("invalid --from");
        Result prop = run(new AllowCommand(DelegatedHost.pool(none)), "tank/a", "nas:pool/a", "--recv-exclude", "A;B");
        assertThat(prop.exit()).isEqualTo(ExitCodes.USAGE);
    }
}
