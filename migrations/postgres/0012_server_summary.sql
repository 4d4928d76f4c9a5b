-- A per-server summary for the servers view, kept up to date on write:
-- ../0012_server_summary.sql says why and what each table holds (the
-- newest 20 tested attempts of each host:port, and when it last worked).
--
-- As for the counts (0011_count_kinds.sql), the triggers are
-- statement-level and read the transition tables, so a batch insert of
-- thousands of attempts adds each server's newest 20 of the batch and trims
-- each server once, instead of inserting and deleting a timeline row per
-- attempt. Where SQLite changes a row in place, these rebuild the servers
-- concerned from attempts (at most 20 rows of attempts_host_port each), which
-- is as cheap and harder to get wrong across a statement of many rows.
--
-- Concurrent writers (replicas) may leave a server's timeline with a row
-- or two more than 20 for a moment: each trims what it sees. The reader
-- keeps the newest 20. An attempt deleted while another is inserted on the
-- same server may leave the oldest point of that timeline off by one until
-- newer attempts push it out; nothing deletes recent attempts but a person.
CREATE TABLE server_timeline (
    host       TEXT COLLATE "C" NOT NULL,
    port       INTEGER NOT NULL,
    started_at BIGINT  NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    status     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    code       TEXT COLLATE "C" NOT NULL,
    title      TEXT    NOT NULL,
    PRIMARY KEY (host, port, started_at, id)
);

-- The servers view sums each server's days since a time from this index
-- (../0012_server_summary.sql says why).
CREATE INDEX daily_servers_server ON daily_servers (host, port, kind, day) INCLUDE (n);

-- The partial day at the window's edge is counted from attempts_kind alone
-- (an index-only scan) with host and port in it.
DROP INDEX attempts_kind;
CREATE INDEX attempts_kind ON attempts (kind, started_at, id) INCLUDE (host, port);

CREATE TABLE server_worked (
    host       TEXT COLLATE "C" NOT NULL,
    port       INTEGER NOT NULL,
    started_at BIGINT  NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (host, port)
);

-- What the view reads: each server's timeline packed in one text
-- (../0012_server_summary.sql says why and how), rebuilt from
-- server_timeline for every server a statement changed.
CREATE TABLE server_points (
    host   TEXT COLLATE "C" NOT NULL,
    port   INTEGER NOT NULL,
    newest BIGINT  NOT NULL,
    title  TEXT    NOT NULL,
    points TEXT    NOT NULL,
    PRIMARY KEY (host, port)
);

CREATE FUNCTION server_points_rebuild(hosts TEXT[], ports INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM server_points p
        USING unnest(hosts, ports) AS s (host, port)
        WHERE p.host = s.host AND p.port = s.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT t.host, t.port, MAX(t.started_at),
            (SELECT u.title FROM server_timeline u WHERE u.host = t.host AND u.port = t.port
             ORDER BY u.started_at DESC, u.id DESC LIMIT 1),
            string_agg(t.started_at || ',' || encode(convert_to(t.id, 'UTF8'), 'hex')
                || ',' || encode(convert_to(t.status, 'UTF8'), 'hex')
                || ',' || encode(convert_to(t.outcome, 'UTF8'), 'hex')
                || ',' || encode(convert_to(t.code, 'UTF8'), 'hex'),
                ' ' ORDER BY t.started_at, t.id)
        FROM server_timeline t
        JOIN (SELECT DISTINCT host, port FROM unnest(hosts, ports) AS u (host, port)) s
          ON s.host = t.host AND s.port = t.port
        GROUP BY t.host, t.port;
$$;

-- server_timeline_rebuild and server_worked_rebuild set the summary of the
-- given servers from attempts: at most 20 rows of attempts_host_port, and
-- one seek in attempts_worked, per server.
CREATE FUNCTION server_timeline_rebuild(hosts TEXT[], ports INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM server_timeline t
        USING unnest(hosts, ports) AS s (host, port)
        WHERE t.host = s.host AND t.port = s.port;
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        SELECT a.host, a.port, a.started_at, a.id, a.status, a.outcome, a.code, a.title
        FROM (SELECT DISTINCT host, port FROM unnest(hosts, ports) AS u (host, port) WHERE host <> '') s
        CROSS JOIN LATERAL (
            SELECT x.host, x.port, x.started_at, x.id, x.status, x.outcome, x.code, x.title FROM attempts x
            WHERE x.host = s.host AND x.port = s.port AND x.kind IN ('probe', 'monitor')
            ORDER BY x.started_at DESC, x.id DESC LIMIT 20) a;
    SELECT server_points_rebuild(hosts, ports);
$$;

CREATE FUNCTION server_worked_rebuild(hosts TEXT[], ports INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM server_worked w
        USING unnest(hosts, ports) AS s (host, port)
        WHERE w.host = s.host AND w.port = s.port;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT a.host, a.port, a.started_at, a.id
        FROM (SELECT DISTINCT host, port FROM unnest(hosts, ports) AS u (host, port) WHERE host <> '') s
        CROSS JOIN LATERAL (
            SELECT x.host, x.port, x.started_at, x.id FROM attempts x
            WHERE x.host = s.host AND x.port = s.port AND x.outcome IN ('success', 'warning')
              AND x.kind IN ('probe', 'monitor')
            ORDER BY x.started_at DESC, x.id DESC LIMIT 1) a;
$$;

-- Backfill: every server the daily counts know of.
SELECT server_timeline_rebuild(array_agg(host), array_agg(port)),
       server_worked_rebuild(array_agg(host), array_agg(port))
    FROM (SELECT DISTINCT host, port FROM daily_servers WHERE kind IN ('probe', 'monitor') AND host <> '') s;

CREATE FUNCTION attempts_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Each server's newest 20 of the statement join its timeline; then
    -- each server touched is trimmed back to its newest 20.
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        SELECT host, port, started_at, id, status, outcome, code, title FROM (
            SELECT n.host, n.port, n.started_at, n.id, n.status, n.outcome, n.code, n.title,
                row_number() OVER (PARTITION BY n.host, n.port ORDER BY n.started_at DESC, n.id DESC) AS r
            FROM new_rows n WHERE n.kind IN ('probe', 'monitor') AND n.host <> '') ranked
        WHERE r <= 20
        ON CONFLICT DO NOTHING;
    DELETE FROM server_timeline t
        USING (SELECT DISTINCT host, port FROM new_rows WHERE kind IN ('probe', 'monitor') AND host <> '') s
        WHERE t.host = s.host AND t.port = s.port
          AND (t.started_at, t.id) < (SELECT u.started_at, u.id FROM server_timeline u
                WHERE u.host = s.host AND u.port = s.port
                ORDER BY u.started_at DESC, u.id DESC OFFSET 19 LIMIT 1);
    PERFORM server_points_rebuild(array_agg(host), array_agg(port))
        FROM (SELECT DISTINCT host, port FROM new_rows WHERE kind IN ('probe', 'monitor') AND host <> '') s;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT DISTINCT ON (host, port) host, port, started_at, id FROM new_rows
        WHERE kind IN ('probe', 'monitor') AND host <> '' AND outcome IN ('success', 'warning')
        ORDER BY host, port, started_at DESC, id DESC
        ON CONFLICT (host, port) DO UPDATE SET started_at = excluded.started_at, id = excluded.id
        WHERE (excluded.started_at, excluded.id) > (server_worked.started_at, server_worked.id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_summary_insert AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_insert();

-- Only servers that lost a row of their timeline, or their last success,
-- are rebuilt: retention deletes thousands of old attempts at a time, and
-- few of them are on a timeline.
CREATE FUNCTION attempts_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hosts TEXT[];
    ports INTEGER[];
BEGIN
    SELECT array_agg(s.host), array_agg(s.port) INTO hosts, ports FROM (
        SELECT DISTINCT t.host, t.port FROM server_timeline t
        JOIN old_rows o ON o.host = t.host AND o.port = t.port AND o.started_at = t.started_at AND o.id = t.id) s;
    IF hosts IS NOT NULL THEN
        PERFORM server_timeline_rebuild(hosts, ports);
    END IF;
    SELECT array_agg(w.host), array_agg(w.port) INTO hosts, ports
        FROM server_worked w JOIN old_rows o ON o.host = w.host AND o.port = w.port AND o.id = w.id;
    IF hosts IS NOT NULL THEN
        PERFORM server_worked_rebuild(hosts, ports);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_summary_delete AFTER DELETE ON attempts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_delete();

-- A progress write changes nothing here and costs one join of the two
-- transition tables (a row each). A finished attempt has its timeline row
-- rewritten in place; a move to another server, time or kind rebuilds the
-- servers on both sides; an outcome that starts or stops counting as
-- worked recomputes that server's last success.
CREATE FUNCTION attempts_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hosts TEXT[];
    ports INTEGER[];
BEGIN
    UPDATE server_timeline t SET status = n.status, outcome = n.outcome, code = n.code, title = n.title
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE t.host = n.host AND t.port = n.port AND t.started_at = n.started_at AND t.id = n.id
          AND o.host = n.host AND o.port = n.port AND o.started_at = n.started_at AND o.kind = n.kind
          AND (o.status, o.outcome, o.code, o.title) IS DISTINCT FROM (n.status, n.outcome, n.code, n.title);
    IF FOUND THEN
        PERFORM server_points_rebuild(array_agg(c.host), array_agg(c.port)) FROM (
            SELECT DISTINCT n.host, n.port FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.host = n.host AND o.port = n.port AND o.started_at = n.started_at AND o.kind = n.kind
              AND (o.status, o.outcome, o.code, o.title) IS DISTINCT FROM (n.status, n.outcome, n.code, n.title)) c;
    END IF;

    -- Moves: rows of either side with no row of the same id and place on
    -- the other.
    SELECT array_agg(m.host), array_agg(m.port) INTO hosts, ports FROM (
        SELECT o.host, o.port FROM old_rows o WHERE NOT EXISTS (
            SELECT 1 FROM new_rows n WHERE n.id = o.id AND n.host = o.host AND n.port = o.port
              AND n.started_at = o.started_at AND n.kind = o.kind)
        UNION
        SELECT n.host, n.port FROM new_rows n WHERE NOT EXISTS (
            SELECT 1 FROM old_rows o WHERE o.id = n.id AND o.host = n.host AND o.port = n.port
              AND o.started_at = n.started_at AND o.kind = n.kind)) m;
    IF hosts IS NOT NULL THEN
        PERFORM server_timeline_rebuild(hosts, ports);
        PERFORM server_worked_rebuild(hosts, ports);
    END IF;

    SELECT array_agg(c.host), array_agg(c.port) INTO hosts, ports FROM (
        SELECT DISTINCT n.host, n.port FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.host = n.host AND o.port = n.port AND o.outcome <> n.outcome
          AND (o.outcome IN ('success', 'warning') OR n.outcome IN ('success', 'warning'))) c;
    IF hosts IS NOT NULL THEN
        PERFORM server_worked_rebuild(hosts, ports);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_summary_update AFTER UPDATE ON attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_update();
