-- One trigger per event on attempts, and none that runs for nothing.
--
-- Until now each event fired two statement-level triggers: the per-day
-- counts (0011_count_kinds.sql) and the servers changed
-- (0012_server_summary.sql). And Save's INSERT … ON CONFLICT DO UPDATE
-- fires the UPDATE triggers as well as the INSERT ones, even when it
-- updated no row, as for every new attempt. Measured on one-row Saves
-- (backend CPU per statement, pgbench): about 120 µs for the insert and
-- its indexes, 110 µs for UPDATE triggers with no rows to read, 70 µs for
-- noting the server, 100 µs for the counts. That was most of what
-- PostgreSQL spent on a probe.
--
-- Now one function per event keeps both, and the UPDATE one returns at
-- once when the statement changed no row. What they write is unchanged.
DROP TRIGGER attempts_count_insert ON attempts;
DROP TRIGGER attempts_count_delete ON attempts;
DROP TRIGGER attempts_count_update ON attempts;
DROP TRIGGER attempts_summary_insert ON attempts;
DROP TRIGGER attempts_summary_delete ON attempts;
DROP TRIGGER attempts_summary_update ON attempts;
DROP FUNCTION attempts_count_insert();
DROP FUNCTION attempts_count_delete();
DROP FUNCTION attempts_count_update();
DROP FUNCTION attempts_summary_insert();
DROP FUNCTION attempts_summary_delete();
DROP FUNCTION attempts_summary_update();

CREATE FUNCTION attempts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        SELECT started_at / 86400000, outcome, code, kind, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = daily_codes.n + excluded.n;
    INSERT INTO daily_servers (day, host, port, kind, n)
        SELECT started_at / 86400000, host, port, kind, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = daily_servers.n + excluded.n;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        SELECT host, port, started_at / 86400000, outcome, code, kind, COUNT(*) FROM new_rows
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    INSERT INTO server_dirty (host, port)
        SELECT DISTINCT host, port FROM new_rows WHERE kind IN ('probe', 'monitor') AND host <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_after_insert AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_after_insert();

CREATE FUNCTION attempts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_codes (day, outcome, code, kind, n)
        SELECT started_at / 86400000, outcome, code, kind, -COUNT(*) FROM old_rows
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, outcome, code, kind) DO UPDATE SET n = daily_codes.n + excluded.n;
    INSERT INTO daily_servers (day, host, port, kind, n)
        SELECT started_at / 86400000, host, port, kind, -COUNT(*) FROM old_rows
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, host, port, kind) DO UPDATE SET n = daily_servers.n + excluded.n;
    INSERT INTO daily_host_codes (host, port, day, outcome, code, kind, n)
        SELECT host, port, started_at / 86400000, outcome, code, kind, -COUNT(*) FROM old_rows
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (host, port, day, outcome, code, kind) DO UPDATE SET n = daily_host_codes.n + excluded.n;
    INSERT INTO server_dirty (host, port)
        SELECT DISTINCT host, port FROM old_rows WHERE kind IN ('probe', 'monitor') AND host <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_after_delete AFTER DELETE ON attempts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_after_delete();

-- An update that moves no attempt to another count (a progress write)
-- sums to zero everywhere and writes nothing; a statement that updated no
-- row (an INSERT … ON CONFLICT DO UPDATE that only inserted) reads nothing.
CREATE FUNCTION attempts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
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
    -- A changed attempt's server before and after (the same one unless
    -- the attempt moved), when what the summary shows changed.
    INSERT INTO server_dirty (host, port)
        SELECT DISTINCT c.host, c.port
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (o.host, o.port, o.kind), (n.host, n.port, n.kind)) AS c (host, port, kind)
        WHERE (o.host, o.port, o.started_at, o.kind, o.status, o.outcome, o.code, o.title)
                IS DISTINCT FROM (n.host, n.port, n.started_at, n.kind, n.status, n.outcome, n.code, n.title)
          AND c.kind IN ('probe', 'monitor') AND c.host <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_after_update AFTER UPDATE ON attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_after_update();
