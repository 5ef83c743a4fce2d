package org.zfssync.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's keys: schedules, windows, RPO and hooks per job; history, http and alerts at the top. */
class ConfigServiceKeysTest {
    private static final Path FILE = Path.of("test.yaml");
    private final ConfigLoader loader = new ConfigLoader();

    @TempDir
    Path dir;

    private ConfigException problems(String yaml) {
        return catchThrowableOfType(() -> loader.parse(FILE, yaml), ConfigException.class);
    }

    @Test
    void everyServiceKeyIsReadTypedAndCompletedWithDefaults() throws IOException {
        Path password = Files.writeString(dir.resolve("smtp-password"), "secret\n");
        String yaml = """
                history: {keep: 30d}
                http: {}
                alerts:
                  webhook: {url: "https://hooks.example.org/zfs"}
                  email:
                    smtp-host: mail.example.org
                    from: zfs-sync@example.org
                    to: admin@example.org
                    username: zfs
                    password-file: %s
                  command: /usr/local/bin/page-me
                defaults:
                  replicate-every: 15m
                  timezone: Europe/Berlin
                jobs:
                  - name: vms
                    source: tank/vm
                    targets: [nas:pool/vm]
                    cron: "0 */4 * * *"
                    prune-every: 1d
                    rpo-warn: 6h
                    rpo-critical: 1d
                    bwlimit: 50M
                    windows:
                      - {days: mon-fri, from: 08:00, to: "18:00", bwlimit: 20M}
                      - {from: "22:00", to: "06:00", replicate: false}
                    hooks:
                      pre-snapshot: psql -c checkpoint
                      post-replicate: [logger done, touch /run/done]
                      timeout: 2m
                  - name: home
                    source: tank/home
                    targets: [nas:pool/home]
                """.formatted(password);
        Config config = loader.parse(FILE, yaml);
        ServiceConfig service = config.service();
        assertThat(service.history()).isEqualTo(new ServiceConfig.History(ServiceConfig.History.DEFAULT_PATH,
                Duration.ofDays(30)));
        assertThat(service.http()).isEqualTo(new ServiceConfig.Http("127.0.0.1:9860", null));
        assertThat(service.alerts().repeatEvery()).isEqualTo(Duration.ofHours(6));
        assertThat(service.alerts().webhook()).isEqualTo(new ServiceConfig.Webhook(
                URI.create("https://hooks.example.org/zfs"), 3, Duration.ofSeconds(10)));
        assertThat(service.alerts().email()).isEqualTo(new ServiceConfig.Email("mail.example.org", 587, true,
                "zfs-sync@example.org", List.of("admin@example.org"), "zfs", password));
        assertThat(service.alerts().command()).isEqualTo("/usr/local/bin/page-me");

        Job vms = config.job("vms").orElseThrow();
        assertThat(vms.settings().replicateEvery()).as("its own cron replaces the default replicate-every").isNull();
        assertThat(vms.settings().hooks().preSnapshot()).containsExactly("psql -c checkpoint");
        assertThat(vms.settings().hooks().postReplicate()).containsExactly("logger done", "touch /run/done");
        JobTiming timing = JobTiming.of(vms);
        assertThat(timing.replicate().orElseThrow().next(Instant.parse("2026-06-01T00:30:00Z")))
                .as("04:00 in Berlin").isEqualTo(Instant.parse("2026-06-01T02:00:00Z"));
        assertThat(timing.prune().orElseThrow().next(Instant.EPOCH)).isEqualTo(Instant.EPOCH.plus(Duration.ofDays(1)));
        assertThat(timing.rpoWarn()).contains(Duration.ofHours(6));
        assertThat(timing.rpoCritical()).contains(Duration.ofDays(1));
        assertThat(timing.windows().bwlimitAt(Instant.parse("2026-06-01T10:00:00Z"))).as("Monday noon in Berlin")
                .isEqualTo(20L << 20);
        assertThat(timing.windows().bwlimitAt(Instant.parse("2026-06-01T19:00:00Z"))).as("the job's own")
                .isEqualTo(50L << 20);
        assertThat(timing.windows().mayStart(Instant.parse("2026-06-01T21:00:00Z"))).as("23:00 in Berlin").isFalse();

        JobTiming home = JobTiming.of(config.job("home").orElseThrow());
        assertThat(home.replicate().orElseThrow().next(Instant.EPOCH)).as("inherited replicate-every")
                .isEqualTo(Instant.EPOCH.plus(Duration.ofMinutes(15)));
        assertThat(home.prune()).isEmpty();
        assertThat(home.snapshot()).isEmpty();
    }

    @Test
    void aConfigWithoutServiceKeysHasNone() {
        Config config = loader.parse(FILE, "jobs: [{name: a, source: tank/a, targets: [pool/a]}]");
        assertThat(config.service()).isEqualTo(ServiceConfig.NONE);
    }

    @Test
    void theExampleShowsTheServiceKeys() throws IOException {
        Config config = loader.parse(FILE, ConfigLoaderTest.example());
        assertThat(config.service().alerts().webhook().url()).hasHost("hooks.example.org");
        assertThat(config.service().http().listen()).isEqualTo("127.0.0.1:9860");
        JobTiming vms = JobTiming.of(config.job("vms").orElseThrow());
        assertThat(vms.replicate()).isPresent();
        assertThat(vms.windows().windows()).hasSize(2);
        assertThat(config.job("db").orElseThrow().settings().hooks().timeout()).isEqualTo("5m");
    }

    @Test
    void verifyEveryIsAJobScheduleTakenFromDefaultsAndAtLeastAMinute() {
        Config config = loader.parse(FILE, """
                defaults:
                  verify-every: 7d
                jobs:
                  - name: a
                    source: tank/a
                    targets: [nas:pool/a]
                  - name: b
                    source: tank/b
                    targets: [nas:pool/b]
                    verify-every: 1d
                """);
        assertThat(config.job("a").orElseThrow().settings().verifyEvery()).isEqualTo("7d");
        assertThat(JobTiming.of(config.job("a").orElseThrow()).verify()).isPresent();
        assertThat(config.job("b").orElseThrow().settings().verifyEvery()).isEqualTo("1d");
        assertThat(problems("""
                jobs:
                  - name: a
                    source: tank/a
                    targets: [pool/a]
                    verify-every: 10s
                """).problems()).contains("test.yaml: line 5, column 19: verify-every must be at least 1m, got '10s'");
        assertThat(JobTiming.of(loader.parse(FILE, """
                jobs:
                  - name: a
                    source: tank/a
                    targets: [pool/a]
                """).job("a").orElseThrow()).verify()).as("no verify-every: the daemon never verifies").isEmpty();
    }

    @Test
    void eachBadJobValueIsOneProblemAtItsLineAndColumnSayingHowToFixIt() {
        String yaml = """
                jobs:
                  - name: a
                    source: tank/a
                    targets: [pool/a]
                    replicate-every: soon
                    prune-every: 10s
                    rpo-warn: 2d
                    rpo-critical: 1d
                    windows:
                      - {days: weekdays, from: "8 am", bwlimit: fast}
                    hooks: {pre-snapshot: "", timeout: forever}
                  - name: b
                    source: tank/b
                    targets: [pool/b]
                    cron: "61 * * * *"
                  - name: c
                    source: tank/c
                    targets: [pool/c]
                    windows: [{days: mon, colour: red}]
                  - name: d
                    source: tank/d
                    targets: [pool/d]
                    cron: "0 2 * * *"
                    replicate-every: 1h
                """;
        List<String> p = problems(yaml).problems();
        assertThat(p).contains(
                "test.yaml: line 5, column 22: invalid replicate-every 'soon': use a number and a unit, s m h d or w "
                        + "(e.g. 15m, 1h, 1d)",
                "test.yaml: line 6, column 18: prune-every must be at least 1m, got '10s'",
                "test.yaml: line 8, column 19: rpo-critical (1d) must not be shorter than rpo-warn (2d)",
                "test.yaml: line 11, column 27: pre-snapshot must be a command or a list of commands, none empty");
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 10, column 16: invalid days 'weekdays'"));
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 10, column 32: invalid from '8 am'"));
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 10, column 49: invalid rate 'fast'"));
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 11, column 40: invalid timeout 'forever'"));
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 15, column 11: invalid cron '61 * * * *'")
                .contains("five fields"));
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 19, column 35:").contains("colour"));
        assertThat(p).contains("test.yaml: line 23, column 11: set replicate-every or cron, not both");
    }

    @Test
    void aBadCronInAZonedJobIsOneProblem() {
        assertThat(problems("""
                defaults: {timezone: Europe/Berlin}
                jobs:
                  - {name: a, source: tank/a, targets: [pool/a], cron: "0 2 * *"}
                """).problems()).singleElement().asString().startsWith("test.yaml: line 3, column 56: invalid cron '0 2 * *'");
    }

    @Test
    void eachBadServiceValueIsOneProblemAtItsLineAndColumn() {
        String yaml = """
                history: {keep: a while}
                http: {listen: "localhost", token-file: /nonexistent/token}
                alerts:
                  repeat-every: 6 hours
                  webhook: {url: "ftp://example.org", retries: 99}
                  email: {smtp-host: mail, from: nobody, to: [ok@example.org, bad], username: u}
                  colour: red
                printer: lp0
                jobs:
                  - {name: a, source: tank/a, targets: [pool/a]}
                """;
        List<String> p = problems(yaml).problems();
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 1, column 17: invalid keep 'a while'"));
        assertThat(p).contains(
                "test.yaml: line 2, column 16: listen must be HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:9860 "
                        + "or [::1]:9860), not 'localhost'",
                "test.yaml: line 2, column 41: /nonexistent/token does not exist or cannot be read; create it (mode 0600) "
                        + "or fix the path",
                "test.yaml: line 8, column 10: unknown top-level key 'printer' (expected one of defaults, jobs, history, "
                        + "http, alerts)");
        assertThat(p).contains("test.yaml: line 4, column 17: invalid repeat-every '6 hours': use a number and a unit, "
                + "s m h d or w (e.g. 15m, 1h, 1d)");
        assertThat(p).as("alerts: binds as a whole, so its first bad value stops it").hasSize(5);
    }

    @Test
    void badWebhookAndEmailValuesAreEachReported() {
        String yaml = """
                alerts:
                  webhook: {url: "ftp://example.org", retries: 99}
                  email: {smtp-host: mail, from: nobody, to: [ok@example.org, bad], username: u, port: 0}
                jobs:
                  - {name: a, source: tank/a, targets: [pool/a]}
                """;
        List<String> p = problems(yaml).problems();
        assertThat(p).anySatisfy(x -> assertThat(x).startsWith("test.yaml: line 2, column 18: webhook needs url: an http://"));
        assertThat(p).contains(
                "test.yaml: line 2, column 48: retries must be between 0 and 20, got 99",
                "test.yaml: line 3, column 34: email needs from: a mail address (e.g. zfs-sync@example.org), not 'nobody'",
                "test.yaml: line 3, column 63: 'bad' is not a mail address (e.g. admin@example.org)",
                "test.yaml: line 3, column 79: a username needs password-file: (a file holding the password, mode 0600)",
                "test.yaml: line 3, column 88: port must be between 1 and 65535 (587 for STARTTLS), got 0");
        assertThat(problems("""
                alerts: {repeat-every: 6h}
                jobs:
                  - {name: a, source: tank/a, targets: [pool/a]}
                """).problems()).containsExactly("test.yaml: line 1, column 9: alerts: needs at least one of webhook:, "
                + "email: or command:");
    }
}
