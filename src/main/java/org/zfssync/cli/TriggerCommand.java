package org.zfssync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.zfssync.web.BearerToken;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code zfs-sync trigger JOB}: asks the running daemon, over its HTTP API, to run a job now. */
@Command(name = "trigger", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Ask the running zfs-sync daemon to run JOB now (POST /api/jobs/JOB/run). Returns as soon "
                + "as the daemon has queued the run; the status page and /api/runs show how it went. Needs "
                + "the daemon's `http:` section in the config.")
public final class TriggerCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job's name in the daemon's config.")
    String job;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:9860",
            description = "The daemon's HTTP address, its config's http.listen (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File with the API's bearer token, the daemon's http.token-file (needed when it has one).")
    Path tokenFile;

    @Override
    public Integer call() throws InterruptedException {
        URI base = base(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/jobs/" + pathSegment(job) + "/run"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
        if (tokenFile != null) {
            request.header("Authorization", "Bearer " + BearerToken.secret(tokenFile));
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return fail(ExitCodes.PREREQUISITE, "no zfs-sync daemon listens on " + base
                    + "; is `http:` set in the config and the daemon running?");
        } catch (IOException e) {
            return fail(ExitCodes.PREREQUISITE, "cannot reach the zfs-sync daemon at " + base + ": " + e);
        }
        return switch (response.statusCode()) {
            case 202 -> {
                spec.commandLine().getOut().println("job " + job + " triggered: the daemon runs it now");
                yield ExitCodes.OK;
            }
            case 404 -> fail(ExitCodes.USAGE, "the daemon has no job named '" + job + "'");
            case 409 -> fail(ExitCodes.LOCKED, "job " + job + " is already running; nothing triggered");
            case 401 -> fail(ExitCodes.DENIED, tokenFile == null
                    ? "the daemon's API needs its token: pass --token-file (its config's http.token-file)"
                    : "the daemon refused the token in " + tokenFile + "; is it the daemon's http.token-file?");
            default -> fail(ExitCodes.FAILED, "the daemon answered " + response.statusCode() + ": " + error(response.body()));
        };
    }

    private int fail(int exitCode, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("zfs-sync: " + message);
        err.flush();
        return exitCode;
    }

    private static URI base(String url) {
        try {
            URI uri = new URI(url.endsWith("/") ? url : url + "/");
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(url, "not http://HOST:PORT");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url '" + url + "' is not an http://HOST:PORT address");
        }
    }

    /** The job's name as one path segment (spaces as %20: the server reads '+' literally). */
    private static String pathSegment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The {@code error} field of the API's JSON answer, or the body as it is. */
    private static String error(String body) {
        try {
            JsonNode error = new ObjectMapper().readTree(body).path("error");
            return error.isTextual() ? error.asText() : body.strip();
        } catch (IOException e) {
            return body.strip();
        }
    }
}
