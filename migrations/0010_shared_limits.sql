-- Limits and once-only work that must hold across replicas sharing one
-- database (0008_replicas.sql): places under a limit, request counts per
-- window, and claims on work that must be done once.
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
