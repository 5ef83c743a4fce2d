package org.zfssync.history;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.SQLiteConfig;
import org.zfssync.event.RunEvent;

/**
 * The run history in an embedded SQLite file: the runs and their datasets, written as a run goes
 * ({@link HistoryRecorder}) and read by {@code zfs-sync history} and {@code status}.
 *
 * <p>WAL journal: a run that crashes mid-write leaves the file consistent, and readers (a status
 * page) never block the writer. A short busy timeout: a writer waits that long for another
 * process's write, then fails, and the recorder only logs it, so no replication ever waits on its
 * history. The schema is versioned: {@link #MIGRATIONS} are applied in order, each in its own
 * transaction, and a file written by a newer zfs-sync is refused rather than misread.
 *
 * <p>One connection, used by one thread at a time (the methods are synchronized).
 */
public final class HistoryStore implements AutoCloseable {
    /** How long history is kept when nothing else is configured ({@code history-keep}). */
    public static final Duration DEFAULT_KEEP = Duration.ofDays(90);
    /** How long a write waits for another process's; short, because replication must not wait on it. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(1);
    /**
     * The migration scripts, oldest first, in {@code src/main/resources/org/zfssync/history/}; script
     * N brings the schema to version N. Listed here because a jar's resources cannot be listed.
     */
    static final List<String> MIGRATIONS = List.of("V1__runs.sql", "V2__verifications.sql");

    private static final String COLUMNS = "id, kind, job, source, target, started, ended, result, exit_code, bytes, "
            + "error";
    private static final String PAIR = " job IS ? AND source = ? AND target = ?";

    private final Path file;
    private final Connection db;

    private HistoryStore(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    public static HistoryStore open(Path file) {
        return open(file, DEFAULT_BUSY_TIMEOUT);
    }

    /**
     * Opens (creating it and its directory, mode 0700, when missing) and migrates the history.
     *
     * @throws HistoryException when it cannot be opened or was written by a newer zfs-sync
     */
    public static HistoryStore open(Path file, Duration busyTimeout) {
        createParent(file);
        SqliteNativeLibrary.prepare(file);
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL is durable against a crash of zfs-sync in WAL mode; only a power cut may lose the last run.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout((int) busyTimeout.toMillis());
        config.enforceForeignKeys(true);
        // Writers take the lock when they begin, so two processes never deadlock upgrading a read lock.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        Connection db;
        try {
            db = config.createConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw new HistoryException("cannot open the history database " + file + ": " + e.getMessage()
                    + " (pass --history-db with a writable path, or --no-history)", e);
        }
        HistoryStore store = new HistoryStore(file, db);
        try {
            store.migrate();
            return store;
        } catch (SQLException | IOException | RuntimeException e) {
            store.close();
            if (e instanceof HistoryException h) {
                throw h;
            }
            throw new HistoryException("cannot prepare the history database " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || Files.isDirectory(parent)) {
            return;
        }
        try {
            // Run errors name hosts and datasets: the directory is the owner's alone.
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new HistoryException("cannot create the directory of the history database " + file + ": " + e
                    + " (pass --history-db with a writable path, or --no-history)", e);
        }
    }

    public Path file() {
        return file;
    }

    /** The schema version of the file (the newest migration applied). */
    public synchronized int schemaVersion() {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
            return r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** The journal mode in force ({@code wal}). */
    public synchronized String journalMode() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("PRAGMA journal_mode")) {
            return r.next() ? r.getString(1) : "";
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    private void migrate() throws SQLException, IOException {
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)");
        }
        int known = MIGRATIONS.size();
        int current = schemaVersion();
        if (current > known) {
            throw new HistoryException("the history database " + file + " has schema version " + current
                    + ", newer than this zfs-sync knows (" + known + "): it was written by a newer release; "
                    + "upgrade zfs-sync, or pass --history-db with another file");
        }
        for (int version = current + 1; version <= known; version++) {
            apply(version, script(MIGRATIONS.get(version - 1)));
        }
    }

    /** Applies one migration in one transaction, unless another process applied it meanwhile. */
    private void apply(int version, List<String> statements) throws SQLException {
        db.setAutoCommit(false);
        try {
            if (schemaVersion() < version) {
                try (Statement s = db.createStatement()) {
                    for (String sql : statements) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = db.prepareStatement(
                        "INSERT INTO schema_version (version, applied) VALUES (?, ?)")) {
                    p.setInt(1, version);
                    p.setLong(2, System.currentTimeMillis());
                    p.executeUpdate();
                }
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** A migration's statements: comment lines dropped, split at each {@code ;} (the scripts have no triggers). */
    static List<String> script(String name) throws IOException {
        try (InputStream in = HistoryStore.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("migration " + name + " is missing from the jar");
            }
            StringBuilder text = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.strip().startsWith("--")) {
                    text.append(line).append('\n');
                }
            }
            List<String> statements = new ArrayList<>();
            for (String sql : text.toString().split(";")) {
                if (!sql.isBlank()) {
                    statements.add(sql.strip());
                }
            }
            return statements;
        }
    }

    // ------------------------------------------------------------------ writes (the recorder's)

    synchronized void runStarted(RunEvent.RunStarted e) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO runs (id, kind, job, source, target, started) "
                + "VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setString(1, e.runId());
            p.setString(2, e.kind().name());
            p.setString(3, e.job());
            p.setString(4, e.source());
            p.setString(5, e.target());
            p.setLong(6, e.at().toEpochMilli());
            p.executeUpdate();
        }
    }

    synchronized void verifyFinished(RunEvent.VerifyFinished e) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO verifications (id, job, source, target, started, "
                + "ended, deep, result, exit_code, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setString(1, e.runId());
            p.setString(2, e.job());
            p.setString(3, e.source());
            p.setString(4, e.target());
            p.setLong(5, e.started().toEpochMilli());
            p.setLong(6, e.at().toEpochMilli());
            p.setInt(7, e.deep() ? 1 : 0);
            p.setString(8, e.result());
            p.setInt(9, e.exitCode());
            p.setString(10, e.summary());
            p.executeUpdate();
        }
    }

    synchronized void datasetFinished(RunEvent.DatasetFinished e) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO datasets (run_id, source, target, status, "
                + "from_snapshot, to_snapshot, bytes, duration_ms, retries, message, newest_snapshot, newest_creation, "
                + "finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            RunEvent.HeldSnapshot newest = e.newestOnTarget();
            p.setString(1, e.runId());
            p.setString(2, e.source());
            p.setString(3, e.target());
            p.setString(4, e.status().name());
            p.setString(5, e.from());
            p.setString(6, e.to());
            p.setLong(7, e.bytes());
            p.setLong(8, e.duration().toMillis());
            p.setInt(9, e.retries());
            p.setString(10, e.message());
            p.setString(11, newest == null ? null : newest.dataset() + "@" + newest.snapshot());
            if (newest == null) {
                p.setNull(12, Types.INTEGER);
            } else {
                p.setLong(12, newest.creation().toEpochMilli());
            }
            p.setLong(13, e.at().toEpochMilli());
            p.executeUpdate();
        }
    }

    synchronized void runFinished(RunEvent.RunFinished e) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("UPDATE runs SET ended = ?, result = ?, exit_code = ?, "
                + "bytes = ?, error = ? WHERE id = ?")) {
            p.setLong(1, e.at().toEpochMilli());
            p.setString(2, e.result().name());
            p.setInt(3, e.exitCode());
            p.setLong(4, e.bytes());
            p.setString(5, e.error());
            p.setString(6, e.runId());
            p.executeUpdate();
        }
    }

    /** Deletes the runs (and their datasets) that started more than {@code keep} before now. */
    public int prune(Duration keep) {
        return prune(keep, Instant.now());
    }

    /** As {@link #prune(Duration)}, at {@code now}; returns how many runs went. */
    public synchronized int prune(Duration keep, Instant now) {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM runs WHERE started < ?");
             PreparedStatement v = db.prepareStatement("DELETE FROM verifications WHERE started < ?")) {
            p.setLong(1, now.minus(keep).toEpochMilli());
            v.setLong(1, now.minus(keep).toEpochMilli());
            v.executeUpdate();
            return p.executeUpdate();
        } catch (SQLException e) {
            throw failure("prune", e);
        }
    }

    // ------------------------------------------------------------------ queries

    /** One verify of one target, as recorded. */
    public record Verification(String id, String job, String source, String target, Instant started, Instant ended,
                               boolean deep, String result, int exitCode, String summary) {
    }

    /** When each job last started a verify, by job name. */
    public synchronized Map<String, Instant> lastVerifications() {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT job, MAX(started) FROM verifications WHERE job IS NOT NULL "
                     + "GROUP BY job")) {
            Map<String, Instant> last = new HashMap<>();
            while (r.next()) {
                last.put(r.getString(1), Instant.ofEpochMilli(r.getLong(2)));
            }
            return last;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** Verifies, newest first; {@code job} null for every job's. */
    public synchronized List<Verification> verifications(String job, int limit) {
        try (PreparedStatement p = db.prepareStatement("SELECT id, job, source, target, started, ended, deep, result, "
                + "exit_code, summary FROM verifications WHERE (? IS NULL OR job = ?) ORDER BY started DESC, rowid DESC "
                + "LIMIT ?")) {
            p.setString(1, job);
            p.setString(2, job);
            p.setInt(3, limit);
            List<Verification> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new Verification(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            Instant.ofEpochMilli(r.getLong(5)), Instant.ofEpochMilli(r.getLong(6)), r.getInt(7) != 0,
                            r.getString(8), r.getInt(9), r.getString(10)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /**
     * Runs, newest first.
     *
     * @param job   only this job's runs; null for all (syncs included)
     * @param since only runs that started at or after it; null for all
     * @param limit at most this many
     */
    public synchronized List<RunRecord> runs(String job, Instant since, int limit) {
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE (? IS NULL OR job = ?) "
                + "AND started >= ? ORDER BY started DESC, rowid DESC LIMIT ?")) {
            p.setString(1, job);
            p.setString(2, job);
            p.setLong(3, since == null ? Long.MIN_VALUE : since.toEpochMilli());
            p.setInt(4, limit);
            List<RunRecord> runs = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    runs.add(run(r));
                }
            }
            List<RunRecord> withDatasets = new ArrayList<>();
            for (RunRecord run : runs) {
                withDatasets.add(new RunRecord(run.id(), run.kind(), run.job(), run.source(), run.target(),
                        run.started(), run.ended(), run.result(), run.exitCode(), run.bytes(), run.error(),
                        datasets(run.id())));
            }
            return withDatasets;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    private static RunRecord run(ResultSet r) throws SQLException {
        long ended = r.getLong("ended");
        Instant end = r.wasNull() ? null : Instant.ofEpochMilli(ended);
        int exit = r.getInt("exit_code");
        Integer exitCode = r.wasNull() ? null : exit;
        return new RunRecord(r.getString("id"), r.getString("kind"), r.getString("job"), r.getString("source"),
                r.getString("target"), Instant.ofEpochMilli(r.getLong("started")), end, r.getString("result"),
                exitCode, r.getLong("bytes"), r.getString("error"), List.of());
    }

    private List<DatasetRecord> datasets(String runId) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT source, target, status, from_snapshot, to_snapshot, "
                + "bytes, duration_ms, retries, message, newest_snapshot, newest_creation FROM datasets WHERE run_id = ? "
                + "ORDER BY rowid")) {
            p.setString(1, runId);
            List<DatasetRecord> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    long creation = r.getLong("newest_creation");
                    Instant newest = r.wasNull() ? null : Instant.ofEpochMilli(creation);
                    out.add(new DatasetRecord(r.getString("source"), r.getString("target"), r.getString("status"),
                            r.getString("from_snapshot"), r.getString("to_snapshot"), r.getLong("bytes"),
                            Duration.ofMillis(r.getLong("duration_ms")), r.getInt("retries"), r.getString("message"),
                            r.getString("newest_snapshot"), newest));
                }
            }
            return out;
        }
    }

    /**
     * Where each job (or, for syncs, each source) stands with each of its targets, by its finished
     * runs; ordered by job (syncs first), source, target.
     */
    public synchronized List<StatusRow> status() {
        List<StatusRow> rows = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet pairs = s.executeQuery("SELECT DISTINCT job, source, target FROM runs WHERE result IS NOT NULL "
                     + "ORDER BY job, source, target")) {
            List<String[]> keys = new ArrayList<>();
            while (pairs.next()) {
                keys.add(new String[] {pairs.getString(1), pairs.getString(2), pairs.getString(3)});
            }
            for (String[] k : keys) {
                rows.add(status(k[0], k[1], k[2]));
            }
            return rows;
        } catch (SQLException e) {
            throw failure("read", e);
        }
    }

    /** The pair's latest finished run matching {@code filter} (an SQL condition, or empty); null if none. */
    private RunRecord latest(String job, String source, String target, String filter) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE" + PAIR
                + " AND result IS NOT NULL" + filter + " ORDER BY started DESC, rowid DESC LIMIT 1")) {
            bind(p, job, source, target);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? run(r) : null;
            }
        }
    }

    private StatusRow status(String job, String source, String target) throws SQLException {
        RunRecord last = latest(job, source, target, "");
        Instant lastSuccess = instant("SELECT MAX(ended) FROM runs WHERE" + PAIR + " AND result = 'SUCCESS'",
                job, source, target);
        // A run stopped by a signal says nothing about the target: the latest other run decides.
        RunRecord decisive = "CANCELLED".equals(last.result())
                ? latest(job, source, target, " AND result <> 'CANCELLED'") : last;
        boolean failing = decisive != null && !"SUCCESS".equals(decisive.result());
        // The first failure after the latest success: how long this pair has been going without one.
        Instant failingSince = !failing ? null : instant("SELECT MIN(started) FROM runs WHERE" + PAIR
                + " AND result IS NOT NULL AND result NOT IN ('SUCCESS', 'CANCELLED') AND started > "
                + "(SELECT COALESCE(MAX(started), -1) FROM runs WHERE" + PAIR + " AND result = 'SUCCESS')",
                job, source, target, job, source, target);
        String newest = null;
        Instant newestCreation = null;
        // The recovery point: the newest snapshot's creation, or, when the run found the source unchanged
        // since it (UP_TO_DATE), the run's start: the target held the source's state as of then.
        try (PreparedStatement p = db.prepareStatement("SELECT d.newest_snapshot, CASE WHEN d.status = 'UP_TO_DATE' "
                + "AND r.started > d.newest_creation THEN r.started ELSE d.newest_creation END AS point FROM datasets d "
                + "JOIN runs r ON r.id = d.run_id WHERE r.job IS ? AND r.source = ? AND r.target = ? "
                + "AND d.newest_creation IS NOT NULL ORDER BY r.started DESC, point ASC LIMIT 1")) {
            bind(p, job, source, target);
            try (ResultSet r = p.executeQuery()) {
                if (r.next()) {
                    newest = r.getString(1);
                    newestCreation = Instant.ofEpochMilli(r.getLong(2));
                }
            }
        }
        return new StatusRow(job, source, target, last.started(), last.result(), lastSuccess, newest, newestCreation,
                failingSince, failing ? decisive.error() : null);
    }

    /** Sets a statement's parameters, in order: (job, source, target), as often as given. */
    private static void bind(PreparedStatement p, String... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            p.setString(i + 1, values[i]);
        }
    }

    /** The one time a one-value query returns; null when there is none. */
    private Instant instant(String sql, String... values) throws SQLException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            bind(p, values);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                long millis = r.getLong(1);
                return r.wasNull() ? null : Instant.ofEpochMilli(millis);
            }
        }
    }

    private HistoryException failure(String what, SQLException e) {
        return new HistoryException("cannot " + what + " the history database " + file + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
