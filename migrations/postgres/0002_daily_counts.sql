-- Per-day counts kept exact by triggers: ../0002_daily_counts.sql in
-- PL/pgSQL. day is started_at / 86400000 (BIGINT division truncates, as in
-- SQLite). n is INTEGER so that SUM(n) is a BIGINT (the SUM of a BIGINT
-- would be NUMERIC); a day holds far fewer than two billion attempts.
CREATE TABLE daily_codes (
    day     BIGINT  NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, outcome, code)
);

CREATE TABLE daily_servers (
    day  BIGINT  NOT NULL,
    host TEXT COLLATE "C" NOT NULL,
    port INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, host, port)
);

INSERT INTO daily_codes (day, outcome, code, n)
    SELECT started_at / 86400000, outcome, code, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, outcome, code;

INSERT INTO daily_servers (day, host, port, n)
    SELECT started_at / 86400000, host, port, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, host, port;

CREATE FUNCTION attempts_count_codes(d BIGINT, o TEXT, c TEXT, delta INTEGER) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO daily_codes (day, outcome, code, n) VALUES (d, o, c, delta)
        ON CONFLICT (day, outcome, code) DO UPDATE SET n = daily_codes.n + delta;
$$;

CREATE FUNCTION attempts_count_servers(d BIGINT, h TEXT, p INTEGER, delta INTEGER) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO daily_servers (day, host, port, n) VALUES (d, h, p, delta)
        ON CONFLICT (day, host, port) DO UPDATE SET n = daily_servers.n + delta;
$$;

-- One trigger function for insert, delete and update: a row leaves its old
-- counts and enters its new ones; an update that moves nothing (a progress
-- write) does nothing.
CREATE FUNCTION attempts_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF TG_OP = 'DELETE' OR OLD.started_at / 86400000 <> NEW.started_at / 86400000
           OR OLD.outcome <> NEW.outcome OR OLD.code <> NEW.code THEN
            PERFORM attempts_count_codes(OLD.started_at / 86400000, OLD.outcome, OLD.code, -1);
            IF TG_OP = 'UPDATE' THEN
                PERFORM attempts_count_codes(NEW.started_at / 86400000, NEW.outcome, NEW.code, 1);
            END IF;
        END IF;
        IF TG_OP = 'DELETE' OR OLD.started_at / 86400000 <> NEW.started_at / 86400000
           OR OLD.host <> NEW.host OR OLD.port <> NEW.port THEN
            PERFORM attempts_count_servers(OLD.started_at / 86400000, OLD.host, OLD.port, -1);
            IF TG_OP = 'UPDATE' THEN
                PERFORM attempts_count_servers(NEW.started_at / 86400000, NEW.host, NEW.port, 1);
            END IF;
        END IF;
        RETURN NULL;
    END IF;
    PERFORM attempts_count_codes(NEW.started_at / 86400000, NEW.outcome, NEW.code, 1);
    PERFORM attempts_count_servers(NEW.started_at / 86400000, NEW.host, NEW.port, 1);
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_count AFTER INSERT OR UPDATE OR DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_count();
