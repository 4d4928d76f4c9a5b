-- Per-day counts by server as well as outcome and code:
-- ../0003_daily_host_codes.sql in PL/pgSQL.
CREATE TABLE daily_host_codes (
    host    TEXT COLLATE "C" NOT NULL,
    port    INTEGER NOT NULL,
    day     BIGINT  NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (host, port, day, outcome, code) INCLUDE (n)
);

INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
    SELECT host, port, started_at / 86400000, outcome, code, COUNT(*) FROM attempts
    GROUP BY host, port, started_at / 86400000, outcome, code;

-- Kept like daily_codes (0002_daily_counts.sql): statement-level triggers.
CREATE FUNCTION attempts_host_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
        SELECT host, port, day, outcome, code, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, 1 FROM new_rows
        ) AS moved (host, port, day, outcome, code, d)
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_host_count_insert AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_host_count_insert();

CREATE FUNCTION attempts_host_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
        SELECT host, port, day, outcome, code, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, -1 FROM old_rows
        ) AS moved (host, port, day, outcome, code, d)
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_host_count_delete AFTER DELETE ON attempts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_host_count_delete();

CREATE FUNCTION attempts_host_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_host_codes (host, port, day, outcome, code, n)
        SELECT host, port, day, outcome, code, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, 1 FROM new_rows
            UNION ALL
            SELECT host, port, started_at / 86400000, outcome, code, -1 FROM old_rows
        ) AS moved (host, port, day, outcome, code, d)
        GROUP BY 1, 2, 3, 4, 5 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_host_count_update AFTER UPDATE ON attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_host_count_update();
