-- Which process runs each unfinished attempt, and which processes are
-- alive, so that "interrupted" means "its owner is gone": with several
-- replicas on one database, a replica starting up must not mark another's
-- running probes interrupted. Each process (replica) has a random id for
-- its lifetime; it writes it into owner when it stores an attempt, and
-- refreshes seen_at in replicas every few seconds (a heartbeat). An
-- unfinished attempt whose owner has no fresh heartbeat was cut off.
-- Attempts stored before this migration have owner '' (no replica), so
-- they count as cut off too.
ALTER TABLE attempts ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE TABLE replicas (
    id         TEXT    NOT NULL PRIMARY KEY,
    started_at INTEGER NOT NULL, -- unix milliseconds
    seen_at    INTEGER NOT NULL  -- last heartbeat, unix milliseconds
);

-- Finding a dead replica's unfinished attempts stays instant at any size.
DROP INDEX attempts_unfinished;
CREATE INDEX attempts_unfinished ON attempts (owner)
    WHERE status IN ('queued', 'running');
