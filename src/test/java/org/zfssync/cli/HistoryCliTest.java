package org.zfssync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zfssync.event.RunEvent;
import org.zfssync.history.HistoryRecorder;
import org.zfssync.history.HistoryStore;

/** {@code history} and {@code status} over a history file written as runs would write it. */
class HistoryCliTest {
    @TempDir
    Path dir;

    /** Times relative to now, since --since and the age are; no assertion depends on the clock's value. */
    private final Instant now = Instant.now();

    private Path db() {
        return dir.resolve("history.db");
    }

    private static void record(HistoryRecorder recorder, String id, String job, String target, Instant start,
                               RunEvent.Result result, String error, Instant snapshotCreated) {
        recorder.on(new RunEvent.RunStarted(id, job == null ? RunEvent.Kind.SYNC : RunEvent.Kind.JOB, job,
                "src:tank/a", target, false, start));
        recorder.on(new RunEvent.DatasetFinished(id, "tank/a", "pool/a", result == RunEvent.Result.SUCCESS
                ? RunEvent.DatasetStatus.DONE : RunEvent.DatasetStatus.FAILED, null, "tank/a@s1", 3 * 1024 * 1024, 0,
                error, Duration.ofSeconds(65), snapshotCreated == null ? null
                : new RunEvent.HeldSnapshot("pool/a", "s1", snapshotCreated), start.plusSeconds(65)));
        recorder.on(new RunEvent.RunFinished(id, RunEvent.Counts.NONE, 3 * 1024 * 1024, result, result.exitCode(),
                error, start.plusSeconds(65)));
    }

    /** A job whose target failed twice after a success a day ago, and a sync from a month ago. */
    private void written() {
        try (HistoryStore store = HistoryStore.open(db())) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            Instant dayAgo = now.minus(Duration.ofDays(1));
            record(recorder, "a", null, "nas:pool/old", now.minus(Duration.ofDays(30)), RunEvent.Result.SUCCESS, null,
                    null);
            record(recorder, "b", "nightly", "nas:pool/a", dayAgo, RunEvent.Result.SUCCESS, null, dayAgo);
            record(recorder, "c", "nightly", "nas:pool/a", now.minus(Duration.ofHours(2)), RunEvent.Result.FAILED,
                    "ssh: connect to host nas port 22: Connection refused", dayAgo);
            record(recorder, "d", "nightly", "nas:pool/a", now.minus(Duration.ofHours(1)), RunEvent.Result.ERROR,
                    "no route to host nas", null);
        }
    }

    @Test
    void historyVerifiesListsTheRecordedVerifiesApartFromTheRuns() {
        written();
        try (HistoryStore store = HistoryStore.open(db())) {
            new HistoryRecorder(store).on(new RunEvent.VerifyFinished("v", "nightly", "src:tank/a", "nas:pool/a",
                    now.minus(Duration.ofMinutes(3)), true, "different", 1, "tank/a: content: f: content differs",
                    now.minus(Duration.ofMinutes(1))));
        }
        CliTest.Result r = CliTest.run("history", "--verifies", "--history-db", db().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.out().lines().skip(1).findFirst().orElseThrow()).contains("nightly: src:tank/a -> nas:pool/a",
                "different", "2m 00s", "tank/a: content: f: content differs");
        assertThat(CliTest.run("history", "--history-db", db().toString()).out().lines())
                .as("a verify is not a run").hasSize(5);
    }

    @Test
    void historyListsRunsNewestFirstWithResultSizeDurationAndError() {
        written();
        CliTest.Result r = CliTest.run("history", "--history-db", db().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).hasSize(5);
        assertThat(r.out().lines().findFirst().orElseThrow()).contains("STARTED", "RUN", "RESULT", "SENT", "TOOK",
                "ERROR");
        assertThat(r.out().lines().skip(1).findFirst().orElseThrow()).contains("nightly: src:tank/a -> nas:pool/a",
                "error", "3.0 MiB", "1m 05s", "no route to host nas");
        assertThat(r.out().lines().skip(4).findFirst().orElseThrow()).contains("src:tank/a -> nas:pool/old",
                "success").doesNotContain("nightly");
    }

    @Test
    void historyFiltersByJobSinceAndLimit() {
        written();
        CliTest.Result week = CliTest.run("history", "--since", "7d", "--history-db", db().toString());
        assertThat(week.out()).contains("nightly").doesNotContain("pool/old");
        CliTest.Result hours = CliTest.run("history", "nightly", "--since=90m", "--history-db", db().toString());
        assertThat(hours.out().lines()).hasSize(2);
        CliTest.Result one = CliTest.run("history", "--limit", "1", "--history-db", db().toString());
        assertThat(one.out()).contains("no route to host").doesNotContain("Connection refused");
        CliTest.Result none = CliTest.run("history", "other", "--history-db", db().toString());
        assertThat(none.out()).startsWith("no runs recorded for job other");
    }

    @Test
    void historyJsonHasEveryRunWithItsDatasets() throws Exception {
        written();
        CliTest.Result r = CliTest.run("history", "--json", "--history-db", db().toString());
        assertThat(r.exit()).isZero();
        JsonNode runs = new ObjectMapper().readTree(r.out());
        assertThat(runs).hasSize(4);
        JsonNode latest = runs.get(0);
        assertThat(latest.get("id").asText()).isEqualTo("d");
        assertThat(latest.get("kind").asText()).isEqualTo("job");
        assertThat(latest.get("job").asText()).isEqualTo("nightly");
        assertThat(latest.get("result").asText()).isEqualTo("error");
        assertThat(latest.get("exitCode").asInt()).isEqualTo(1);
        assertThat(latest.get("durationMs").asLong()).isEqualTo(65_000);
        assertThat(latest.get("datasets").get(0).get("status").asText()).isEqualTo("failed");
        assertThat(runs.get(3).get("job").isNull()).isTrue();
    }

    @Test
    void aBadSinceIsOneLineNamingTheFormsAndExitTwo() {
        for (String bad : new String[] {"7", "7days", "-1d", "soon"}) {
            CliTest.Result r = CliTest.run("history", "--since", bad, "--history-db", db().toString());
            assertThat(r.exit()).as(bad).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err().strip().lines()).as(bad).hasSize(1);
            assertThat(r.err()).as(bad).contains("--since takes a number and a unit", "90m, 36h or 7d",
                    "'" + bad + "'");
        }
        assertThat(CliTest.run("history", "--limit", "0", "--history-db", db().toString()).exit())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(Files.exists(db())).as("a rejected command creates no history").isFalse();
    }

    @Test
    void statusShowsTheLastSuccessTheNewestSnapshotAndSinceWhenFailing() throws Exception {
        written();
        CliTest.Result table = CliTest.run("status", "--history-db", db().toString());
        assertThat(table.exit()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).contains("LAST SUCCESS", "NEWEST SNAPSHOT", "AGE",
                "FAILING SINCE", "NEXT RUN", "LAST ERROR");
        assertThat(table.out()).contains("nightly: src:tank/a -> nas:pool/a", "pool/a@s1", "no route to host nas");

        CliTest.Result r = CliTest.run("status", "--json", "--history-db", db().toString());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertThat(rows).hasSize(2);
        JsonNode sync = rows.get(0);
        assertThat(sync.get("job").isNull()).isTrue();
        assertThat(sync.get("failingSince").isNull()).isTrue();
        assertThat(sync.get("rpoSeconds").isNull()).isTrue();
        JsonNode job = rows.get(1);
        assertThat(job.get("lastResult").asText()).isEqualTo("error");
        assertThat(Instant.parse(job.get("failingSince").asText())).isEqualTo(now.minus(Duration.ofHours(2))
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(Instant.parse(job.get("lastSuccess").asText())).isEqualTo(now.minus(Duration.ofDays(1))
                .plusSeconds(65).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(job.get("newestSnapshot").asText()).isEqualTo("pool/a@s1");
        assertThat(job.get("rpoSeconds").asLong()).isGreaterThanOrEqualTo(Duration.ofDays(1).getSeconds());
        assertThat(job.get("lastError").asText()).isEqualTo("no route to host nas");
        assertThat(job.has("nextRun")).isTrue();
        assertThat(job.get("nextRun").isNull()).isTrue();
    }

    @Test
    void withoutAHistoryBothSayNothingWasRecordedAndCreateNothing() {
        CliTest.Result history = CliTest.run("history", "--history-db", db().toString());
        assertThat(history.exit()).isZero();
        assertThat(history.out()).startsWith("no runs recorded").contains(db().toString());
        assertThat(CliTest.run("status", "--json", "--history-db", db().toString()).out().strip()).isEqualTo("[ ]");
        assertThat(Files.exists(db())).isFalse();
    }

    @Test
    void theRecordingCommandsOfferNoHistoryAndSayDryRunsAreNotRecorded() {
        for (String command : new String[] {"sync", "run"}) {
            CliTest.Result help = CliTest.run(command, "--help");
            assertThat(help.out().replaceAll("\\s+", " ")).as(command).contains("--history-db", "--no-history",
                    "recorded in the run history", "dry run");
        }
        assertThat(CliTest.run("--help").out()).contains("history", "status");
    }

    @Test
    void theEventResultsExitCodesAreTheDocumentedOnes() {
        assertThat(RunEvent.Result.SUCCESS.exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(RunEvent.Result.FAILED.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(RunEvent.Result.REFUSED.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(RunEvent.Result.CANCELLED.exitCode()).isEqualTo(ExitCodes.FAILED);
    }
}
