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

-- Limits that protect target servers hold across replicas: a lease is one
-- of the places a limit hands out (at most N probes of one server at once),
-- slot 0 to N-1 under one key. A lease ends when its holder gives it back,
-- or at expires_at if the holder died holding it.
CREATE TABLE leases (
    key        TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    holder     TEXT    NOT NULL, -- replicas.id
    expires_at INTEGER NOT NULL, -- unix milliseconds
    PRIMARY KEY (key, slot)
);

-- Requests per key (a client) per fixed window, for rate limits that hold
-- across replicas. Old windows are deleted by the replicas' heartbeats.
CREATE TABLE rate_counts (
    key          TEXT    NOT NULL,
    window_start INTEGER NOT NULL, -- unix milliseconds
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- Work that must happen once however many replicas see it due (a monitor's
-- run at one due time): the first replica to insert the key does it, the
-- others find it there. Rows are deleted by heartbeats after expires_at.
CREATE TABLE claims (
    key        TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL, -- replicas.id
    expires_at INTEGER NOT NULL  -- unix milliseconds
);
