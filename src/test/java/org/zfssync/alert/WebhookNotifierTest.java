package org.zfssync.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
    private static final Alert ALERT = new Alert(Alert.Kind.FAILURE, "vms", "nas:pool/vm", "failed: \"quoted\" boom",
            Instant.parse("2026-06-01T10:00:00Z"));
    private HttpServer server;
    private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<Duration> pauses = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertThat(exchange.getRequestMethod()).isEqualTo("POST");
            Integer status = statuses.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private WebhookNotifier notifier(int retries) {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        return new WebhookNotifier(url, retries, Duration.ofSeconds(5), pauses::add);
    }

    @Test
    void postsTheAlertAsJson() throws Exception {
        notifier(3).send(ALERT);
        assertThat(bodies).hasSize(1);
        JsonNode body = new ObjectMapper().readTree(bodies.get(0));
        assertThat(body.get("kind").asText()).isEqualTo("FAILURE");
        assertThat(body.get("job").asText()).isEqualTo("vms");
        assertThat(body.get("target").asText()).isEqualTo("nas:pool/vm");
        assertThat(body.get("message").asText()).isEqualTo("failed: \"quoted\" boom");
        assertThat(body.get("at").asText()).isEqualTo("2026-06-01T10:00:00Z");
        assertThat(pauses).isEmpty();
    }

    @Test
    void aServerErrorIsRetriedOnceThenTheSuccessEndsIt() throws Exception {
        statuses.add(500);
        statuses.add(200);
        notifier(3).send(ALERT);
        assertThat(bodies).hasSize(2);
        assertThat(pauses).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void retriesBackOffAndGiveUpWithTheLastStatus() {
        for (int i = 0; i < 4; i++) {
            statuses.add(503);
        }
        assertThatThrownBy(() -> notifier(3).send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageContaining("did not take the alert: HTTP 503");
        assertThat(bodies).hasSize(4);
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void aClientErrorIsNotRetried() {
        statuses.add(404);
        assertThatThrownBy(() -> notifier(3).send(ALERT)).hasMessageContaining("HTTP 404");
        assertThat(bodies).hasSize(1);
    }

    @Test
    void anUnreachableServerIsRetriedThenReported() {
        server.stop(0);
        assertThatThrownBy(() -> notifier(1).send(ALERT)).isInstanceOf(NotificationFailedException.class)
                .hasMessageContaining("did not take the alert");
        assertThat(pauses).hasSize(1);
    }
}
