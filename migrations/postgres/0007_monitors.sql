-- Monitors, their sealed secrets, compact runs, uptime buckets and the
-- alert delivery log: PostgreSQL's spelling of ../0007_monitors.sql, which
-- explains every table. BIGINT for SQLite's INTEGER (unix milliseconds do
-- not fit in 32 bits), BYTEA for BLOB; WITHOUT ROWID is SQLite's alone.

CREATE TABLE monitors (
    id          TEXT    NOT NULL PRIMARY KEY,
    seq         BIGINT NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    settings    TEXT    NOT NULL,
    interval_ms BIGINT NOT NULL,
    fail_after  BIGINT NOT NULL,
    cert_days   BIGINT NOT NULL,
    alerts      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    since       BIGINT NOT NULL,
    status      TEXT    NOT NULL,
    next_run_at BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE monitor_secrets (
    monitor_id TEXT NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    slot       TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    box        BYTEA NOT NULL,
    PRIMARY KEY (monitor_id, slot)
);

CREATE TABLE monitor_runs (
    monitor     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    outcome     TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    steps_ms    TEXT    NOT NULL,
    attempt_id  TEXT    NOT NULL,
    kept        BIGINT NOT NULL,
    PRIMARY KEY (monitor, at)
);

CREATE TABLE monitor_hours (
    monitor BIGINT NOT NULL,
    hour    BIGINT NOT NULL,
    runs    INTEGER NOT NULL,
    up      INTEGER NOT NULL,
    PRIMARY KEY (monitor, hour)
);

CREATE TABLE monitor_days (
    monitor BIGINT NOT NULL,
    day     BIGINT NOT NULL,
    runs    INTEGER NOT NULL,
    up      INTEGER NOT NULL,
    PRIMARY KEY (monitor, day)
);

CREATE TABLE alert_deliveries (
    monitor_id TEXT    NOT NULL,
    at         BIGINT NOT NULL,
    event      TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    try        BIGINT NOT NULL,
    ok         BIGINT NOT NULL,
    final      BIGINT NOT NULL,
    detail     TEXT    NOT NULL
);
CREATE INDEX alert_deliveries_monitor ON alert_deliveries (monitor_id, at);

ALTER TABLE attempts ADD COLUMN monitor_id TEXT NOT NULL DEFAULT '';
CREATE INDEX attempts_monitor ON attempts (monitor_id, started_at, id) WHERE monitor_id <> '';
