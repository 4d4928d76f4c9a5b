-- Per-day counts, kept by triggers, so that the history's counts, the
-- breakdown and the servers view read a few thousand rows instead of
-- walking every attempt: at a million attempts a full walk takes a quarter
-- of a second or more per view; these take milliseconds.
--
-- day is started_at / 86400000: whole UTC days since 1970. A count may drop
-- to zero and stay as a row; readers sum and skip zeros. Triggers are
-- SQLite's syntax (a PostgreSQL store would write them as plpgsql); they
-- keep the counts right whichever statement changes attempts, Prune and
-- hand-run deletes included. WITHOUT ROWID stores each small row once, in
-- its key's b-tree, instead of in a table plus a key index.
CREATE TABLE daily_codes (
    day     INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, outcome, code)
) WITHOUT ROWID;

CREATE TABLE daily_servers (
    day  INTEGER NOT NULL,
    host TEXT    NOT NULL,
    port INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, host, port)
) WITHOUT ROWID;

INSERT INTO daily_codes (day, outcome, code, n)
    SELECT started_at / 86400000, outcome, code, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, outcome, code;

INSERT INTO daily_servers (day, host, port, n)
    SELECT started_at / 86400000, host, port, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, host, port;

CREATE TRIGGER attempts_count_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO daily_codes (day, outcome, code, n) VALUES (NEW.started_at / 86400000, NEW.outcome, NEW.code, 1)
        ON CONFLICT (day, outcome, code) DO UPDATE SET n = n + 1;
    INSERT INTO daily_servers (day, host, port, n) VALUES (NEW.started_at / 86400000, NEW.host, NEW.port, 1)
        ON CONFLICT (day, host, port) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_count_delete AFTER DELETE ON attempts BEGIN
    UPDATE daily_codes SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND outcome = OLD.outcome AND code = OLD.code;
    UPDATE daily_servers SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND host = OLD.host AND port = OLD.port;
END;

-- Progress updates rewrite every column; only a change that moves the
-- attempt to another count does anything here.
CREATE TRIGGER attempts_count_update_codes AFTER UPDATE OF started_at, outcome, code ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.outcome <> NEW.outcome OR OLD.code <> NEW.code
BEGIN
    UPDATE daily_codes SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND outcome = OLD.outcome AND code = OLD.code;
    INSERT INTO daily_codes (day, outcome, code, n) VALUES (NEW.started_at / 86400000, NEW.outcome, NEW.code, 1)
        ON CONFLICT (day, outcome, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_count_update_servers AFTER UPDATE OF started_at, host, port ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.host <> NEW.host OR OLD.port <> NEW.port
BEGIN
    UPDATE daily_servers SET n = n - 1
        WHERE day = OLD.started_at / 86400000 AND host = OLD.host AND port = OLD.port;
    INSERT INTO daily_servers (day, host, port, n) VALUES (NEW.started_at / 86400000, NEW.host, NEW.port, 1)
        ON CONFLICT (day, host, port) DO UPDATE SET n = n + 1;
END;
