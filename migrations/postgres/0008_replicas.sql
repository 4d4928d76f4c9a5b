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
