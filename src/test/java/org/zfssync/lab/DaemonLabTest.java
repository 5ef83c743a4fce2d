package org.zfssync.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code zfs-sync daemon} against real OpenZFS for more than five minutes: two jobs every minute
 * and a third whose transfer crosses a window boundary. History records every run; the RPO stays
 * under two minutes; a target made unreachable turns critical on the status page (read by
 * Chromium) and sends one failure alert to a webhook and to an SMTP server, and one recovery when
 * it returns; a broken config on SIGHUP is rejected with its line and column while the jobs go
 * on; the running transfer's rate follows the window; SIGTERM mid-transfer leaves no hold, and
 * the next start resumes the stream.
 */
@ZfsLab
@Tag("daemon")
class DaemonLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void scheduledJobsHistoryStatusAlertsReloadWindowsAndStop(LabFixture lab) throws Exception {
        String s = lab.sourcePool();
        lab.sh("zfs create " + s + "/one && zfs create " + s + "/two && zfs create " + s + "/big");
        lab.writeRandom(s + "/one", "f", 1);
        lab.writeRandom(s + "/two", "f", 1);
        lab.writeRandom(s + "/big", "f", 40);

        List<String> hooks = Collections.synchronizedList(new ArrayList<>());
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/alert", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                hooks.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        GreenMail smtp = new GreenMail(new ServerSetup(freePort(), "127.0.0.1", "smtp"));
        smtp.start();
        int httpPort = freePort();
        Path sshConfig = dir.resolve("ssh_config");
        writeSshConfig(lab, sshConfig, true);
        // The window opens at the first whole minute at least 50 s away: "big" starts at 256 KiB/s
        // and speeds up to 1 MiB/s there, mid-stream (a cap the emulated guest reaches even on a busy
        // machine: CI runs this test beside the 2.1 smoke subset).
        Instant boundary = Instant.now().plusSeconds(50).truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Path config = dir.resolve("zfs-sync.yaml");
        Path db = dir.resolve("history.db");
        String good = config(lab, sshConfig, db, httpPort, webhook.getAddress().getPort(), smtp.getSmtp().getPort(),
                boundary);
        Files.writeString(config, good);
        Path pid = dir.resolve("daemon.pid");
        Path locks = dir.resolve("locks");
        String base = "http://127.0.0.1:" + httpPort;
        SoftAssertions soft = new SoftAssertions();
        LabFixture.Background daemon = lab.startPlain("daemon", "-c", config.toString(), "--pid-file", pid.toString(),
                "--lock-dir", locks.toString());
        Instant t0 = Instant.now();
        try {
            // 1. The window boundary, seen in the running transfer's own counter.
            List<long[]> samples = new ArrayList<>(); // {millis since boundary, bytes}
            while (Instant.now().isBefore(boundary.plusSeconds(25)) && daemon.isAlive()) {
                JsonNode running = status(base).get("running");
                for (JsonNode r : running) {
                    if (r.get("job").asText().equals("big")) {
                        samples.add(new long[] {Duration.between(boundary, Instant.now()).toMillis(),
                                r.get("bytes").asLong()});
                    }
                }
                LabFixture.sleep(1000);
            }
            double before = rate(samples, -40_000, -2_000);
            double after = rate(samples, 4_000, 25_000);
            System.out.printf("[lab figures] daemon window: %.0f B/s before the boundary, %.0f B/s after (%d samples)%n",
                    before, after, samples.size());
            soft.assertThat(before).as("rate before the window opens (256 KiB/s cap)").isBetween(1.0, 400_000.0);
            soft.assertThat(after).as("rate after it opened (1 MiB/s cap)").isGreaterThan(2.5 * before);

            // 2. Two minutes in: every job has replicated, the RPO is under two minutes.
            awaitUntil(t0.plusSeconds(130));
            JsonNode ok = status(base);
            for (String job : List.of("one", "two")) {
                JsonNode target = job(ok, job).get("targets").get(0);
                soft.assertThat(target.get("lastSuccess").isNull()).as("%s has succeeded\n%s", job, ok).isFalse();
                soft.assertThat(target.get("rpoSeconds").asLong()).as("RPO of %s", job).isLessThan(120);
            }
            LabFixture.Run statusCli = lab.zfsSyncPlain("status", "--json", "--history-db", db.toString());
            soft.assertThat(statusCli.stdout()).as("zfs-sync status\n%s", statusCli).contains("\"one\"", "\"two\"");

            // 3. Target of "two" unreachable for about three minutes: critical, one failure alert.
            Instant lastGood = Instant.now();
            writeSshConfig(lab, sshConfig, false);
            awaitUntil(lastGood.plusSeconds(150));
            JsonNode down = status(base);
            JsonNode twoDown = job(down, "two").get("targets").get(0);
            soft.assertThat(twoDown.get("level").asText()).as("two while unreachable\n%s", down).isEqualTo("critical");
            soft.assertThat(twoDown.get("lastError").asText()).as("two's error").isNotBlank();
            String dom = chromium(lab, base + "/", "--dump-dom");
            soft.assertThat(dom).as("the page in Chromium").contains("data-job=\"one\"", "data-job=\"two\"")
                    .contains("class=\"rpo critical\"");
            chromium(lab, base + "/", "--window-size=1280,900", "--screenshot="
                    + Path.of("target", "daemon-status-page.png").toAbsolutePath());
            String metrics = get(base + "/metrics");
            soft.assertThat(metrics).as("/metrics").contains("zfs_sync_runs_total{job=\"one\"",
                    "zfs_sync_rpo_seconds{job=\"two\"", "zfs_sync_last_success_timestamp_seconds{job=\"one\"");

            // 4. Back: recovery. A broken config on SIGHUP is rejected; the jobs go on.
            writeSshConfig(lab, sshConfig, true);
            Files.writeString(config, good.replace("replicate-every: 1m", "replicate-every: often"));
            LabFixture.Run reload = lab.zfsSyncPlain("reload", "--pid-file", pid.toString());
            soft.assertThat(reload.exitCode()).as("reload\n%s", reload).isZero();
            LabFixture.sleep(3000);
            Files.writeString(config, good);
            awaitUntil(Instant.now().plusSeconds(80));
            JsonNode back = status(base);
            soft.assertThat(job(back, "two").get("targets").get(0).get("failingSince").isNull())
                    .as("two recovered\n%s", back).isTrue();
            soft.assertThat(daemon.stderrSoFar()).as("the rejected reload, with line and column")
                    .contains("reload of " + config + " rejected").containsPattern("line \\d+, column \\d+")
                    .contains("often");

            // 5. A transfer running at SIGTERM: stopped resumable, nothing held; the next start resumes it.
            lab.writeRandom(s + "/big", "g", 24);
            LabFixture.Run trigger = lab.zfsSyncPlain("trigger", "big", "--url", base);
            soft.assertThat(trigger.exitCode()).as("trigger\n%s", trigger).isZero();
            awaitRunning(base, "big", 2_000_000);
            daemon.term();
            LabFixture.Run stopped = daemon.await(Duration.ofMinutes(2));
            soft.assertThat(stopped.exitCode()).as("daemon after SIGTERM").isEqualTo(143);
            soft.assertThat(lab.leftovers().holds()).as("holds after SIGTERM").isEmpty();
            soft.assertThat(lab.resumeTokens(lab.targetPool())).as("resume state kept").containsKey(lab.targetPool()
                    + "/big");
        } finally {
            if (daemon.isAlive()) {
                daemon.kill();
            }
        }
        LabFixture.Background again = lab.startPlain("daemon", "-c", config.toString(), "--pid-file", pid.toString(),
                "--lock-dir", locks.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (System.nanoTime() < deadline && !lab.resumeTokens(lab.targetPool()).isEmpty()) {
                LabFixture.sleep(2000);
            }
            awaitIdle(base, "big");
            again.term();
            LabFixture.Run second = again.await(Duration.ofMinutes(2));
            soft.assertThat(second.stderr()).as("the second start resumed the stream").containsIgnoringCase("resum");
            soft.assertThat(lab.resumeTokens(lab.targetPool())).as("tokens after the second start").isEmpty();
            soft.assertThat(lab.checksum(lab.targetPool() + "/big")).as("big arrived whole")
                    .isEqualTo(lab.checksumOfNewestSnapshot(s + "/big"));
        } finally {
            if (again.isAlive()) {
                again.kill();
            }
            webhook.stop(0);
        }
        // Read before the server stops: stopping it empties its store.
        List<String> subjects = new ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            subjects.add(m.getSubject());
        }
        smtp.stop();

        LabFixture.Run history = lab.zfsSyncPlain("history", "--json", "--history-db", db.toString(), "--limit", "1000");
        JsonNode runs = JSON.readTree(history.stdout());
        long runsOfOne = 0;
        for (JsonNode r : runs) {
            runsOfOne += "one".equals(r.path("job").asText()) ? 1 : 0;
        }
        System.out.printf("[lab figures] daemon: %d runs recorded (%d of job one), %d webhook alerts, %d mails%n",
                runs.size(), runsOfOne, hooks.size(), subjects.size());
        soft.assertThat(runsOfOne).as("runs of job one, every minute for over 5 minutes").isGreaterThanOrEqualTo(5);
        List<String> twoHooks = hooks.stream().filter(h -> h.contains("\"two\"")).toList();
        soft.assertThat(twoHooks.stream().filter(h -> h.contains("\"FAILURE\"")).count())
                .as("failure alerts for two\n%s", hooks).isEqualTo(1);
        soft.assertThat(twoHooks.stream().filter(h -> h.contains("\"RECOVERY\"")).count())
                .as("recovery alerts for two\n%s", hooks).isEqualTo(1);
        soft.assertThat(subjects.stream().filter(x -> x.contains("FAILURE") && x.contains("two")).count())
                .as("failure mails for two: %s", subjects).isEqualTo(1);
        soft.assertThat(subjects.stream().filter(x -> x.contains("RECOVERY") && x.contains("two")).count())
                .as("recovery mails for two: %s", subjects).isEqualTo(1);
        soft.assertThat(hooks).as("no alert for one (it ran every minute)").noneMatch(h -> h.contains("\"one\""));
        soft.assertAll();
    }

    private static String config(LabFixture lab, Path sshConfig, Path db, int httpPort, int webhookPort,
                                 int smtpPort, Instant boundary) {
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        LocalTime from = LocalTime.ofInstant(boundary, ZoneOffset.UTC);
        String src = LabGuest.SOURCE_HOST + ":" + lab.sourcePool();
        String dst = LabGuest.TARGET_HOST + ":" + lab.targetPool();
        return "defaults:\n"
                + "  ssh-config: " + sshConfig + "\n"
                + "  compress: none\n"
                + "  recursive: false\n"
                + "  timezone: UTC\n"
                + "jobs:\n"
                + "  - name: one\n"
                + "    source: " + src + "/one\n"
                + "    targets: [" + dst + "/one]\n"
                + "    replicate-every: 1m\n"
                + "    rpo-warn: 90s\n"
                + "    rpo-critical: 2m\n"
                + "  - name: two\n"
                + "    source: " + src + "/two\n"
                + "    targets: [\"flaky:" + lab.targetPool() + "/two\"]\n"
                + "    replicate-every: 1m\n"
                + "    retries: 0\n"
                + "    rpo-warn: 90s\n"
                + "    rpo-critical: 2m\n"
                + "  - name: big\n"
                + "    source: " + src + "/big\n"
                + "    targets: [" + dst + "/big]\n"
                + "    replicate-every: 1h\n"
                + "    mbuffer-size: 1M\n"
                + "    bwlimit: 256K\n"
                + "    windows:\n"
                + "      - {from: \"" + hhmm.format(from) + "\", to: \"" + hhmm.format(from.plusMinutes(30))
                + "\", bwlimit: 1M}\n"
                + "history:\n"
                + "  path: " + db + "\n"
                + "http:\n"
                + "  listen: 127.0.0.1:" + httpPort + "\n"
                + "alerts:\n"
                + "  repeat-every: 1h\n"
                + "  webhook:\n"
                + "    url: http://127.0.0.1:" + webhookPort + "/alert\n"
                + "  email:\n"
                + "    smtp-host: 127.0.0.1\n"
                + "    port: " + smtpPort + "\n"
                + "    starttls: false\n"
                + "    from: zfs-sync@lab.example\n"
                + "    to: [admin@lab.example]\n";
    }

    /** The lab's ssh config plus {@code flaky}: the target host, or (unreachable) a closed port. */
    private static void writeSshConfig(LabFixture lab, Path file, boolean reachable) throws IOException {
        String labConfig = Files.readString(lab.guest().sshConfig());
        // The last block is the one of the source and target aliases: the same, under another name.
        String block = labConfig.substring(labConfig.lastIndexOf("\nHost ") + 1);
        String common = block.substring(block.indexOf('\n') + 1).replaceAll("(?m)^  Port \\d+$",
                "  Port " + (reachable ? lab.guest().port() : 1));
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(tmp, labConfig + "\nHost flaky\n" + common);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Bytes per second between two moments relative to the boundary, from the first and last sample in that span. */
    private static double rate(List<long[]> samples, long fromMillis, long toMillis) {
        List<long[]> span = samples.stream().filter(x -> x[0] >= fromMillis && x[0] <= toMillis).toList();
        if (span.size() < 2) {
            return 0;
        }
        long[] a = span.get(0);
        long[] b = span.get(span.size() - 1);
        return b[0] == a[0] ? 0 : (b[1] - a[1]) * 1000.0 / (b[0] - a[0]);
    }

    private static JsonNode job(JsonNode status, String name) {
        for (JsonNode j : status.get("jobs")) {
            if (j.get("name").asText().equals(name)) {
                return j;
            }
        }
        throw new AssertionError("no job " + name + " in " + status);
    }

    private static JsonNode status(String base) throws IOException, InterruptedException {
        return JSON.readTree(get(base + "/api/status"));
    }

    private static String get(String url) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e; // the daemon's server never came up
                }
                LabFixture.sleep(500);
            }
        }
    }

    private static void awaitUntil(Instant when) {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            LabFixture.sleep(millis);
        }
    }

    private static void awaitRunning(String base, String job, long bytes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            for (JsonNode r : status(base).get("running")) {
                if (r.get("job").asText().equals(job) && r.get("bytes").asLong() >= bytes) {
                    return;
                }
            }
            LabFixture.sleep(300);
        }
        throw new AssertionError("job " + job + " never moved " + bytes + " bytes");
    }

    private static void awaitIdle(String base, String job) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && job(status(base), job).get("running").asBoolean()) {
            LabFixture.sleep(1000);
        }
    }

    private String chromium(LabFixture lab, String url, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + dir.resolve("chromium")));
        argv.addAll(List.of(args));
        argv.add(url);
        Process p = new ProcessBuilder(argv).redirectError(dir.resolve("chromium.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("chromium finished").isTrue();
        assertThat(p.exitValue()).as("chromium %s: %s", args[0], Files.readString(dir.resolve("chromium.err")))
                .isZero();
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
