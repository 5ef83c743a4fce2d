-- Version 2: one row per verify of one target (zfs-sync verify run by a job's verify-every).
-- Kept apart from runs: a verify replicates nothing, so it must not count as a target's last run.
-- result is equal, different or unchecked; summary lists the differences (or why it could not check).
CREATE TABLE verifications (
    id        TEXT PRIMARY KEY,
    job       TEXT,
    source    TEXT NOT NULL,
    target    TEXT NOT NULL,
    started   INTEGER NOT NULL,
    ended     INTEGER NOT NULL,
    deep      INTEGER NOT NULL,
    result    TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    summary   TEXT
);
CREATE INDEX verifications_by_pair ON verifications (job, target, started);
