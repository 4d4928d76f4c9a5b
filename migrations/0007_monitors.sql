-- Monitors: servers probed on a schedule, their encrypted credentials, a
-- compact row per run, uptime buckets and the alert delivery log.
--
-- Plain types and syntax that PostgreSQL reads too (BIGINT for INTEGER,
-- BYTEA for BLOB); WITHOUT ROWID is SQLite's (PostgreSQL tables are heaps
-- with a separate primary-key index anyway, so the clause is dropped
-- there).

-- One row per monitor. settings and alerts are JSON without any secret;
-- status is the state machine's memory (probe/watch.Status) as JSON, with
-- state and since copied out for the list. seq is a small number that
-- names the monitor in the per-run tables, where a 22-character id in every
-- key would cost more than the rest of the row.
CREATE TABLE monitors (
    id          TEXT    NOT NULL PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    settings    TEXT    NOT NULL,
    interval_ms INTEGER NOT NULL,
    fail_after  INTEGER NOT NULL,
    cert_days   INTEGER NOT NULL,
    alerts      TEXT    NOT NULL,
    state       TEXT    NOT NULL, -- pending, ok, warning, failing
    since       INTEGER NOT NULL, -- unix milliseconds
    status      TEXT    NOT NULL,
    next_run_at INTEGER NOT NULL, -- unix milliseconds; the schedule survives restarts
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Passwords and tokens, sealed (XChaCha20-Poly1305, probe/secretbox) under
-- the key of --secret-key-file, bound to their monitor and slot ("login",
-- "alert:N"). key_id says which key sealed each box, so a wrong key is
-- found at start and key rotation knows what to re-seal.
CREATE TABLE monitor_secrets (
    monitor_id TEXT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    slot       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    box        BLOB NOT NULL,
    PRIMARY KEY (monitor_id, slot)
);

-- One compact row per run: the timeline, uptime and "when did it change"
-- without opening an attempt. attempt_id names the full attempt when it is
-- kept (every change of state or diagnosis, and the latest run); repeats
-- keep only this row.
CREATE TABLE monitor_runs (
    monitor     INTEGER NOT NULL, -- monitors.seq
    at          INTEGER NOT NULL, -- unix milliseconds the run started
    duration_ms INTEGER NOT NULL,
    outcome     TEXT    NOT NULL, -- success, warning, failure
    code        TEXT    NOT NULL,
    steps_ms    TEXT    NOT NULL, -- each step's duration, in conversation order: "2,11,0,1,13"
    attempt_id  TEXT    NOT NULL, -- '' once compacted
    kept        INTEGER NOT NULL, -- 1: a change of state or diagnosis, whose attempt is kept
    PRIMARY KEY (monitor, at)
) WITHOUT ROWID;

-- Runs and successful runs per monitor per hour (the 24 h uptime) and per
-- day (7 and 30 days), so the monitors page sums a few dozen rows per
-- monitor instead of thousands of runs.
CREATE TABLE monitor_hours (
    monitor INTEGER NOT NULL,
    hour    INTEGER NOT NULL, -- unix milliseconds / 3600000
    runs    INTEGER NOT NULL,
    up      INTEGER NOT NULL,
    PRIMARY KEY (monitor, hour)
) WITHOUT ROWID;

CREATE TABLE monitor_days (
    monitor INTEGER NOT NULL,
    day     INTEGER NOT NULL, -- unix milliseconds / 86400000
    runs    INTEGER NOT NULL,
    up      INTEGER NOT NULL,
    PRIMARY KEY (monitor, day)
) WITHOUT ROWID;

-- Every try at delivering an alert, so that a failed alert is never a
-- silent one. target has no webhook path (those are credentials).
CREATE TABLE alert_deliveries (
    monitor_id TEXT    NOT NULL,
    at         INTEGER NOT NULL, -- unix milliseconds
    event      TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    try        INTEGER NOT NULL,
    ok         INTEGER NOT NULL, -- 0 or 1
    final      INTEGER NOT NULL, -- 0 or 1: no retry follows
    detail     TEXT    NOT NULL
);
CREATE INDEX alert_deliveries_monitor ON alert_deliveries (monitor_id, at);

-- Which monitor's schedule started an attempt; '' for every other kind.
ALTER TABLE attempts ADD COLUMN monitor_id TEXT NOT NULL DEFAULT '';
CREATE INDEX attempts_monitor ON attempts (monitor_id, started_at, id) WHERE monitor_id <> '';
