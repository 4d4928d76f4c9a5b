-- One row per probe attempt.
--
-- The whole probe.Result lives in doc (a format byte, then DEFLATE-compressed
-- JSON): it is written whole and read whole for the permalink. The other
-- columns are a summary copied out of it, for what the history, the servers
-- view and the breakdown filter, sort and show without opening the document.
-- Text columns are NOT NULL with '' for "none" so that scans need no NULL
-- handling; the types are plain so the same table reads well in PostgreSQL
-- (BIGINT for the INTEGERs, BYTEA for the BLOB).
CREATE TABLE attempts (
    id          TEXT    NOT NULL PRIMARY KEY,
    started_at  INTEGER NOT NULL, -- unix milliseconds
    host        TEXT    NOT NULL, -- lower case
    port        INTEGER NOT NULL,
    security    TEXT    NOT NULL,
    username    TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- queued, running, done, interrupted
    outcome     TEXT    NOT NULL, -- success, warning, failure; '' until done
    code        TEXT    NOT NULL, -- primary diagnosis code; '' until diagnosed
    title       TEXT    NOT NULL, -- diagnosis title, for display and search
    failed_step TEXT    NOT NULL,
    reply_text  TEXT    NOT NULL, -- the failing reply's lines (or the error), bounded
    duration_ms INTEGER NOT NULL,
    doc         BLOB    NOT NULL
);

-- Every list is newest first with (started_at, id) as the keyset, so each
-- index a list can walk ends in started_at, id: the walk is then already in
-- order and a page stops after LIMIT rows, however many rows match.
CREATE INDEX attempts_started   ON attempts (started_at, id);
CREATE INDEX attempts_host      ON attempts (host, started_at, id);
CREATE INDEX attempts_host_port ON attempts (host, port, started_at, id);
CREATE INDEX attempts_code      ON attempts (code, started_at, id);
CREATE INDEX attempts_outcome   ON attempts (outcome, started_at, id);

-- "When did this server last work?" without walking its failures.
CREATE INDEX attempts_worked ON attempts (host, port, started_at, id)
    WHERE outcome IN ('success', 'warning');

-- Startup marks unfinished attempts interrupted; this keeps that instant at
-- any size.
CREATE INDEX attempts_unfinished ON attempts (status)
    WHERE status IN ('queued', 'running');
