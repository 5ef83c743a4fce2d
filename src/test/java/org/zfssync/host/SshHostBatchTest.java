package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch's output is trusted only as far as its status lines come in order with this call's nonce. */
class SshHostBatchTest {
    private static final String NONCE = "zfs-sync-status-feedface";
    private static final List<Command> THREE = List.of(Command.changing("zfs", "destroy", "tank/a@s1"),
            Command.changing("zfs", "destroy", "tank/a@s2"), Command.changing("zfs", "destroy", "tank/a@s3"));

    private static CommandResult whole(int exit, String stdout, String stderr) {
        return new CommandResult(Command.changing("sh", "-s"), "nas", exit, stdout, stderr);
    }

    private static String status(int i, int exit) {
        return "\n" + NONCE + " " + i + " " + exit + "\n";
    }

    @Test
    void eachCommandGetsItsOwnOutputAndStatus() {
        String out = "one\n" + status(0, 0) + "cannot destroy: busy\n" + status(1, 1) + "no newline" + status(2, 0);
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, out, ""), NONCE);
        assertThat(r).extracting(CommandResult::exitCode).containsExactly(0, 1, 0);
        assertThat(r).extracting(CommandResult::stderr).containsExactly("one\n", "cannot destroy: busy\n", "no newline");
        assertThat(r).extracting(CommandResult::command).containsExactlyElementsOf(THREE);
        assertThat(r).extracting(CommandResult::host).containsOnly("nas");
    }

    @Test
    void aShellErrorInsteadOfStatusLinesFailsEveryCommandSayingWhatWasSeen() {
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, "sh: 1: Syntax error: Unterminated quoted string\n", ""),
                NONCE);
        assertThat(r).allSatisfy(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.stderr()).contains("no exit status from nas").contains("command 1 of 3")
                    .contains("Syntax error: Unterminated quoted string");
        });
        assertThat(r.get(0).errorLine()).contains("zfs destroy tank/a@s1");
    }

    @Test
    void garbageOrAMissingStatusLineStopsTrustAtThatCommand() {
        String out = status(0, 0) + "garbage" + status(2, 0);
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, out, ""), NONCE);
        assertThat(r.get(0).exitCode()).isZero();
        assertThat(r.get(1).ok()).isFalse();
        assertThat(r.get(1).stderr()).contains("command 2 of 3").contains("garbage").contains(NONCE + " 2 0");
        assertThat(r.get(2).ok()).as("a status after a missing one is not trusted").isFalse();
    }

    @Test
    void statusLinesOutOfOrderAreNotAccepted() {
        String out = status(1, 0) + status(0, 0) + status(2, 0);
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, out, ""), NONCE);
        assertThat(r).noneMatch(CommandResult::ok);
        assertThat(r.get(0).stderr()).contains("command 1 of 3");
    }

    @Test
    void aStatusLineWithAnotherNonceIsJustOutput() {
        String out = "\nzfs-sync-status-other 0 0\n" + status(0, 3) + status(1, 0) + status(2, 0);
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, out, ""), NONCE);
        assertThat(r.get(0).exitCode()).isEqualTo(3);
        assertThat(r.get(0).stderr()).isEqualTo("\nzfs-sync-status-other 0 0\n");
    }

    @Test
    void aMalformedOrRunTogetherStatusLineIsNotAccepted() {
        assertThat(SshHost.splitBatch(THREE, whole(0, status(0, 0) + "x" + NONCE + " 1 0\n" + status(2, 0), ""), NONCE)
                .get(1).ok()).isFalse();
        assertThat(SshHost.splitBatch(THREE, whole(0, status(0, 0) + "\n" + NONCE + " 1 zero\n" + status(2, 0), ""), NONCE)
                .get(1).ok()).isFalse();
    }

    @Test
    void aConnectionLostMidwayFailsTheRestWithSshsStatusAndMessage() {
        String out = "done\n" + status(0, 0);
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(255, out, "client_loop: send disconnect: Broken pipe\n"),
                NONCE);
        assertThat(r.get(0).ok()).isTrue();
        assertThat(r.subList(1, 3)).allSatisfy(c -> {
            assertThat(c.exitCode()).isEqualTo(255);
            assertThat(c.errorLine()).contains("output ended").contains("ssh exit 255: client_loop: send disconnect: Broken pipe");
        });
    }

    @Test
    void emptyOutputFromASuccessfulSshIsStillAFailure() {
        List<CommandResult> r = SshHost.splitBatch(THREE, whole(0, "", ""), NONCE);
        assertThat(r).allSatisfy(c -> assertThat(c.ok()).isFalse());
    }
}
