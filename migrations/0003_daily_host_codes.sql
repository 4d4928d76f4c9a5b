-- Per-day counts by server as well as outcome and code, so that the
-- history's counts for one host (the most common filter after none) are
-- read rather than walked: a busy host at a million attempts has a hundred
-- thousand of them, seconds to count one by one. Same rules and triggers as
-- 0002_daily_counts.sql; the key leads with the server because every read
-- names one.
CREATE TABLE daily_host_codes (
    host    TEXT    NOT NULL,
    port    INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT    NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (host, port, day, outcome, code)
) WITHOUT ROWID;

INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
    SELECT host, port, started_at / 86400000, outcome, code, COUNT(*) FROM attempts
    GROUP BY host, port, started_at / 86400000, outcome, code;

CREATE TRIGGER attempts_host_count_insert AFTER INSERT ON attempts BEGIN
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
        VALUES (NEW.host, NEW.port, NEW.started_at / 86400000, NEW.outcome, NEW.code, 1)
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER attempts_host_count_delete AFTER DELETE ON attempts BEGIN
    UPDATE daily_host_codes SET n = n - 1
        WHERE host = OLD.host AND port = OLD.port AND day = OLD.started_at / 86400000
          AND outcome = OLD.outcome AND code = OLD.code;
END;

CREATE TRIGGER attempts_host_count_update AFTER UPDATE OF started_at, host, port, outcome, code ON attempts
    WHEN OLD.started_at / 86400000 <> NEW.started_at / 86400000 OR OLD.host <> NEW.host OR OLD.port <> NEW.port
      OR OLD.outcome <> NEW.outcome OR OLD.code <> NEW.code
BEGIN
    UPDATE daily_host_codes SET n = n - 1
        WHERE host = OLD.host AND port = OLD.port AND day = OLD.started_at / 86400000
          AND outcome = OLD.outcome AND code = OLD.code;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
        VALUES (NEW.host, NEW.port, NEW.started_at / 86400000, NEW.outcome, NEW.code, 1)
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = n + 1;
END;
