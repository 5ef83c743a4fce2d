package org.zfssync.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeService service = new FakeService();
    private StatusServer server;
    private HttpTestClient http;

    @TempDir
    Path dir;

    private void start(Optional<Path> tokenFile) {
        server = StatusServer.start(new HttpSettings(new ListenAddress("127.0.0.1", 0), tokenFile), service, service,
                new ServiceMetrics(service));
        http = new HttpTestClient(server.uri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void statusPageIsHtml() throws Exception {
        start(Optional.empty());
        HttpResponse<String> page = http.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'"));
        assertThat(page.body()).contains("data-job=\"home\"", "data-job=\"vms\"");
    }

    @Test
    void apiStatusHasStableFieldsIsoTimesAndSeconds() throws Exception {
        start(Optional.empty());
        HttpResponse<String> response = http.get("/api/status");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.get("now").asText()).isEqualTo("2024-05-01T12:00:00Z");
        JsonNode vms = status.get("jobs").get(1);
        assertThat(vms.get("name").asText()).isEqualTo("vms");
        assertThat(vms.get("level").asText()).isEqualTo("critical");
        assertThat(vms.get("rpoWarnSeconds").asLong()).isEqualTo(7200);
        assertThat(vms.get("rpoCriticalSeconds").asLong()).isEqualTo(43200);
        assertThat(vms.get("nextRun").isNull()).isTrue();
        assertThat(vms.get("running").asBoolean()).isTrue();
        JsonNode target = vms.get("targets").get(0);
        assertThat(target.get("rpoSeconds").asLong()).isEqualTo(30 * 3600);
        assertThat(target.get("level").asText()).isEqualTo("critical");
        assertThat(target.get("failingSince").asText()).isEqualTo("2024-04-30T07:00:00Z");
        assertThat(target.get("lastError").asText()).isEqualTo(FakeService.VMS_ERROR);
        assertThat(target).hasSize(8);
        JsonNode transfer = status.get("running").get(0);
        assertThat(transfer.get("etaSeconds").asLong()).isEqualTo(427);
        assertThat(transfer.get("bytes").asLong()).isEqualTo(3L << 30);
        assertThat(status.get("recentRuns")).hasSize(3);
        assertThat(status.get("recentRuns").get(0).get("durationSeconds").asLong()).isEqualTo(10);
    }

    @Test
    void apiRunsPassesItsFiltersAndRejectsBadOnesInOneLine() throws Exception {
        start(Optional.empty());
        HttpResponse<String> home = http.get("/api/runs?job=home&since=2024-05-01T10:00:00Z&limit=5");
        assertThat(home.statusCode()).isEqualTo(200);
        JsonNode runs = JSON.readTree(home.body()).get("runs");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("id").asLong()).isEqualTo(2);
        assertThat(runs.get(0).get("error").isNull()).isTrue();
        assertThat(service.runsQueries).containsExactly("home|2024-05-01T10:00:00Z|5");

        assertThat(http.get("/api/runs").statusCode()).isEqualTo(200);
        assertThat(service.runsQueries).last().isEqualTo("null|1970-01-01T00:00:00Z|100");

        HttpResponse<String> badSince = http.get("/api/runs?since=yesterday");
        assertThat(badSince.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badSince.body()).get("error").asText()).contains("ISO-8601", "'yesterday'");
        assertThat(http.get("/api/runs?limit=0").statusCode()).isEqualTo(400);
        assertThat(http.get("/api/runs?limit=lots").statusCode()).isEqualTo(400);
        assertThat(http.get("/api/runs?limit=1001").statusCode()).isEqualTo(400);
    }

    @Test
    void triggerAnswersAcceptedUnknownOrRunning() throws Exception {
        start(Optional.empty());
        HttpResponse<String> accepted = http.send("POST", "/api/jobs/home/run", null);
        assertThat(accepted.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(accepted.body()).get("result").asText()).isEqualTo("accepted");
        assertThat(service.triggered).containsExactly("home");

        HttpResponse<String> unknown = http.send("POST", "/api/jobs/no%20such/run", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("no job named 'no such'");

        // A job name is one path segment, percent-decoded; '+' is itself there, not a space.
        assertThat(http.send("POST", "/api/jobs/a+b/run", null).body()).contains("no job named 'a+b'");

        HttpResponse<String> running = http.send("POST", "/api/jobs/vms/run", null);
        assertThat(running.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(running.body()).get("error").asText()).contains("already running");
        assertThat(service.triggered).containsExactly("home");
    }

    @Test
    void wrongMethodsAndPathsAreNamed() throws Exception {
        start(Optional.empty());
        HttpResponse<String> getTrigger = http.get("/api/jobs/home/run");
        assertThat(getTrigger.statusCode()).isEqualTo(405);
        assertThat(getTrigger.headers().firstValue("Allow")).contains("POST");
        assertThat(http.send("POST", "/api/status", null).statusCode()).isEqualTo(405);
        HttpResponse<String> missing = http.get("/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("/api/status");
        assertThat(service.triggered).isEmpty();
    }

    @Test
    void healthzMetricsAndHead() throws Exception {
        start(Optional.empty());
        assertThat(http.get("/healthz").body()).isEqualTo("ok\n");
        HttpResponse<String> metrics = http.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("zfs_sync_running_transfers 1");
        HttpResponse<String> head = http.send("HEAD", "/", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void aFailingStatusSourceIsA500AndTheServerGoesOn() throws Exception {
        StatusSource broken = new StatusSource() {
            @Override
            public ServiceStatus status() {
                throw new IllegalStateException("history database is locked");
            }

            @Override
            public java.util.List<RunSummary> runs(String job, java.time.Instant since, int limit) {
                return java.util.List.of();
            }
        };
        server = StatusServer.start(new HttpSettings(new ListenAddress("127.0.0.1", 0), Optional.empty()), broken,
                service, new ServiceMetrics(broken));
        http = new HttpTestClient(server.uri());
        HttpResponse<String> failed = http.get("/api/status");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).contains("history database is locked");
        assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void onLoopbackWithATokenReadingIsOpenAndTriggeringNeedsTheToken() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token-0123456789\n");
        start(Optional.of(token));
        assertThat(http.get("/api/status").statusCode()).isEqualTo(200);
        assertThat(http.get("/metrics").statusCode()).isEqualTo(200);

        HttpResponse<String> none = http.send("POST", "/api/jobs/home/run", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"zfs-sync\"");
        assertThat(JSON.readTree(none.body()).get("error").asText()).contains("bearer token", "http.token-file");
        assertThat(http.send("POST", "/api/jobs/home/run", "s3cret-token-012345678").statusCode()).isEqualTo(401);
        assertThat(service.triggered).isEmpty();

        assertThat(http.send("POST", "/api/jobs/home/run", "s3cret-token-0123456789").statusCode()).isEqualTo(202);
        assertThat(service.triggered).containsExactly("home");
    }

    @Test
    void aPortInUseIsOneLine() {
        start(Optional.empty());
        int port = server.address().getPort();
        HttpSettings same = new HttpSettings(new ListenAddress("127.0.0.1", port), Optional.empty());
        assertThatThrownBy(() -> StatusServer.start(same, service, service, new ServiceMetrics(service)))
                .isInstanceOf(ServerStartException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ")
                .hasMessageContaining("another zfs-sync daemon")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aNonLoopbackAddressWithoutATokenFileDoesNotStart() {
        HttpSettings open = HttpSettings.of("0.0.0.0:0", null);
        assertThatThrownBy(() -> StatusServer.start(open, service, service, new ServiceMetrics(service)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("http.listen 0.0.0.0:0 is reachable from other machines: set http.token-file too "
                        + "(or listen on 127.0.0.1)");
    }

    @Test
    void anUnreadableTokenFileDoesNotStart() {
        HttpSettings settings = HttpSettings.of("127.0.0.1:0", dir.resolve("absent").toString());
        assertThatThrownBy(() -> StatusServer.start(settings, service, service, new ServiceMetrics(service)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("http.token-file " + dir.resolve("absent") + " cannot be read");
    }

    @Test
    void closeFreesThePort() throws Exception {
        start(Optional.empty());
        int port = server.address().getPort();
        server.close();
        server = StatusServer.start(new HttpSettings(new ListenAddress("127.0.0.1", port), Optional.empty()), service,
                service, new ServiceMetrics(service));
        assertThat(new HttpTestClient(server.uri()).get("/healthz").statusCode()).isEqualTo(200);
    }
}
