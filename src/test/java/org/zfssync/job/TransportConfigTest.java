package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zfssync.replication.TransportMode;
import org.zfssync.replication.TransportSettings;

/** {@code transport:} and its companions, set in defaults, per job, and per target. */
class TransportConfigTest {
    private static final Path FILE = Path.of("test.yaml");
    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void aTargetsOwnTransportWinsOverTheJobsWhichWinsOverTheDefault() {
        String yaml = """
                defaults:
                  transport: ssh-direct
                jobs:
                  - name: a
                    source: src:tank/a
                    targets:
                      - nas:pool/a
                      - {target: "far:pool/a", transport: relay}
                      - {target: "near:pool/a", direct-target-address: "root@10.0.0.2", ssh-forward-agent: true}
                  - name: b
                    source: src:tank/b
                    transport: relay
                    targets: [nas:pool/b]
                """;
        Config config = loader.parse(FILE, yaml);
        Job a = config.job("a").orElseThrow();
        assertThat(a.targets()).containsExactly("nas:pool/a", "far:pool/a", "near:pool/a");
        assertThat(JobRunner.transport(a.settingsFor("nas:pool/a")).mode()).isEqualTo(TransportMode.SSH_DIRECT);
        assertThat(JobRunner.transport(a.settingsFor("far:pool/a")).mode()).isEqualTo(TransportMode.RELAY);
        TransportSettings near = JobRunner.transport(a.settingsFor("near:pool/a"));
        assertThat(near).isEqualTo(new TransportSettings(TransportMode.SSH_DIRECT, Optional.of("root@10.0.0.2"), true));
        assertThat(JobRunner.transport(config.job("b").orElseThrow().settingsFor("nas:pool/b")).mode())
                .isEqualTo(TransportMode.RELAY);
        assertThat(JobRunner.transfer(a.settings()).transport().mode()).isEqualTo(TransportMode.SSH_DIRECT);
    }

    @Test
    void anUnsetTransportIsTheRelay() {
        Config config = loader.parse(FILE, "jobs:\n  - name: a\n    source: tank/a\n    targets: [pool/a]\n");
        assertThat(JobRunner.transfer(config.jobs().get(0).settings()).transport()).isEqualTo(TransportSettings.relay());
    }

    @Test
    void badTransportKeysAreProblemsWithTheirPlace() {
        String yaml = """
                jobs:
                  - name: a
                    source: tank/a
                    transport: carrier-pigeon
                    direct-target-address: "-oProxyCommand=evil"
                    targets:
                      - {target: "nas:pool/a", transport: tls, tls-listen: "10.0.0.1,fork"}
                      - {target: "nas:pool/b", bwlimit: 10M}
                      - {transport: relay}
                """;
        ConfigException e = catchThrowableOfType(() -> loader.parse(FILE, yaml), ConfigException.class);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("line 4").contains("carrier-pigeon"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("invalid direct target address"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("tls-listen").contains("invalid --tls-listen"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("may set only").contains("bwlimit"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("needs target:"));
    }

    @Test
    void aTargetMayGoByTlsWithItsOwnListenAddressAndTheJobsCaFiles() {
        String yaml = """
                jobs:
                  - name: a
                    source: src:tank/a
                    tls-ca: /etc/zfs-sync/ca.pem
                    tls-cert: /etc/zfs-sync/host.pem
                    tls-key: /etc/zfs-sync/host.key
                    targets:
                      - {target: "nas:pool/a", transport: tls, tls-listen: "10.0.0.1:9000-9010"}
                      - {target: "lab:pool/a", transport: ssh-direct}
                """;
        Job a = loader.parse(FILE, yaml).job("a").orElseThrow();
        TransportSettings nas = JobRunner.transport(a.settingsFor("nas:pool/a"));
        assertThat(nas.mode()).isEqualTo(TransportMode.TLS);
        assertThat(nas.tlsListen()).contains(new org.zfssync.host.TlsListen("10.0.0.1", 9000, 9010));
        assertThat(nas.tlsFiles()).contains(new org.zfssync.host.TlsFiles("/etc/zfs-sync/ca.pem",
                "/etc/zfs-sync/host.pem", "/etc/zfs-sync/host.key"));
        assertThat(nas.insecureDirect()).isFalse();
        assertThat(JobRunner.transport(a.settingsFor("lab:pool/a")).mode()).isEqualTo(TransportMode.SSH_DIRECT);
    }
}
