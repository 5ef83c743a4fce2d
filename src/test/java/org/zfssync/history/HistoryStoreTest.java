package org.zfssync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.zfssync.event.RunEvent;

/** The history against real SQLite files. */
class HistoryStoreTest {
    static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir
    Path dir;

    /** Records runs as a run's events would, at chosen times. */
    static final class Runs {
        final HistoryRecorder recorder;
        private int next;

        Runs(HistoryStore store) {
            recorder = new HistoryRecorder(store, Duration.ofDays(36500));
        }

        /** One run of a job (or a sync, job null) with one dataset, started at {@code start}, lasting a minute. */
        String run(String job, String target, Instant start, RunEvent.Result result, String error,
                   String newest, Instant newestCreation) {
            String id = "run-" + (++next);
            recorder.on(new RunEvent.RunStarted(id, job == null ? RunEvent.Kind.SYNC : RunEvent.Kind.JOB, job,
                    "src:tank/a", target, false, start));
            Instant end = start.plusSeconds(60);
            RunEvent.DatasetStatus status = result == RunEvent.Result.SUCCESS ? RunEvent.DatasetStatus.DONE
                    : RunEvent.DatasetStatus.FAILED;
            recorder.on(new RunEvent.DatasetFinished(id, "tank/a", "pool/a", status, "tank/a@s1", "tank/a@s2",
                    1000, 1, error, Duration.ofSeconds(50), newest == null ? null
                    : new RunEvent.HeldSnapshot("pool/a", newest, newestCreation), end));
            RunEvent.Counts counts = result == RunEvent.Result.SUCCESS ? new RunEvent.Counts(1, 0, 0, 0, 0, 0)
                    : new RunEvent.Counts(0, 0, 0, 1, 0, 0);
            recorder.on(new RunEvent.RunFinished(id, counts, 1000, result, result.exitCode(), error, end));
            return id;
        }
    }

    private Path db() {
        return dir.resolve("history.db");
    }

    private static List<String> query(Path file, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new java.util.ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }

    @Test
    void anEmptyFileIsMigratedToTheNewestSchemaInWalModeAndReopeningChangesNothing() throws SQLException {
        try (HistoryStore store = HistoryStore.open(db())) {
            assertThat(store.schemaVersion()).isEqualTo(HistoryStore.MIGRATIONS.size()).isEqualTo(2);
            assertThat(store.journalMode()).isEqualToIgnoringCase("wal");
        }
        try (HistoryStore store = HistoryStore.open(db())) {
            assertThat(store.schemaVersion()).isEqualTo(2);
        }
        assertThat(query(db(), "SELECT version FROM schema_version")).containsExactly("1", "2");
        assertThat(query(db(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
                .contains("datasets", "runs", "schema_version", "verifications");
    }

    @Test
    void aFileFromANewerZfsSyncIsRefusedNamingBothVersions() throws SQLException {
        HistoryStore.open(db()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version (version, applied) VALUES (7, 0)");
        }
        assertThatThrownBy(() -> HistoryStore.open(db())).isInstanceOf(HistoryException.class)
                .hasMessageContaining("schema version 7, newer than this zfs-sync knows (2)")
                .hasMessageContaining("--history-db");
    }

    @Test
    void itsDirectoryIsCreatedForItsOwnerAlone() throws Exception {
        Path file = dir.resolve("state/zfs-sync/history.db");
        HistoryStore.open(file).close();
        assertThat(Files.getPosixFilePermissions(file.getParent()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aVerifyIsRecordedApartFromTheRunsAndPrunedWithThem() {
        try (HistoryStore store = HistoryStore.open(db())) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            recorder.on(new RunEvent.VerifyFinished("v1", "nightly", "src:tank/a", "nas:pool/a", T, true, "different", 1,
                    "tank/a: content: dir/f: content differs (source vs target)", T.plusSeconds(30)));
            assertThat(store.verifications("nightly", 10)).containsExactly(new HistoryStore.Verification("v1",
                    "nightly", "src:tank/a", "nas:pool/a", T, T.plusSeconds(30), true, "different", 1,
                    "tank/a: content: dir/f: content differs (source vs target)"));
            assertThat(store.verifications("other", 10)).isEmpty();
            assertThat(store.runs(null, null, 10)).as("a verify is no replication run").isEmpty();
            store.prune(Duration.ofDays(1), T.plus(Duration.ofDays(2)));
            assertThat(store.verifications(null, 10)).isEmpty();
        }
    }

    @Test
    void aRunIsRecordedWithItsDatasetsAndResult() {
        try (HistoryStore store = HistoryStore.open(db())) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            recorder.on(new RunEvent.RunStarted("r1", RunEvent.Kind.JOB, "nightly", "src:tank/a", "nas:pool/a",
                    false, T));
            recorder.on(new RunEvent.DatasetStarted("r1", "tank/a", "pool/a", null, "tank/a@s1", 500, T));
            recorder.on(new RunEvent.Progress("r1", "tank/a", "pool/a", 100, 500, 100, T.plusSeconds(1)));
            recorder.on(new RunEvent.DatasetFinished("r1", "tank/a", "pool/a", RunEvent.DatasetStatus.DONE, null,
                    "tank/a@s1", 600, 2, null, Duration.ofSeconds(4), new RunEvent.HeldSnapshot("pool/a", "s1",
                    T.minusSeconds(30)), T.plusSeconds(4)));
            recorder.on(new RunEvent.DatasetFinished("r1", "tank/a/b", "pool/a/b", RunEvent.DatasetStatus.REFUSED,
                    null, null, 0, 0, "pool/a/b was modified; --rollback", Duration.ZERO, null, T.plusSeconds(5)));
            recorder.on(new RunEvent.RunFinished("r1", new RunEvent.Counts(1, 0, 1, 0, 0, 0), 600,
                    RunEvent.Result.REFUSED, 4, "pool/a/b was modified; --rollback", T.plusSeconds(6)));

            RunRecord run = store.runs(null, null, 10).get(0);
            assertThat(run).usingRecursiveComparison().ignoringFields("datasets").isEqualTo(new RunRecord("r1", "JOB",
                    "nightly", "src:tank/a", "nas:pool/a", T, T.plusSeconds(6), "REFUSED", 4, 600,
                    "pool/a/b was modified; --rollback", List.of()));
            assertThat(run.duration()).contains(Duration.ofSeconds(6));
            assertThat(run.datasets()).containsExactly(
                    new DatasetRecord("tank/a", "pool/a", "DONE", null, "tank/a@s1", 600, Duration.ofSeconds(4), 2,
                            null, "pool/a@s1", T.minusSeconds(30)),
                    new DatasetRecord("tank/a/b", "pool/a/b", "REFUSED", null, null, 0, Duration.ZERO, 0,
                            "pool/a/b was modified; --rollback", null, null));
        }
    }

    @Test
    void dryRunsAreNotRecorded() {
        try (HistoryStore store = HistoryStore.open(db())) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            recorder.on(new RunEvent.RunStarted("d", RunEvent.Kind.SYNC, null, "tank/a", "pool/a", true, T));
            recorder.on(new RunEvent.DatasetFinished("d", "tank/a", "pool/a", RunEvent.DatasetStatus.PLANNED, null,
                    null, 0, 0, null, Duration.ZERO, null, T));
            recorder.on(new RunEvent.RunFinished("d", RunEvent.Counts.NONE, 0, RunEvent.Result.SUCCESS, 0, null, T));
            assertThat(store.runs(null, null, 10)).isEmpty();
        }
    }

    @Test
    void aWriteThatFindsTheFileLockedIsLoggedAndSwallowed() throws SQLException {
        Logger logger = (Logger) LoggerFactory.getLogger(HistoryRecorder.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (HistoryStore store = HistoryStore.open(db(), Duration.ofMillis(50));
             Connection other = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement lock = other.createStatement()) {
            HistoryRecorder recorder = new HistoryRecorder(store);
            // Another process writing: it holds the write lock past the recorder's busy timeout.
            lock.execute("BEGIN EXCLUSIVE");
            recorder.on(new RunEvent.RunStarted("r1", RunEvent.Kind.SYNC, null, "tank/a", "pool/a", false, T));
            recorder.on(new RunEvent.RunFinished("r1", RunEvent.Counts.NONE, 0, RunEvent.Result.SUCCESS, 0, null, T));
            lock.execute("ROLLBACK");
            assertThat(logged.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("could not record RunStarted of run r1", "history.db",
                        "the run goes on");
            });
            // The next run is recorded as usual.
            new Runs(store).run(null, "pool/a", T.plusSeconds(60), RunEvent.Result.SUCCESS, null, null, null);
            assertThat(store.runs(null, null, 10)).hasSize(1);
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void pruningDeletesRunsOlderThanKeepWithTheirDatasets() throws SQLException {
        try (HistoryStore store = HistoryStore.open(db())) {
            Runs runs = new Runs(store);
            runs.run("j", "nas:pool/a", T.minus(Duration.ofDays(100)), RunEvent.Result.SUCCESS, null, null, null);
            String recent = runs.run("j", "nas:pool/a", T.minus(Duration.ofDays(10)), RunEvent.Result.SUCCESS, null,
                    null, null);
            assertThat(store.prune(HistoryStore.DEFAULT_KEEP, T)).isEqualTo(1);
            assertThat(store.runs(null, null, 10)).extracting(RunRecord::id).containsExactly(recent);
        }
        assertThat(query(db(), "SELECT DISTINCT run_id FROM datasets")).containsExactly("run-2");
    }

    @Test
    void theRecorderPrunesAtTheEndOfEachRun() {
        try (HistoryStore store = HistoryStore.open(db())) {
            HistoryRecorder recorder = new HistoryRecorder(store, Duration.ofDays(7));
            new Runs(store).run("j", "nas:pool/a", T.minus(Duration.ofDays(8)), RunEvent.Result.SUCCESS, null, null,
                    null);
            recorder.on(new RunEvent.RunStarted("now", RunEvent.Kind.JOB, "j", "src:tank/a", "nas:pool/a", false, T));
            assertThat(store.runs(null, null, 10)).hasSize(2);
            recorder.on(new RunEvent.RunFinished("now", RunEvent.Counts.NONE, 0, RunEvent.Result.SUCCESS, 0, null, T));
            assertThat(store.runs(null, null, 10)).extracting(RunRecord::id).containsExactly("now");
        }
    }

    @Test
    void runsAreFilteredByJobAndStartAndLimitedNewestFirst() {
        try (HistoryStore store = HistoryStore.open(db())) {
            Runs runs = new Runs(store);
            String a1 = runs.run("a", "nas:pool/a", T, RunEvent.Result.SUCCESS, null, null, null);
            String b1 = runs.run("b", "nas:pool/a", T.plusSeconds(3600), RunEvent.Result.SUCCESS, null, null, null);
            String a2 = runs.run("a", "nas:pool/a", T.plusSeconds(7200), RunEvent.Result.SUCCESS, null, null, null);
            String s1 = runs.run(null, "nas:pool/a", T.plusSeconds(9000), RunEvent.Result.SUCCESS, null, null, null);
            assertThat(store.runs(null, null, 10)).extracting(RunRecord::id).containsExactly(s1, a2, b1, a1);
            assertThat(store.runs("a", null, 10)).extracting(RunRecord::id).containsExactly(a2, a1);
            assertThat(store.runs(null, T.plusSeconds(3600), 10)).extracting(RunRecord::id).containsExactly(s1, a2, b1);
            assertThat(store.runs(null, null, 2)).extracting(RunRecord::id).containsExactly(s1, a2);
        }
    }

    @Test
    void statusGivesTheLastSuccessTheNewestSnapshotHeldAndSinceWhenAPairFails() {
        try (HistoryStore store = HistoryStore.open(db())) {
            Runs runs = new Runs(store);
            Instant created = T.minusSeconds(120);
            runs.run("j", "nas:pool/a", T, RunEvent.Result.SUCCESS, null, "s1", created);
            runs.run("j", "nas:pool/a", T.plusSeconds(3600), RunEvent.Result.FAILED, "ssh: connection refused",
                    "s1", created);
            runs.run("j", "nas:pool/a", T.plusSeconds(7200), RunEvent.Result.ERROR, "no route to host", null, null);
            runs.run("j", "usb:pool/a", T.plusSeconds(100), RunEvent.Result.FAILED, "old failure", null, null);
            runs.run("j", "usb:pool/a", T.plusSeconds(200), RunEvent.Result.SUCCESS, null, "s2", T.plusSeconds(150));
            runs.run(null, "nas:pool/a", T.plusSeconds(300), RunEvent.Result.SUCCESS, null, null, null);

            List<StatusRow> rows = store.status();
            assertThat(rows).extracting(StatusRow::job, StatusRow::target).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(null, "nas:pool/a"),
                    org.assertj.core.groups.Tuple.tuple("j", "nas:pool/a"),
                    org.assertj.core.groups.Tuple.tuple("j", "usb:pool/a"));
            StatusRow failing = rows.get(1);
            assertThat(failing.lastRun()).isEqualTo(T.plusSeconds(7200));
            assertThat(failing.lastResult()).isEqualTo("ERROR");
            assertThat(failing.lastSuccess()).isEqualTo(T.plusSeconds(60));
            assertThat(failing.failingSince()).isEqualTo(T.plusSeconds(3600));
            assertThat(failing.lastError()).isEqualTo("no route to host");
            // The latest run could not read the target: the newest known is from the run before.
            assertThat(failing.newestSnapshot()).isEqualTo("pool/a@s1");
            assertThat(failing.rpo(T.plusSeconds(7200))).contains(Duration.ofSeconds(7320));

            StatusRow healthy = rows.get(2);
            assertThat(healthy.failingSince()).isNull();
            assertThat(healthy.lastError()).isNull();
            assertThat(healthy.newestSnapshot()).isEqualTo("pool/a@s2");
            assertThat(healthy.rpo(T.plusSeconds(250))).contains(Duration.ofSeconds(100));

            assertThat(rows.get(0).newestSnapshot()).isNull();
            assertThat(rows.get(0).rpo(T)).isEmpty();
        }
    }

    @Test
    void theDefaultLocationIsRootsSystemStateOrTheUsersXdgState() {
        Path home = Path.of("/home/ann");
        assertThat(HistoryLocation.of(0, Map.of("XDG_STATE_HOME", "/x"), Path.of("/root")))
                .isEqualTo(Path.of("/var/lib/zfs-sync/history.db"));
        assertThat(HistoryLocation.of(1000, Map.of("XDG_STATE_HOME", "/srv/state"), home))
                .isEqualTo(Path.of("/srv/state/zfs-sync/history.db"));
        assertThat(HistoryLocation.of(1000, Map.of(), home))
                .isEqualTo(Path.of("/home/ann/.local/state/zfs-sync/history.db"));
        assertThat(HistoryLocation.of(1000, Map.of("XDG_STATE_HOME", "relative"), home))
                .isEqualTo(Path.of("/home/ann/.local/state/zfs-sync/history.db"));
    }
}
