-- The per-day counts (0002_daily_counts.sql, 0003_daily_host_codes.sql)
-- gain the attempt's kind (0006_kind.sql) as the last part of their keys.
-- Until now an explanation (pasted text naming a host:port) counted as an
-- attempt on that server in the servers view and in the breakdown of
-- diagnosis codes, which are about what servers did when tested; their
-- triggers did not know the kind. With the kind in the key, those views sum
-- only probes and monitors' runs, the history's counts still sum every
-- kind, and a kind filter is read from the counts instead of walking the
-- attempts. Kind last: every read that names a day, host or code keeps the
-- same key prefix as before.
--
-- The tables are rebuilt from attempts (the counts of the old tables cannot
-- be split by kind), with triggers as before plus kind.
DROP TRIGGER attempts_count_insert;
DROP TRIGGER attempts_count_delete;
DROP TRIGGER attempts_count_update_codes;
DROP TRIGGER attempts_count_update_servers;
DROP TRIGGER attempts_host_count_insert;
DROP TRIGGER attempts_host_count_delete;
DROP TRIGGER attempts_host_count_update;
DROP TABLE daily_codes;
DROP TABLE daily_servers;
DROP TABLE daily_host_codes;

CREATE TABLE daily_codes (
    day     INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, outcome, code, kind)
) WITHOUT ROWID;

CREATE TABLE daily_servers (
    day  INTEGER NOT NULL,
    host TEXT    NOT NULL,
    port INTEGER NOT NULL,
    kind TEXT    NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, host, port, kind)
) WITHOUT ROWID;

CREATE TABLE daily_host_codes (
    host    TEXT    NOT NULL,
    port    INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    kind    TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (host, port, day, outcome, code, kind)
) WITHOUT ROWID;

INSERT INTO daily_codes (day, outcome, code, kind, n)
    SELECT started_at / 86400000, outcome, code, kind, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, outcome, code, kind;

INSERT INTO daily_servers (day, host, port, kind, n)
    SELECT started_at / 86400000, host, port, kind, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, host, port, kind;

INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
    SELECT host, port, started_at / 86400000, outcome, code, kind, COUNT(*) FROM attempts
    GROUP BY host, port, started_at / 86400000, outcome, code, kind;

CREATE TRIGGER attempts_count_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        VALUES (NEW.started_at / 86400000, NEW.outcome, NEW.code, NEW.kind, 1)
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = n + 1;
    INSERT INTO daily_servers (day, host, port, kind, n)
        VALUES (NEW.started_at / 86400000, NEW.host, NEW.port, NEW.kind, 1)
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = n + 1;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        VALUES (NEW.host, NEW.port, NEW.started_at / 86400000, NEW.outcome, NEW.code, NEW.kind, 1)
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_count_delete AFTER DELETE ON attempts BEGIN
    UPDATE daily_codes SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND outcome = OLD.outcome AND code = OLD.code AND kind = OLD.kind;
    UPDATE daily_servers SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND host = OLD.host AND port = OLD.port AND kind = OLD.kind;
    UPDATE daily_host_codes SET n = n - 1
        WHERE host = OLD.host AND port = OLD.port AND day = OLD.started_at / 86400000
          AND outcome = OLD.outcome AND code = OLD.code AND kind = OLD.kind;
END;

-- Progress updates rewrite every column; only a change that moves the
-- attempt to another count does anything here.
CREATE TRIGGER attempts_count_update_codes AFTER UPDATE OF started_at, outcome, code, kind ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.outcome <> NEW.outcome
      OR OLD.code <> NEW.code OR OLD.kind <> NEW.kind
BEGIN
    UPDATE daily_codes SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND outcome = OLD.outcome AND code = OLD.code AND kind = OLD.kind;
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        VALUES (NEW.started_at / 86400000, NEW.outcome, NEW.code, NEW.kind, 1)
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_count_update_servers AFTER UPDATE OF started_at, host, port, kind ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.host <> NEW.host
      OR OLD.port <> NEW.port OR OLD.kind <> NEW.kind
BEGIN
    UPDATE daily_servers SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND host = OLD.host AND port = OLD.port AND kind = OLD.kind;
    INSERT INTO daily_servers (day, host, port, kind, n)
        VALUES (NEW.started_at / 86400000, NEW.host, NEW.port, NEW.kind, 1)
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_host_count_update AFTER UPDATE OF started_at, host, port, outcome, code, kind ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.host <> NEW.host OR OLD.port <> NEW.port
      OR OLD.outcome <> NEW.outcome OR OLD.code <> NEW.code OR OLD.kind <> NEW.kind
BEGIN
    UPDATE daily_host_codes SET n = n - 1
        WHERE host = OLD.host AND port = OLD.port AND day = OLD.started_at / 86400000
          AND outcome = OLD.outcome AND code = OLD.code AND kind = OLD.kind;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        VALUES (NEW.host, NEW.port, NEW.started_at / 86400000, NEW.outcome, NEW.code, NEW.kind, 1)
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = n + 1;
END;
