package org.zfssync.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.host.Command;
import org.zfssync.host.CommandResult;
import org.zfssync.host.Helper;
import org.zfssync.host.HelperState;
import org.zfssync.host.Host;
import org.zfssync.host.LocalHost;
import org.zfssync.host.MissingToolException;
import org.zfssync.host.SshHost;
import org.zfssync.host.SshOptions;
import org.zfssync.zfs.ZfsVersion;

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

    private static final TransportSettings DIRECT = new TransportSettings(TransportMode.SSH_DIRECT, Optional.empty(),
            false);

    private static SshHost ssh(String name) {
        return new SshHost(name, SshOptions.defaults(), null, (h, d, s) -> { });
    }

    private static HostReport report(String host, HelperState.Status pv) {
        return new HostReport(host, new ZfsVersion(2, 3, 2, "zfs-2.3.2"),
                Map.of(Helper.PV, new HelperState(Helper.PV, pv, pv == HelperState.Status.OK ? "" : "exit 1: broken")));
    }

    @Test
    void sshDirectBetweenTwoRemoteHostsWithPvOnTheSourceGoesDirect() {
        Host source = ssh("a");
        Transports.Choice c = Transports.choose(DIRECT, source, ssh("b"), report("a", HelperState.Status.OK));
        assertThat(c.transport()).isInstanceOf(SshDirectTransport.class);
        assertThat(c.transport().name()).isEqualTo("ssh-direct");
        assertThat(c.notes()).isEmpty();
    }

    @Test
    void withThisMachineAtOneEndOrOneHostAtBothTheRelayCarriesItAndSaysWhy() {
        Host local = new LocalHost((h, d, s) -> { });
        Host a = ssh("a");
        HostReport ok = report("a", HelperState.Status.OK);
        assertThat(Transports.choose(DIRECT, local, a, ok).transport()).isInstanceOf(RelayTransport.class);
        assertThat(Transports.choose(DIRECT, a, local, ok).notes()).singleElement().asString()
                .contains("this machine is one end");
        assertThat(Transports.choose(DIRECT, a, a, ok).notes()).singleElement().asString().contains("same host");
        assertThat(Transports.choose(TransportSettings.relay(), a, ssh("b"), ok).transport())
                .isInstanceOf(RelayTransport.class);
        assertThat(Transports.choose(new TransportSettings(TransportMode.AUTO, Optional.empty(), false), a, ssh("b"), ok)
                .transport()).isInstanceOf(RelayTransport.class);
    }

    @Test
    void sshDirectWithoutAWorkingPvOnTheSourceIsAMissingPrerequisite() {
        assertThatThrownBy(() -> Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.MISSING)))
                .isInstanceOf(MissingToolException.class).hasMessageContaining("pv");
        assertThatThrownBy(() -> Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.BROKEN)))
                .isInstanceOf(MissingToolException.class);
    }

    @Test
    void theDirectLinkIsTheAddressGivenElseTheTargetsOwnName() {
        assertThat(Transports.link(DIRECT, ssh("root@b")).address()).isEqualTo("root@b");
        assertThat(Transports.link(new TransportSettings(TransportMode.SSH_DIRECT, Optional.of("10.0.0.2"), true),
                ssh("root@b"))).isEqualTo(new org.zfssync.host.DirectStream.Link("10.0.0.2", true));
    }

    @Test
    void thePlanShowsTheWholeDirectStreamAsTheSourceRunsIt() {
        SshDirectTransport direct = new SshDirectTransport(ssh("a"), "b",
                new org.zfssync.host.DirectStream.Link("root@10.0.0.2", false));
        TransferPipeline p = new TransferPipeline(org.zfssync.host.Pipeline.of(Command.reading("zfs", "send", "t/a@s")),
                org.zfssync.host.Pipeline.of(Command.changing("zfs", "receive", "-s", "p/a")));
        String shown = direct.display(p);
        assertThat(shown).startsWith("ssh ").contains(" a ", "zfs send t/a@s", "pv -n -b -i 1",
                "ssh -o BatchMode=yes -o ForwardAgent=no root@10.0.0.2", "zfs receive -s p/a");
        assertThat(shown).as("the per-stage wrapper is not shown").doesNotContain("-exit $?");
    }
}
