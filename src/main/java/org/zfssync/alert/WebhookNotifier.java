package org.zfssync.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * POSTs each alert as JSON ({@code {"kind", "job", "target", "message", "at"}}) to a URL. A
 * connection error, a timeout, a 429 or a 5xx is retried up to {@code retries} times with a
 * doubling pause (1 s, 2 s, 4 s ...); any other status is final, since sending the same body
 * again would get the same answer.
 */
public final class WebhookNotifier implements Notifier {
    /** Waits between tries; injected so tests do not wait. */
    @FunctionalInterface
    public interface Pause {
        void pause(Duration d) throws InterruptedException;
    }

    private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
    private final ObjectMapper json = new ObjectMapper();
    private final URI url;
    private final int retries;
    private final Duration timeout;
    private final HttpClient client;
    private final Pause pause;

    public WebhookNotifier(URI url, int retries, Duration timeout) {
        this(url, retries, timeout, d -> Thread.sleep(d.toMillis()));
    }

    public WebhookNotifier(URI url, int retries, Duration timeout, Pause pause) {
        this.url = url;
        this.retries = retries;
        this.timeout = timeout;
        this.pause = pause;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public void send(Alert alert) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "zfs-sync")
                .POST(HttpRequest.BodyPublishers.ofString(body(alert))).build();
        Duration wait = FIRST_PAUSE;
        String last = null;
        IOException cause = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                pause.pause(wait);
                wait = wait.multipliedBy(2);
            }
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    return;
                }
                last = "HTTP " + status;
                if (status != 429 && status < 500) {
                    break;
                }
            } catch (IOException e) {
                last = e.getMessage() == null ? e.toString() : e.getMessage();
                cause = e;
            }
        }
        throw new NotificationFailedException("webhook " + url + " did not take the alert: " + last, cause);
    }

    String body(Alert alert) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", alert.kind().name());
        m.put("job", alert.job());
        m.put("target", alert.target());
        m.put("message", alert.message());
        m.put("at", alert.at().toString());
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert of plain strings always serializes", e);
        }
    }
}
