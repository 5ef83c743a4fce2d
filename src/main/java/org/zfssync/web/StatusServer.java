package org.zfssync.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP server, on the JDK's {@link HttpServer}: the status page ({@code GET /}), the JSON API
 * ({@code GET /api/status}, {@code GET /api/runs}, {@code POST /api/jobs/NAME/run}), Prometheus
 * ({@code GET /metrics}) and {@code GET /healthz}. Who needs the token is {@link AccessPolicy}'s.
 *
 * <p>Requests are served by two threads of the server's own, so a slow client never holds up replication;
 * the daemon's threads only meet the server in {@link StatusSource} and {@link JobTrigger}, which answer at once.
 */
public final class StatusServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final int THREADS = 2;
    private static final int DEFAULT_RUNS = 100;
    private static final int MAX_RUNS = 1000;
    private static final Pattern TRIGGER = Pattern.compile("/api/jobs/([^/]+)/run");
    private static final String JSON = "application/json; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;
    private final StatusSource source;
    private final JobTrigger trigger;
    private final ServiceMetrics metrics;
    private final AccessPolicy access;
    private final ApiJson json = new ApiJson();

    private StatusServer(HttpServer server, ExecutorService threads, StatusSource source, JobTrigger trigger,
                         ServiceMetrics metrics, AccessPolicy access) {
        this.server = server;
        this.threads = threads;
        this.source = source;
        this.trigger = trigger;
        this.metrics = metrics;
        this.access = access;
    }

    /**
     * Binds to {@code settings.listen()} (that address only) and starts serving. A bad address, a port in use or
     * a missing token file on a non-loopback address is one line: {@link IllegalArgumentException} for what the
     * config says, {@link ServerStartException} for what the machine refuses.
     */
    public static StatusServer start(HttpSettings settings, StatusSource source, JobTrigger trigger,
                                     ServiceMetrics metrics) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(metrics, "metrics");
        InetSocketAddress address = settings.listen().resolve();
        AccessPolicy access = new AccessPolicy(settings.tokenFile().map(BearerToken::read),
                address.getAddress().isLoopbackAddress(), settings.listen());
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (BindException e) {
            throw new ServerStartException("cannot listen on " + settings.listen() + ": " + e.getMessage()
                    + " (is another zfs-sync daemon running, or is the address not on this machine?)", e);
        } catch (IOException e) {
            throw new ServerStartException("cannot listen on " + settings.listen() + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newFixedThreadPool(THREADS, new Named());
        StatusServer status = new StatusServer(server, threads, source, trigger, metrics, access);
        server.createContext("/", status::handle);
        server.setExecutor(threads);
        server.start();
        LOG.info("status page and API on {}", status.uri());
        return status;
    }

    /** The address bound (with the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:9860/}. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /** Stops listening, lets requests in flight finish (one second at most), and ends the threads. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            drain(exchange.getRequestBody());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (!access.admits(method, path, exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"zfs-sync\"");
                sendJson(exchange, 401, new ApiJson.Error("missing or wrong bearer token: send 'Authorization: "
                        + "Bearer TOKEN' with the token from the daemon's http.token-file"));
                return;
            }
            route(exchange, method, path);
        } catch (RuntimeException e) {
            // The server thread must survive whatever the daemon's side throws; the client learns it failed.
            LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString(), e);
            sendJson(exchange, 500, new ApiJson.Error("internal error: " + e.getMessage()));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange, String method, String path) throws IOException {
        Matcher triggerPath = TRIGGER.matcher(path);
        if (triggerPath.matches()) {
            if (allowed(exchange, method, "POST")) {
                trigger(exchange, URLDecoder.decode(triggerPath.group(1).replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            return;
        }
        switch (path) {
            case "/" -> {
                if (allowed(exchange, method, "GET")) {
                    send(exchange, 200, "text/html; charset=utf-8", StatusPage.render(source.status()));
                }
            }
            case "/api/status" -> {
                if (allowed(exchange, method, "GET")) {
                    sendJson(exchange, 200, ApiJson.status(source.status()));
                }
            }
            case "/api/runs" -> {
                if (allowed(exchange, method, "GET")) {
                    runs(exchange);
                }
            }
            case "/metrics" -> {
                if (allowed(exchange, method, "GET")) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    metrics.writeTo(body);
                    send(exchange, 200, metrics.contentType(), body.toByteArray());
                }
            }
            case "/healthz" -> {
                if (allowed(exchange, method, "GET")) {
                    send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
                }
            }
            default -> sendJson(exchange, 404, new ApiJson.Error("no such page: " + path
                    + " (there are /, /api/status, /api/runs, /api/jobs/NAME/run, /metrics, /healthz)"));
        }
    }

    /** Whether the method fits; answers 405 with {@code Allow} when not. HEAD is served wherever GET is. */
    private boolean allowed(HttpExchange exchange, String method, String expected) throws IOException {
        if (method.equals(expected) || (expected.equals("GET") && method.equals("HEAD"))) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", expected.equals("GET") ? "GET, HEAD" : expected);
        sendJson(exchange, 405, new ApiJson.Error(method + " is not allowed here; use " + expected));
        return false;
    }

    private void trigger(HttpExchange exchange, String job) throws IOException {
        TriggerResult result = trigger.trigger(job);
        switch (result) {
            case ACCEPTED -> {
                LOG.info("run of job {} triggered over HTTP", job);
                sendJson(exchange, result.httpStatus(), new ApiJson.Triggered(job, result.id()));
            }
            case UNKNOWN_JOB -> sendJson(exchange, result.httpStatus(),
                    new ApiJson.Error("no job named '" + job + "' in the daemon's config"));
            case ALREADY_RUNNING -> sendJson(exchange, result.httpStatus(),
                    new ApiJson.Error("job '" + job + "' is already running"));
        }
    }

    private void runs(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String job = query.get("job");
        Instant since;
        int limit;
        try {
            since = query.containsKey("since") ? Instant.parse(query.get("since")) : Instant.EPOCH;
        } catch (DateTimeParseException e) {
            sendJson(exchange, 400, new ApiJson.Error("since must be an ISO-8601 instant such as "
                    + "2024-05-01T00:00:00Z, not '" + query.get("since") + "'"));
            return;
        }
        try {
            limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : DEFAULT_RUNS;
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_RUNS) {
            sendJson(exchange, 400, new ApiJson.Error("limit must be a whole number from 1 to " + MAX_RUNS
                    + ", not '" + query.get("limit") + "'"));
            return;
        }
        List<RunSummary> runs = source.runs(job == null || job.isEmpty() ? null : job, since, limit);
        sendJson(exchange, 200, new ApiJson.Runs(ApiJson.runs(runs)));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            query.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return query;
    }

    private void sendJson(HttpExchange exchange, int status, Object document) throws IOException {
        send(exchange, status, JSON, json.write(document) + "\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (contentType.startsWith("text/html")) {
            // No script anywhere on the page: forbid it outright, so an escaping slip could not run one either.
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            exchange.getResponseBody().write(body);
        }
    }

    /**
     * Reads what a client sent (no endpoint takes a body) so the connection can be reused; past 64 KiB the
     * rest is left, and the connection closes with the exchange.
     */
    private static void drain(InputStream body) throws IOException {
        byte[] sink = new byte[4096];
        int total = 0;
        for (int n = body.read(sink); n >= 0 && total < 65536; n = body.read(sink)) {
            total += n;
        }
    }

    /** Names the server's threads (and makes them daemon threads, so they never keep the JVM alive). */
    private static final class Named implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "zfs-sync-http-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
