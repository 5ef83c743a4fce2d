package org.zfssync.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.history.HistoryStore;
import org.zfssync.host.HostPool;
import org.zfssync.job.Config;
import org.zfssync.job.ConfigLoader;
import org.zfssync.replication.Cancellation;
import org.zfssync.testing.FakeZfsHost;

/**
 * The daemon in-process, on in-memory ZFS hosts, with its real history, status server and alert
 * webhook: jobs run at start, a trigger runs one now, a target unreachable sends one failure
 * alert and the next success one recovery, a broken config on reload leaves the jobs as they were,
 * and a cancellation (SIGTERM) ends the loop.
 */
class ServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, FakeZfsHost> hosts = new ConcurrentHashMap<>();
    private final List<String> alerts = Collections.synchronizedList(new ArrayList<>());
    private Cancellation cancellation = new Cancellation();
    private HttpServer webhook;
    private Thread loop;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws InterruptedException {
        cancellation.cancel("test over");
        if (loop != null) {
            loop.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    private HostPool.Factory factory() {
        return org.zfssync.testing.FakeHostPools.of(hosts);
    }

    private Path config(String jobTwoInterval) throws IOException {
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                alerts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        Path file = dir.resolve("zfs-sync.yaml");
        Files.writeString(file, """
                defaults:
                  recursive: false
                jobs:
                  - name: one
                    source: src:tank/one
                    targets: [nas:backup/one]
                    replicate-every: 1h
                  - name: two
                    source: src:tank/two
                    targets: [nas:backup/two]
                    replicate-every: %s
                http:
                  listen: 127.0.0.1:%d
                alerts:
                  webhook:
                    url: http://127.0.0.1:%d/
                    retries: 0
                """.formatted(jobTwoInterval, freePort(), webhook.getAddress().getPort()));
        return file;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Service start(Path file) {
        FakeZfsHost src = new FakeZfsHost("src").pool("tank").create("tank/one").create("tank/two");
        src.write("tank/one", 1 << 20).write("tank/two", 1 << 20);
        hosts.put("src", src);
        hosts.put("nas", new FakeZfsHost("nas").pool("backup"));
        return startAgain(file);
    }

    /** The daemon (again) on the hosts as they are, with a fresh cancellation. */
    private Service startAgain(Path file) {
        cancellation = new Cancellation();
        Config config = new ConfigLoader().load(file);
        Service service = Service.start(config, new Service.Options(dir.resolve("history.db"), false,
                dir.resolve("locks"), Clock.systemUTC(), factory()), cancellation);
        loop = new Thread(() -> {
            try (service) {
                service.run();
            }
        }, "daemon under test");
        loop.start();
        return service;
    }

    private JsonNode status(Service service) throws IOException, InterruptedException {
        URI uri = service.uri().orElseThrow().resolve("/api/status");
        return JSON.readTree(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /**
     * Triggers a job once it is idle. A run is in the history (ended) a moment before the daemon
     * forgets it as running, so a trigger right after the test saw it end may get 409 (a run in
     * progress), which is right; the test wants the next run, so it asks again for up to 10 s.
     */
    private int trigger(Service service, String job) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status = triggerOnce(service, job);
        while (status == 409 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            status = triggerOnce(service, job);
        }
        return status;
    }

    private int triggerOnce(Service service, String job) throws IOException, InterruptedException {
        URI uri = service.uri().orElseThrow().resolve("/api/jobs/" + job + "/run");
        return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static JsonNode target(JsonNode status, String job) {
        for (JsonNode j : status.get("jobs")) {
            if (j.get("name").asText().equals(job)) {
                return j.get("targets").get(0);
            }
        }
        throw new AssertionError("no job " + job + " in " + status);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private int runsOf(String job) {
        try (HistoryStore store = HistoryStore.open(dir.resolve("history.db"))) {
            return (int) store.runs(job, Instant.EPOCH, 1000).stream().filter(r -> r.ended() != null).count();
        }
    }

    private int verifiesOf(String job) {
        try (HistoryStore store = HistoryStore.open(dir.resolve("history.db"))) {
            return store.verifications(job, 1000).size();
        }
    }

    @Test
    void verifyEveryRunsBesideTheJobIsRecordedApartFromItsRunsAndARestartCountsFromTheLastOne() throws Exception {
        Path file = dir.resolve("zfs-sync.yaml");
        Files.writeString(file, """
                jobs:
                  - name: one
                    source: src:tank/one
                    targets: [nas:backup/one]
                    recursive: false
                    replicate-every: 1h
                    verify-every: 7d
                """);
        start(file);
        await("the verify at start", () -> verifiesOf("one") == 1);
        await("the replication at start", () -> runsOf("one") == 1);
        try (HistoryStore store = HistoryStore.open(dir.resolve("history.db"))) {
            HistoryStore.Verification v = store.verifications("one", 10).get(0);
            assertThat(v.source()).isEqualTo("src:tank/one");
            assertThat(v.target()).isEqualTo("nas:backup/one");
            assertThat(v.deep()).isTrue();
            // The in-memory hosts run no shell scripts: the content cannot be read, and says so.
            assertThat(v.result()).isIn("equal", "different", "unchecked");
        }
        cancellation.cancel("restart");
        loop.join(TimeUnit.SECONDS.toMillis(30));
        startAgain(file);
        Thread.sleep(1000);
        assertThat(verifiesOf("one")).as("a restart counts verify-every from the recorded verify").isEqualTo(1);
        assertThat(runsOf("one")).isEqualTo(1);
    }

    @Test
    void jobsRunAtStartAndTriggersAlertsAndRecoveryFollowTheTarget() throws Exception {
        Service service = start(config("1h"));
        await("both jobs ran once at start", () -> runsOf("one") == 1 && runsOf("two") == 1);
        JsonNode first = status(service);
        assertThat(target(first, "two").get("lastSuccess").isNull()).as("%s", first).isFalse();
        assertThat(target(first, "two").get("newestSnapshot").asText()).startsWith("zfs-sync_");
        // No RPO alert: the job sets no threshold (and the fake's snapshots are dated 2023).
        assertThat(hosts.get("nas").snapshots("backup/two")).hasSize(1);

        FakeZfsHost nas = hosts.remove("nas");
        assertThat(trigger(service, "two")).isEqualTo(202);
        await("the failed run of two", () -> runsOf("two") == 2);
        JsonNode down = status(service);
        assertThat(target(down, "two").get("failingSince").isNull()).as("%s", down).isFalse();
        assertThat(target(down, "two").get("lastError").asText()).contains("Connection refused");
        assertThat(trigger(service, "two")).isEqualTo(202);
        await("the second failed run", () -> runsOf("two") == 3);
        await("one failure alert", () -> alerts.size() >= 1);

        hosts.put("nas", nas);
        assertThat(trigger(service, "two")).isEqualTo(202);
        await("the run that recovers", () -> runsOf("two") == 4);
        await("the recovery alert", () -> alerts.size() >= 2);
        Thread.sleep(300); // nothing more may come
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0)).contains("\"FAILURE\"", "\"two\"", "Connection refused");
        assertThat(alerts.get(1)).contains("\"RECOVERY\"", "\"two\"");
        assertThat(target(status(service), "two").get("failingSince").isNull()).isTrue();
        assertThat(trigger(service, "nosuchjob")).isEqualTo(404);
        assertThat(runsOf("one")).as("one ran only at start: its next slot is an hour away").isEqualTo(1);
    }

    @Test
    void aBrokenConfigOnReloadKeepsTheJobsAndAGoodOneReplacesThem() throws Exception {
        Path file = config("1h");
        Service service = start(file);
        await("both jobs ran", () -> runsOf("one") == 1 && runsOf("two") == 1);
        String good = Files.readString(file);
        Files.writeString(file, good.replace("replicate-every: 1h", "replicate-every: often"));
        service.reload();
        Thread.sleep(500);
        assertThat(status(service).get("jobs")).as("both jobs stay after a broken reload").hasSize(2);
        assertThat(trigger(service, "two")).isEqualTo(202);
        await("two still runs", () -> runsOf("two") == 2);

        Files.writeString(file, good.replace("""
                  - name: two
                    source: src:tank/two
                    targets: [nas:backup/two]
                    replicate-every: 1h
                """, ""));
        service.reload();
        await("the good config replaced the jobs", () -> {
            try {
                return status(service).get("jobs").size() == 1;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(trigger(service, "two")).as("a job the reload removed").isEqualTo(404);
    }

    @Test
    void aRestartRemembersAFailingTargetAlertsItsRecoveryAndNotItsFailureAgain() throws Exception {
        Path file = config("1h");
        start(file);
        await("both jobs ran", () -> runsOf("one") == 1 && runsOf("two") == 1);
        cancellation.cancel("restart");
        loop.join(TimeUnit.SECONDS.toMillis(30));
        FakeZfsHost nas = hosts.remove("nas");
        Service second = startAgain(file);
        assertThat(trigger(second, "two")).isEqualTo(202);
        await("the failed run", () -> runsOf("two") == 2);
        await("its failure alert", () -> alerts.size() == 1);
        cancellation.cancel("restart");
        loop.join(TimeUnit.SECONDS.toMillis(30));

        hosts.put("nas", nas);
        Service third = startAgain(file);
        assertThat(trigger(third, "two")).isIn(202, 409);
        await("the run that recovers", () -> runsOf("two") == 3);
        await("the recovery alert", () -> alerts.size() == 2);
        Thread.sleep(300);
        assertThat(alerts).hasSize(2);
        assertThat(alerts.get(0)).contains("\"FAILURE\"");
        assertThat(alerts.get(1)).as("recovery after a restart, no second failure").contains("\"RECOVERY\"");
    }

    @Test
    void cancellationEndsTheLoop() throws Exception {
        start(config("1h"));
        await("both jobs ran", () -> runsOf("one") == 1 && runsOf("two") == 1);
        cancellation.cancel("SIGTERM");
        loop.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(loop.isAlive()).as("the daemon loop after cancellation").isFalse();
    }

    @Test
    void aJobWhoseLastRunWasCutRunsAtOnceAndOthersKeepTheirLastStart() {
        Instant t1 = Instant.parse("2026-11-26T10:00:00Z");
        Instant t2 = Instant.parse("2026-11-26T11:00:00Z");
        List<org.zfssync.history.StatusRow> rows = List.of(
                new org.zfssync.history.StatusRow("a", "s:p/a", "n:b/a", t1, "SUCCESS", t1, null, null, null, null),
                new org.zfssync.history.StatusRow("a", "s:p/a", "m:b/a", t2, "FAILED", t1, null, null, t2, "x"),
                new org.zfssync.history.StatusRow("b", "s:p/b", "n:b/b", t2, "CANCELLED", t1, null, null, null, null),
                new org.zfssync.history.StatusRow(null, "s:p/c", "n:b/c", t2, "SUCCESS", t2, null, null, null, null));
        assertThat(Service.lastStarts(rows)).containsExactly(Map.entry("a", t2));
    }

    @Test
    void aCronLineThatNeverFiresIsRefusedWithItsPosition() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> new ConfigLoader().parse(Path.of("t.yaml"), """
                jobs:
                  - {name: a, source: tank/a, targets: [b/a], cron: "0 0 30 2 *"}
                """))).isInstanceOf(org.zfssync.job.ConfigException.class).hasMessageContaining("line 2")
                .hasMessageContaining("never fires");
    }

    @Test
    void thresholdsDefaultFromTheScheduleAndFromEachOther() {
        Config config = new ConfigLoader().parse(Path.of("t.yaml"), """
                jobs:
                  - {name: a, source: tank/a, targets: [b/a], replicate-every: 10m}
                  - {name: b, source: tank/a, targets: [b/b], rpo-warn: 1h}
                  - {name: c, source: tank/a, targets: [b/c], rpo-critical: 4h}
                  - {name: d, source: tank/a, targets: [b/d]}
                """);
        List<Duration[]> t = config.jobs().stream()
                .map(j -> DaemonStatus.thresholds(org.zfssync.job.JobTiming.of(j))).toList();
        assertThat(t.get(0)).containsExactly(Duration.ofMinutes(30), Duration.ofMinutes(60));
        assertThat(t.get(1)).containsExactly(Duration.ofHours(1), Duration.ofHours(2));
        assertThat(t.get(2)).containsExactly(Duration.ofHours(2), Duration.ofHours(4));
        assertThat(t.get(3)).containsExactly(Duration.ofDays(1), Duration.ofDays(2));
    }
}
