-- Per-day counts by server as well as outcome and code:
-- ../0003_daily_host_codes.sql in PL/pgSQL.
CREATE TABLE daily_host_codes (
    host    TEXT COLLATE "C" NOT NULL,
    port    INTEGER NOT NULL,
    day     BIGINT  NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (host, port, day, outcome, code)
);

INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
    SELECT host, port, started_at / 86400000, outcome, code, COUNT(*) FROM attempts
    GROUP BY host, port, started_at / 86400000, outcome, code;

CREATE FUNCTION attempts_count_host_codes(h TEXT, p INTEGER, d BIGINT, o TEXT, c TEXT, delta INTEGER) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n) VALUES (h, p, d, o, c, delta)
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = daily_host_codes.n + delta;
$$;

CREATE FUNCTION attempts_host_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.started_at / 86400000 = NEW.started_at / 86400000
       AND OLD.host = NEW.host AND OLD.port = NEW.port
       AND OLD.outcome = NEW.outcome AND OLD.code = NEW.code THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM attempts_count_host_codes(OLD.host, OLD.port, OLD.started_at / 86400000, OLD.outcome, OLD.code, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM attempts_count_host_codes(NEW.host, NEW.port, NEW.started_at / 86400000, NEW.outcome, NEW.code, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_host_count AFTER INSERT OR UPDATE OR DELETE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_host_count();
