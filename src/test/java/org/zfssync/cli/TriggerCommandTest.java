package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.web.HttpSettings;
import org.zfssync.web.ListenAddress;
import org.zfssync.web.RunSummary;
import org.zfssync.web.ServiceMetrics;
import org.zfssync.web.ServiceStatus;
import org.zfssync.web.StatusServer;
import org.zfssync.web.StatusSource;
import org.zfssync.web.TriggerResult;

/** {@code zfs-sync trigger} against a real status server on a loopback port. */
class TriggerCommandTest {
    private final List<String> triggered = new CopyOnWriteArrayList<>();
    private StatusServer server;

    @TempDir
    Path dir;

    private String start(Optional<Path> tokenFile) {
        StatusSource empty = new StatusSource() {
            @Override
            public ServiceStatus status() {
                return new ServiceStatus(Instant.EPOCH, List.of(), List.of(), List.of());
            }

            @Override
            public List<RunSummary> runs(String job, Instant since, int limit) {
                return List.of();
            }
        };
        server = StatusServer.start(new HttpSettings(new ListenAddress("127.0.0.1", 0), tokenFile), empty, job -> {
            switch (job) {
                case "nightly job" -> {
                    triggered.add(job);
                    return TriggerResult.ACCEPTED;
                }
                case "busy" -> {
                    return TriggerResult.ALREADY_RUNNING;
                }
                default -> {
                    return TriggerResult.UNKNOWN_JOB;
                }
            }
        }, new ServiceMetrics(empty));
        return server.uri().toString();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anAcceptedTriggerSaysSoAndExitsZero() {
        CliTest.Result r = CliTest.run("trigger", "nightly job", "--url", start(Optional.empty()));
        assertThat(r.exit()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("job nightly job triggered");
        assertThat(triggered).containsExactly("nightly job");
    }

    @Test
    void anUnknownJobIsAUsageError() {
        CliTest.Result r = CliTest.run("trigger", "nope", "--url", start(Optional.empty()));
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().strip()).isEqualTo("zfs-sync: the daemon has no job named 'nope'");
    }

    @Test
    void aRunningJobIsLocked() {
        CliTest.Result r = CliTest.run("trigger", "busy", "--url", start(Optional.empty()));
        assertThat(r.exit()).isEqualTo(ExitCodes.LOCKED);
        assertThat(r.err()).contains("job busy is already running");
    }

    @Test
    void theTokenIsSentFromItsFileAndAMissingOrWrongOneIsDenied() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "right-token\n");
        Path wrong = Files.writeString(dir.resolve("wrong"), "wrong-token\n");
        String url = start(Optional.of(token));

        CliTest.Result none = CliTest.run("trigger", "nightly job", "--url", url);
        assertThat(none.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(none.err()).contains("needs its token: pass --token-file");

        CliTest.Result bad = CliTest.run("trigger", "nightly job", "--url", url, "--token-file", wrong.toString());
        assertThat(bad.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(bad.err()).contains("refused the token in " + wrong);
        assertThat(triggered).isEmpty();

        CliTest.Result ok = CliTest.run("trigger", "nightly job", "--url", url, "--token-file", token.toString());
        assertThat(ok.exit()).isEqualTo(ExitCodes.OK);
        assertThat(triggered).containsExactly("nightly job");
    }

    @Test
    void noDaemonIsAPrerequisiteNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CliTest.Result r = CliTest.run("trigger", "nightly job", "--url", "http://127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(ExitCodes.PREREQUISITE);
        assertThat(r.err().strip()).isEqualTo("zfs-sync: no zfs-sync daemon listens on http://127.0.0.1:" + port
                + "/; is `http:` set in the config and the daemon running?");
    }

    @Test
    void badInputIsOneLine() {
        CliTest.Result url = CliTest.run("trigger", "j", "--url", "ftp://x");
        assertThat(url.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(url.err().strip()).isEqualTo("zfs-sync: --url 'ftp://x' is not an http://HOST:PORT address");
        CliTest.Result token = CliTest.run("trigger", "j", "--token-file", dir.resolve("absent").toString());
        assertThat(token.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(token.err()).contains("cannot be read").hasLineCount(1);
        assertThat(CliTest.run("trigger").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void helpNamesTheOptionsAndExitCodeSix() {
        CliTest.Result r = CliTest.run("trigger", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--url", "--token-file", "6  trigger: the daemon refused the token");
    }
}
