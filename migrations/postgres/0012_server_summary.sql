-- The servers view's per-server summary: ../0012_server_summary.sql says
-- what the view shows and why it reads a summary. On PostgreSQL the
-- summary is brought up to date when the view is read, not on every
-- write: the triggers below only note which servers changed
-- (server_dirty), and the store rebuilds those servers' rows from
-- attempts before it reads them (store/servers.go), under the attempt
-- writers' lock so that no write slips between the two.
--
-- Why not on write, as SQLite does: with several replicas, writes of
-- attempts queue on one lock (store/writelock.go), and a monitor's run
-- writes its attempt three times (queued, finished, compacted away). A
-- rebuild on each of those writes, for servers that every monitor of an
-- MSP may share, halved how many monitor runs three replicas could record
-- (1,000 monitors at 10 s: 82 % of the due runs on time with the
-- triggers that rebuilt on write, more without; README "Running several
-- replicas"). The view is read far less often than attempts are written.

-- The servers view sums each server's days since a time from this index
-- (../0012_server_summary.sql says why).
CREATE INDEX daily_servers_server ON daily_servers (host, port, kind, day) INCLUDE (n);

-- The partial day at the window's edge is counted from attempts_kind alone
-- (an index-only scan) with host and port in it.
DROP INDEX attempts_kind;
CREATE INDEX attempts_kind ON attempts (kind, started_at, id) INCLUDE (host, port);

-- What the view reads: each server's newest 20 tested attempts packed in
-- one text (../0012_server_summary.sql says how), the newest one's time
-- and title.
CREATE TABLE server_points (
    host   TEXT COLLATE "C" NOT NULL,
    port   INTEGER NOT NULL,
    newest BIGINT  NOT NULL,
    title  TEXT    NOT NULL,
    points TEXT    NOT NULL,
    PRIMARY KEY (host, port)
);

-- When each server last worked (an attempt with outcome success or
-- warning).
CREATE TABLE server_worked (
    host       TEXT COLLATE "C" NOT NULL,
    port       INTEGER NOT NULL,
    started_at BIGINT  NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (host, port)
);

-- The servers whose summary is out of date.
CREATE TABLE server_dirty (
    host TEXT COLLATE "C" NOT NULL,
    port INTEGER NOT NULL,
    PRIMARY KEY (host, port)
);

-- server_summary_rebuild sets the summary of the given servers from
-- attempts: at most 20 rows of attempts_host_port, and one seek in
-- attempts_worked, per server. A server with no tested attempt left has
-- no row.
CREATE FUNCTION server_summary_rebuild(hosts TEXT[], ports INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM server_points p
        USING unnest(hosts, ports) AS s (host, port)
        WHERE p.host = s.host AND p.port = s.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT s.host, s.port, MAX(a.started_at),
            (array_agg(a.title ORDER BY a.started_at DESC, a.id DESC))[1],
            string_agg(a.started_at || ',' || encode(convert_to(a.id, 'UTF8'), 'hex')
                || ',' || encode(convert_to(a.status, 'UTF8'), 'hex')
                || ',' || encode(convert_to(a.outcome, 'UTF8'), 'hex')
                || ',' || encode(convert_to(a.code, 'UTF8'), 'hex'),
                ' ' ORDER BY a.started_at, a.id)
        FROM (SELECT DISTINCT host, port FROM unnest(hosts, ports) AS u (host, port) WHERE host <> '') s
        CROSS JOIN LATERAL (
            SELECT x.started_at, x.id, x.status, x.outcome, x.code, x.title FROM attempts x
            WHERE x.host = s.host AND x.port = s.port AND x.kind IN ('probe', 'monitor')
            ORDER BY x.started_at DESC, x.id DESC LIMIT 20) a
        GROUP BY s.host, s.port;
    DELETE FROM server_worked w
        USING unnest(hosts, ports) AS s (host, port)
        WHERE w.host = s.host AND w.port = s.port;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT s.host, s.port, a.started_at, a.id
        FROM (SELECT DISTINCT host, port FROM unnest(hosts, ports) AS u (host, port) WHERE host <> '') s
        CROSS JOIN LATERAL (
            SELECT x.started_at, x.id FROM attempts x
            WHERE x.host = s.host AND x.port = s.port AND x.outcome IN ('success', 'warning')
              AND x.kind IN ('probe', 'monitor')
            ORDER BY x.started_at DESC, x.id DESC LIMIT 1) a;
$$;

-- Backfill: every server the daily counts know of.
SELECT server_summary_rebuild(array_agg(host), array_agg(port))
    FROM (SELECT DISTINCT host, port FROM daily_servers WHERE kind IN ('probe', 'monitor') AND host <> '') s;

-- The triggers note the servers a statement changed, once per server:
-- inserts and deletes of tested attempts, and updates that change what
-- the summary shows (a progress write changes none of it and notes
-- nothing).
CREATE FUNCTION attempts_summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO server_dirty (host, port)
        SELECT DISTINCT host, port FROM new_rows WHERE kind IN ('probe', 'monitor') AND host <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_summary_insert AFTER INSERT ON attempts
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_insert();

CREATE FUNCTION attempts_summary_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO server_dirty (host, port)
        SELECT DISTINCT host, port FROM old_rows WHERE kind IN ('probe', 'monitor') AND host <> ''
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER attempts_summary_delete AFTER DELETE ON attempts
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_delete();

CREATE FUNCTION attempts_summary_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A changed attempt's server before and after (the same one unless
    -- the attempt moved).
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

CREATE TRIGGER attempts_summary_update AFTER UPDATE ON attempts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION attempts_summary_update();
