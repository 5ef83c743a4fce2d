-- Version 1: one row per run (a sync, or one target of a job) and one per dataset of it.
-- Times are milliseconds since the epoch (UTC); results and statuses are the RunEvent enums' names.
CREATE TABLE runs (
    id        TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    job       TEXT,
    source    TEXT NOT NULL,
    target    TEXT NOT NULL,
    started   INTEGER NOT NULL,
    ended     INTEGER,
    result    TEXT,
    exit_code INTEGER,
    bytes     INTEGER NOT NULL DEFAULT 0,
    error     TEXT
);
CREATE INDEX runs_by_start ON runs (started);
CREATE INDEX runs_by_pair ON runs (job, source, target, started);
CREATE TABLE datasets (
    run_id          TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    target          TEXT NOT NULL,
    status          TEXT NOT NULL,
    from_snapshot   TEXT,
    to_snapshot     TEXT,
    bytes           INTEGER NOT NULL,
    duration_ms     INTEGER NOT NULL,
    retries         INTEGER NOT NULL,
    message         TEXT,
    newest_snapshot TEXT,
    newest_creation INTEGER,
    finished        INTEGER NOT NULL
);
CREATE INDEX datasets_by_run ON datasets (run_id);
