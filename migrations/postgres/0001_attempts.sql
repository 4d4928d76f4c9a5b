-- One row per probe attempt: PostgreSQL's spelling of ../0001_attempts.sql,
-- which explains the columns. BIGINT for SQLite's INTEGER, BYTEA for its
-- BLOB. Text that is sorted or compared as a key is COLLATE "C" (byte
-- order), as in SQLite, so that pages and cursors order ties the same way
-- on both, and index range walks do not depend on the server's locale.
CREATE TABLE attempts (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    started_at  BIGINT  NOT NULL, -- unix milliseconds
    host        TEXT COLLATE "C" NOT NULL, -- lower case
    port        INTEGER NOT NULL,
    security    TEXT    NOT NULL,
    username    TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- queued, running, done, interrupted
    outcome     TEXT    NOT NULL, -- success, warning, failure; '' until done
    code        TEXT COLLATE "C" NOT NULL, -- primary diagnosis code; '' until diagnosed
    title       TEXT    NOT NULL,
    failed_step TEXT    NOT NULL,
    reply_text  TEXT    NOT NULL,
    duration_ms BIGINT  NOT NULL,
    doc         BYTEA   NOT NULL
);

CREATE INDEX attempts_started   ON attempts (started_at, id);
CREATE INDEX attempts_host      ON attempts (host, started_at, id);
CREATE INDEX attempts_host_port ON attempts (host, port, started_at, id);
CREATE INDEX attempts_code      ON attempts (code, started_at, id);
CREATE INDEX attempts_outcome   ON attempts (outcome, started_at, id);

CREATE INDEX attempts_worked ON attempts (host, port, started_at, id)
    WHERE outcome IN ('success', 'warning');

CREATE INDEX attempts_unfinished ON attempts (status)
    WHERE status IN ('queued', 'running');
