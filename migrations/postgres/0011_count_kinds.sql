-- The per-day counts gain the attempt's kind as the last part of their
-- keys: ../0011_count_kinds.sql says why. Rebuilt from attempts, and kept
-- as before by statement-level triggers reading the transition tables
-- (0002_daily_counts.sql: one grouped change per key and statement, not
-- one per row); the three tables are now kept by one trigger per event
-- instead of two.
DROP TRIGGER attempts_count_insert ON attempts;
DROP TRIGGER attempts_count_delete ON attempts;
DROP TRIGGER attempts_count_update ON attempts;
DROP TRIGGER attempts_host_count_insert ON attempts;
DROP TRIGGER attempts_host_count_delete ON attempts;
DROP TRIGGER attempts_host_count_update ON attempts;
DROP FUNCTION attempts_count_insert();
DROP FUNCTION attempts_count_delete();
DROP FUNCTION attempts_count_update();
DROP FUNCTION attempts_host_count_insert();
DROP FUNCTION attempts_host_count_delete();
DROP FUNCTION attempts_host_count_update();
DROP TABLE daily_codes;
DROP TABLE daily_servers;
DROP TABLE daily_host_codes;

CREATE TABLE daily_codes (
    day     BIGINT  NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, outcome, code, kind) INCLUDE (n)
);

CREATE TABLE daily_servers (
    day  BIGINT  NOT NULL,
    host TEXT COLLATE "C" NOT NULL,
    port INTEGER NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (day, host, port, kind) INCLUDE (n)
);

CREATE TABLE daily_host_codes (
    host    TEXT COLLATE "C" NOT NULL,
    port    INTEGER NOT NULL,
    day     BIGINT  NOT NULL,
    outcome TEXT    NOT NULL,
    code    TEXT COLLATE "C" NOT NULL,
    kind    TEXT COLLATE "C" NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (host, port, day, outcome, code, kind) INCLUDE (n)
);

INSERT INTO daily_codes (day, outcome, code, kind, n)
    SELECT started_at / 86400000, outcome, code, kind, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, outcome, code, kind;

INSERT INTO daily_servers (day, host, port, kind, n)
    SELECT started_at / 86400000, host, port, kind, COUNT(*) FROM attempts
    GROUP BY started_at / 86400000, host, port, kind;

INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
    SELECT host, port, started_at / 86400000, outcome, code, kind, COUNT(*) FROM attempts
    GROUP BY host, port, started_at / 86400000, outcome, code, kind;

CREATE FUNCTION attempts_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        SELECT day, outcome, code, kind, SUM(d) FROM (
            SELECT started_at / 86400000, outcome, code, kind, 1 FROM new_rows
        ) AS moved (day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = daily_codes.n + excluded.n;
    INSERT INTO daily_servers (day, host, port, kind, n)
        SELECT day, host, port, kind, SUM(d) FROM (
            SELECT started_at / 86400000, host, port, kind, 1 FROM new_rows
        ) AS moved (day, host, port, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = daily_servers.n + excluded.n;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        SELECT host, port, day, outcome, code, kind, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, kind, 1 FROM new_rows
        ) AS moved (host, port, day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_count_insert AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_count_insert();

CREATE FUNCTION attempts_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        SELECT day, outcome, code, kind, SUM(d) FROM (
            SELECT started_at / 86400000, outcome, code, kind, -1 FROM old_rows
        ) AS moved (day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = daily_codes.n + excluded.n;
    INSERT INTO daily_servers (day, host, port, kind, n)
        SELECT day, host, port, kind, SUM(d) FROM (
            SELECT started_at / 86400000, host, port, kind, -1 FROM old_rows
        ) AS moved (day, host, port, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = daily_servers.n + excluded.n;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        SELECT host, port, day, outcome, code, kind, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, kind, -1 FROM old_rows
        ) AS moved (host, port, day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_count_delete AFTER DELETE ON attempts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_count_delete();

-- An update that moves no attempt to another count (a progress write) sums
-- to zero everywhere and writes nothing.
CREATE FUNCTION attempts_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        SELECT day, outcome, code, kind, SUM(d) FROM (
            SELECT started_at / 86400000, outcome, code, kind, 1 FROM new_rows
            UNION ALL
            SELECT started_at / 86400000, outcome, code, kind, -1 FROM old_rows
        ) AS moved (day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = daily_codes.n + excluded.n;
    INSERT INTO daily_servers (day, host, port, kind, n)
        SELECT day, host, port, kind, SUM(d) FROM (
            SELECT started_at / 86400000, host, port, kind, 1 FROM new_rows
            UNION ALL
            SELECT started_at / 86400000, host, port, kind, -1 FROM old_rows
        ) AS moved (day, host, port, kind, d)
        GROUP BY 1, 2, 3, 4 HAVING SUM(d) <> 0
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = daily_servers.n + excluded.n;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        SELECT host, port, day, outcome, code, kind, SUM(d) FROM (
            SELECT host, port, started_at / 86400000, outcome, code, kind, 1 FROM new_rows
            UNION ALL
            SELECT host, port, started_at / 86400000, outcome, code, kind, -1 FROM old_rows
        ) AS moved (host, port, day, outcome, code, kind, d)
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(d) <> 0
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_count_update AFTER UPDATE ON attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_count_update();
