package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;

/** Choosing a transport, and judging which half of a direct stream failed first. */
class TransportsTest {
    @Test
    void theModesAreSpelledAsOnTheCommandLine() {
        assertThat(TransportMode.parse("ssh-direct")).isEqualTo(TransportMode.SSH_DIRECT);
        assertThat(TransportMode.parse(" Relay ")).isEqualTo(TransportMode.RELAY);
        assertThat(TransportMode.parse("auto")).isEqualTo(TransportMode.AUTO);
        assertThatThrownBy(() -> TransportMode.parse("tls")).hasMessageContaining("not available yet");
        assertThatThrownBy(() -> TransportMode.parse("udp")).hasMessageContaining("relay, ssh-direct, auto");
    }

    @Test
    void aBadDirectAddressIsABadRequestBeforeAnyHostIsReached() {
        assertThatThrownBy(() -> new TransportSettings(TransportMode.SSH_DIRECT, Optional.of("x;rm -rf /"), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid direct target address");
    }

    private static CommandResult stage(String program, int exit, String stderr) {
        return new CommandResult(Command.reading(program), "h", exit, "", stderr);
    }

    @Test
    void theReceiverGaveUpWhenTheSendersOnlyFailureIsTheBrokenPipeItLeft() {
        List<CommandResult> brokenSender = List.of(stage("zfs", 141, ""), stage("pv", 1, "pv: write failed: Broken pipe"));
        List<CommandResult> failedReceiver = List.of(stage("zfs", 1, "cannot receive: out of space"));
        assertThat(SshDirectTransport.receiverGaveUp(brokenSender, failedReceiver)).isTrue();
        assertThat(SshDirectTransport.receiverGaveUp(List.of(stage("zfs", 0, "")), failedReceiver)).isTrue();
        List<CommandResult> senderFailed = List.of(stage("zfs", 1, "cannot open 'x': dataset does not exist"),
                stage("pv", 0, ""));
        assertThat(SshDirectTransport.receiverGaveUp(senderFailed, failedReceiver)).isFalse();
        assertThat(SshDirectTransport.receiverGaveUp(brokenSender, List.of(stage("zfs", 0, "")))).isFalse();
    }
}
