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
import org.zfssync.host.TlsFiles;
import org.zfssync.host.TlsListen;
import org.zfssync.zfs.ZfsVersion;

/** Choosing a transport, and judging which half of a direct stream failed first. */
class TransportsTest {
    @Test
    void theModesAreSpelledAsOnTheCommandLine() {
        assertThat(TransportMode.parse("ssh-direct")).isEqualTo(TransportMode.SSH_DIRECT);
        assertThat(TransportMode.parse(" Relay ")).isEqualTo(TransportMode.RELAY);
        assertThat(TransportMode.parse("auto")).isEqualTo(TransportMode.AUTO);
        assertThat(TransportMode.parse("TLS")).isEqualTo(TransportMode.TLS);
        assertThatThrownBy(() -> TransportMode.parse("udp")).hasMessageContaining("relay, ssh-direct, tls, auto");
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
        Transports.Choice c = Transports.choose(DIRECT, source, ssh("b"), report("a", HelperState.Status.OK),
                report("b", HelperState.Status.OK), false);
        assertThat(c.transport()).isInstanceOf(SshDirectTransport.class);
        assertThat(c.transport().name()).isEqualTo("ssh-direct");
        assertThat(c.notes()).isEmpty();
    }

    @Test
    void withThisMachineAtOneEndOrOneHostAtBothTheRelayCarriesItAndSaysWhy() {
        Host local = new LocalHost((h, d, s) -> { });
        Host a = ssh("a");
        HostReport ok = report("a", HelperState.Status.OK);
        assertThat(Transports.choose(DIRECT, local, a, ok, ok, false).transport()).isInstanceOf(RelayTransport.class);
        assertThat(Transports.choose(DIRECT, a, local, ok, ok, false).notes()).singleElement().asString()
                .contains("this machine is one end");
        assertThat(Transports.choose(DIRECT, a, a, ok, ok, false).notes()).singleElement().asString().contains("same host");
        assertThat(Transports.choose(TransportSettings.relay(), a, ssh("b"), ok, ok, false).transport())
                .isInstanceOf(RelayTransport.class);
        assertThat(Transports.choose(new TransportSettings(TransportMode.AUTO, Optional.empty(), false), a, ssh("b"), ok,
                ok, false).transport()).isInstanceOf(RelayTransport.class);
    }

    @Test
    void aCappedStreamNeedsPvOnTheSourceOnlyWhenTheTargetLacksIt() {
        HostReport none = report("b", HelperState.Status.MISSING);
        assertThatThrownBy(() -> Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.MISSING),
                none, true))
                .isInstanceOf(MissingToolException.class).hasMessageContaining("pv");
        assertThatThrownBy(() -> Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.BROKEN),
                none, true))
                .isInstanceOf(MissingToolException.class);
        assertThat(Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.MISSING),
                report("b", HelperState.Status.OK), true).transport()).isInstanceOf(SshDirectTransport.class);
    }

    @Test
    void anUncappedStreamNeedsNoPvAtAll() {
        HostReport none = report("b", HelperState.Status.MISSING);
        assertThat(Transports.choose(DIRECT, ssh("a"), ssh("b"), report("a", HelperState.Status.MISSING), none, false)
                .transport()).isInstanceOf(SshDirectTransport.class);
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
                new org.zfssync.host.DirectStream.Link("root@10.0.0.2", false), true);
        TransferPipeline p = new TransferPipeline(org.zfssync.host.Pipeline.of(Command.reading("zfs", "send", "t/a@s")),
                org.zfssync.host.Pipeline.of(Command.changing("zfs", "receive", "-s", "p/a")));
        String shown = direct.display(p);
        assertThat(shown).startsWith("ssh ").contains(" a ", "zfs send -v -P t/a@s",
                "ssh -o BatchMode=yes -o ForwardAgent=no root@10.0.0.2", "zfs receive -s p/a");
        assertThat(shown).as("the per-stage wrapper is not shown").doesNotContain("-exit $?");
    }

    private static final TransportSettings TLS = new TransportSettings(TransportMode.TLS, Optional.empty(), false,
            Optional.of(TlsListen.parse("10.0.0.1")), false, Optional.empty());

    private static HostReport helpers(String host, Map<Helper, HelperState.Status> states) {
        Map<Helper, HelperState> m = new java.util.EnumMap<>(Helper.class);
        states.forEach((h, st) -> m.put(h, new HelperState(h, st, st == HelperState.Status.OK ? "" : "not installed")));
        return new HostReport(host, new ZfsVersion(2, 3, 2, "zfs-2.3.2"), m);
    }

    private static final Map<Helper, HelperState.Status> ALL_OK = Map.of(Helper.PV, HelperState.Status.OK,
            Helper.SOCAT, HelperState.Status.OK, Helper.OPENSSL, HelperState.Status.OK);

    @Test
    void tlsNeedsAListenAddressAndInsecureDirectOnlyGoesWithTls() {
        assertThatThrownBy(() -> new TransportSettings(TransportMode.TLS, Optional.empty(), false, Optional.empty(),
                false, Optional.empty())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-listen");
        assertThatThrownBy(() -> new TransportSettings(TransportMode.RELAY, Optional.empty(), false, Optional.empty(),
                true, Optional.empty())).hasMessageContaining("--insecure-direct applies to --transport tls only");
        assertThatThrownBy(() -> new TransportSettings(TransportMode.TLS, Optional.empty(), false,
                Optional.of(TlsListen.parse("h")), true, Optional.of(new TlsFiles("/a", "/b", "/c"))))
                .hasMessageContaining("uses no certificates");
    }

    @Test
    void autoTakesWhatTheUserSetUp() {
        Optional<TlsListen> listen = Optional.of(TlsListen.parse("10.0.0.1:9000"));
        assertThat(new TransportSettings(TransportMode.AUTO, Optional.empty(), false).effectiveMode())
                .isEqualTo(TransportMode.RELAY);
        assertThat(new TransportSettings(TransportMode.AUTO, Optional.of("b"), false).effectiveMode())
                .isEqualTo(TransportMode.SSH_DIRECT);
        assertThat(new TransportSettings(TransportMode.AUTO, Optional.of("b"), false, listen, false, Optional.empty())
                .effectiveMode()).isEqualTo(TransportMode.TLS);
        assertThat(TLS.effectiveMode()).isEqualTo(TransportMode.TLS);
    }

    @Test
    void tlsWithoutSocatOnTheTargetIsAMissingPrerequisiteNamingTheHost() {
        Map<Helper, HelperState.Status> noSocat = new java.util.EnumMap<>(ALL_OK);
        noSocat.put(Helper.SOCAT, HelperState.Status.MISSING);
        assertThatThrownBy(() -> Transports.choose(TLS, ssh("a"), ssh("b"), helpers("a", ALL_OK), helpers("b", noSocat), false))
                .isInstanceOf(MissingToolException.class).hasMessageContaining("socat").hasMessageContaining("b");
        Map<Helper, HelperState.Status> noOpenssl = new java.util.EnumMap<>(ALL_OK);
        noOpenssl.put(Helper.OPENSSL, HelperState.Status.MISSING);
        assertThatThrownBy(() -> Transports.choose(TLS, ssh("a"), ssh("b"), helpers("a", noOpenssl),
                helpers("b", ALL_OK), false)).isInstanceOf(MissingToolException.class).hasMessageContaining("openssl");
    }

    @Test
    void autoWithAHelperMissingRelaysAndSaysWhy() {
        TransportSettings auto = new TransportSettings(TransportMode.AUTO, Optional.empty(), false,
                Optional.of(TlsListen.parse("10.0.0.1")), false, Optional.empty());
        Map<Helper, HelperState.Status> noSocat = new java.util.EnumMap<>(ALL_OK);
        noSocat.put(Helper.SOCAT, HelperState.Status.MISSING);
        Transports.Choice c = Transports.choose(auto, ssh("a"), ssh("b"), helpers("a", ALL_OK), helpers("b", noSocat), false);
        assertThat(c.transport()).isInstanceOf(RelayTransport.class);
        assertThat(c.notes()).singleElement().asString().contains("--transport auto (tls)").contains("b has no working socat")
                .contains("relaying");
    }

    @Test
    void tlsWithThisMachineAtOneEndIsRelayed() {
        Host local = new LocalHost((h, d, s) -> { });
        Transports.Choice c = Transports.choose(TLS, local, ssh("b"), helpers("local", ALL_OK), helpers("b", ALL_OK), false);
        assertThat(c.transport()).isInstanceOf(RelayTransport.class);
        assertThat(c.notes()).singleElement().asString().contains("--transport tls").contains("this machine is one end");
    }

    @Test
    void theTlsReceiverGaveUpWhenTheListenerOnlyLostItsConnection() {
        List<CommandResult> reset = List.of(stage("zfs", 141, ""), stage("pv", 1, "pv: write failed: Broken pipe"),
                stage("socat", 1, "socat: SSL_write(): Connection reset by peer"));
        List<CommandResult> failedReceiver = List.of(stage("socat", 0, ""), stage("zfs", 1, "cannot receive: quota"));
        assertThat(TlsTransport.receiverGaveUp(reset, failedReceiver)).isTrue();
        List<CommandResult> badCertificate = List.of(stage("zfs", 141, ""), stage("pv", 1, "Broken pipe"),
                stage("socat", 1, "socat: SSL_accept(): certificate verify failed"));
        assertThat(TlsTransport.receiverGaveUp(badCertificate, failedReceiver)).isFalse();
        assertThat(TlsTransport.receiverGaveUp(badCertificate, List.of(stage("socat", 0, "")))).isFalse();
    }
}
