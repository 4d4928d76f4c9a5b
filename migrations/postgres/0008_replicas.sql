-- Which replica runs each unfinished attempt, and which replicas are alive:
-- ../0006_replicas.sql explains.
ALTER TABLE attempts ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE TABLE replicas (
    id         TEXT   NOT NULL PRIMARY KEY,
    started_at BIGINT NOT NULL, -- unix milliseconds
    seen_at    BIGINT NOT NULL  -- last heartbeat, unix milliseconds
);

DROP INDEX attempts_unfinished;
CREATE INDEX attempts_unfinished ON attempts (owner)
    WHERE status IN ('queued', 'running');

-- Limits across replicas (leases) and rate counts: ../0006_replicas.sql.
CREATE TABLE leases (
    key        TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    PRIMARY KEY (key, slot)
);

CREATE TABLE rate_counts (
    key          TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE claims (
    key        TEXT   NOT NULL PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
