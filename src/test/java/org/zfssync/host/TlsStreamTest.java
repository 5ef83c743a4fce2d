package org.zfssync.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The listen address, the CA files, and how a listener's log becomes its result. */
class TlsStreamTest {
    @Test
    void aListenAddressMayNameOnePortOrARangeOrNone() {
        assertThat(TlsListen.parse("10.77.0.1")).isEqualTo(new TlsListen("10.77.0.1", 0, 0));
        assertThat(TlsListen.parse("nas.lan:9000")).isEqualTo(new TlsListen("nas.lan", 9000, 9000));
        TlsListen range = TlsListen.parse(" 10.0.0.1:9000-9009 ");
        assertThat(range).isEqualTo(new TlsListen("10.0.0.1", 9000, 9009));
        for (int i = 0; i < 50; i++) {
            assertThat(range.pickPort()).isBetween(9000, 9009);
        }
        assertThat(TlsListen.parse("h").pickPort()).isZero();
        assertThat(range).hasToString("10.0.0.1:9000-9009");
    }

    @Test
    void aBadListenAddressIsOneLineNamingTheForm() {
        assertThatThrownBy(() -> TlsListen.parse("10.0.0.1:0")).hasMessageContaining("port 0");
        assertThatThrownBy(() -> TlsListen.parse("10.0.0.1:9009-9000")).hasMessageContaining("LOW <= HIGH");
        assertThatThrownBy(() -> TlsListen.parse("10.0.0.1:70000")).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> TlsListen.parse("h,fork")).hasMessageContaining("IPv4 address or a host name");
        assertThatThrownBy(() -> TlsListen.parse("-h")).hasMessageContaining("IPv4 address or a host name");
        assertThatThrownBy(() -> TlsListen.parse("$(reboot)")).hasMessageContaining("invalid --tls-listen");
        assertThatThrownBy(() -> TlsListen.parse("[::1]:9000")).hasMessageContaining("IPv6");
        assertThatThrownBy(() -> TlsListen.parse("")).hasMessageContaining("ADDRESS:LOW-HIGH");
    }

    @Test
    void caFilesComeAllThreeOrNoneAndAsPlainAbsolutePaths() {
        assertThat(TlsFiles.of(null, null, null)).isEmpty();
        assertThat(TlsFiles.of("/etc/zfs-sync/ca.pem", "/etc/zfs-sync/host.pem", "/etc/zfs-sync/host.key"))
                .contains(new TlsFiles("/etc/zfs-sync/ca.pem", "/etc/zfs-sync/host.pem", "/etc/zfs-sync/host.key"));
        assertThatThrownBy(() -> TlsFiles.of("/ca.pem", null, null)).hasMessageContaining("go together");
        assertThatThrownBy(() -> TlsFiles.of("ca.pem", "/c", "/k")).hasMessageContaining("--tls-ca");
        assertThatThrownBy(() -> TlsFiles.of("/ca.pem,verify=0", "/c", "/k")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> TlsFiles.of("/ca", "/c", "/etc/../k")).hasMessageContaining("--tls-key");
    }

    private static final String TIMED_OUT = """
            2026/11/27 01:19:00 socat[513] N using stdin for reading
            2026/11/27 01:19:00 socat[513] N listening on AF=2 127.0.0.1:51419
            2026/11/27 01:19:02 socat[513] W accept: Connection timed out
            2026/11/27 01:19:02 socat[513] N Waiting for child processes to terminate
            """;
    private static final String BAD_CERT = """
            2026/11/27 01:17:19 socat[473] N listening on AF=2 127.0.0.1:33169
            2026/11/27 01:17:20 socat[473] N accepting connection from AF=2 127.0.0.1:36780 on AF=2 127.0.0.1:33169
            2026/11/27 01:17:20 socat[473] E SSL_accept(): error:0A000086:SSL routines::certificate verify failed
            2026/11/27 01:17:20 socat[473] N exit(1)
            """;
    private static final String SENT = """
            2026/11/27 01:17:29 socat[492] N listening on AF=2 127.0.0.1:55551
            2026/11/27 01:17:30 socat[492] N starting data transfer loop with FDs [0,0] and [8,8]
            2026/11/27 01:17:31 socat[492] N exiting with status 0
            """;

    private static CommandResult ran(int exit) {
        return new CommandResult(Command.reading("socat"), "src", exit, "", "");
    }

    @Test
    void aListenerWhoseAcceptTimedOutFailedThoughSocatEndedWithZero() {
        CommandResult r = TlsStream.listenerResult(ran(0), TIMED_OUT);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("accept: Connection timed out");
        assertThat(TlsStream.listenerResult(ran(0), "").stderr()).contains("no connection from the target");
    }

    @Test
    void aListenersErrorsComeFromItsLogWithoutTimeStamps() {
        CommandResult r = TlsStream.listenerResult(ran(1), BAD_CERT);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("socat: SSL_accept(): error:0A000086:SSL routines::certificate verify failed\n");
        CommandResult ok = TlsStream.listenerResult(ran(0), SENT);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.stderr()).isEmpty();
    }
}
