-- A per-server summary for the servers view, kept up to date on write
-- (on PostgreSQL, brought up to date when the view is read:
-- postgres/0012_server_summary.sql says why).
--
-- The view shows, for every host:port tested since a time, its newest
-- attempts (a timeline of 20) and when it last worked. Read from attempts,
-- that is an index walk of twenty rows and a seek per server: at a million
-- attempts and 160 servers it took 44-60 ms, nearly all of it reading
-- attempts' rows scattered across the file. Three small tables hold the
-- answer instead, and the view reads one row per server.
--
-- server_timeline holds, per host:port, the newest 20 tested attempts
-- (kinds probe and monitor: pasted text explained names a server but did
-- not test it; an attempt with no host is no server) at any time. The
-- newest 20 since a time are exactly those of them that started since
-- then, so one table answers every window. 20 is store.TimelineLength.
--
-- server_worked holds, per host:port, the newest tested attempt whose
-- outcome was success or warning: when it last worked, at any time.
--
-- The counts since a time stay in daily_servers (0011_count_kinds.sql),
-- read per server through daily_servers_server: a month is thirty index
-- entries a server, where grouping the month's rows by server sorted
-- thousands of them. n is in the index so that the read needs no table;
-- each count change rewrites one index entry as well as the row.
--
-- Triggers keep them exact, whatever writes the attempts (hand-run
-- deletes too), and rebuild the server's server_points row after each
-- change to its timeline:
--   insert  the attempt joins its server's timeline, which is trimmed back
--           to 20 (an attempt older than the 20th leaves at once); a
--           success or warning newer than the server's last becomes it.
--   update  progress writes rewrite every column, so each trigger acts only
--           on a real change: a new status, outcome, code or title is
--           copied into the timeline row; an attempt moved to another
--           server, time or kind (nothing does that today, but an UPDATE
--           may) has both servers rebuilt from attempts; an outcome that
--           starts or stops counting as worked recomputes the last success.
--   delete  an attempt that was on a timeline (retention removes the
--           oldest attempts; a server tested rarely has its whole timeline
--           among them) is replaced by the next older one, and the
--           server's last success, if it was that attempt, is recomputed.
-- A rebuild reads at most 20 rows of attempts_host_port and one seek in
-- attempts_worked, so none of this walks a server's history; packing a
-- server's points reads its 20 rows of server_timeline. The cost lands on
-- writes of tested attempts: store's BenchmarkCreate measures it.
--
-- string_agg(… ORDER BY …) needs SQLite 3.44 or later (modernc.org/sqlite
-- v1.62 carries a newer one).
CREATE TABLE server_timeline (
    host       TEXT    NOT NULL,
    port       INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    PRIMARY KEY (host, port, started_at, id)
) WITHOUT ROWID;

-- server_points is what the view reads: one row per server with its
-- timeline packed in one text, oldest first, rebuilt from server_timeline
-- by the triggers below whenever that changes. Reading 3,200 timeline rows
-- (160 servers) through the driver cost about 6 ms, one row at a time;
-- 160 rows of packed text cost under one. Each point is
-- started_at,id,status,outcome,code with the texts in hex, so that no
-- value can contain the separators (',' between fields, ' ' between
-- points); newest is the newest point's started_at, and title its title
-- (the one field of the last attempt the view shows beyond the points).
CREATE TABLE server_points (
    host   TEXT    NOT NULL,
    port   INTEGER NOT NULL,
    newest INTEGER NOT NULL,
    title  TEXT    NOT NULL,
    points TEXT    NOT NULL,
    PRIMARY KEY (host, port)
) WITHOUT ROWID;

CREATE INDEX daily_servers_server ON daily_servers (host, port, kind, day, n);

-- The partial day at the start of the window is counted from attempts:
-- up to a day of them (2,700 at a million a year). attempts_kind
-- (0006_kind.sql) found them in order but read each one's row for its
-- host and port, 8-12 ms for a whole day; with host and port in the index
-- the count reads the index alone (2-4 ms). Its key is unchanged, so
-- the kind filter of the history walks it as before.
DROP INDEX attempts_kind;
CREATE INDEX attempts_kind ON attempts (kind, started_at, id, host, port);

CREATE TABLE server_worked (
    host       TEXT    NOT NULL,
    port       INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    PRIMARY KEY (host, port)
) WITHOUT ROWID;

-- Backfill one server at a time (the servers from the daily counts, a few
-- hundred rows), each a walk of its newest attempts: a few milliseconds at
-- a million attempts, where a window function over every attempt would
-- read them all.
INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
    SELECT a.host, a.port, a.started_at, a.id, a.status, a.outcome, a.code, a.title
    FROM (SELECT DISTINCT host, port FROM daily_servers WHERE kind IN ('probe', 'monitor') AND host <> '') s
    JOIN attempts a ON a.rowid IN (
        SELECT x.rowid FROM attempts x
        WHERE x.host = s.host AND x.port = s.port AND x.kind IN ('probe', 'monitor')
        ORDER BY x.started_at DESC, x.id DESC LIMIT 20);

INSERT INTO server_worked (host, port, started_at, id)
    SELECT a.host, a.port, a.started_at, a.id
    FROM (SELECT DISTINCT host, port FROM daily_servers WHERE kind IN ('probe', 'monitor') AND host <> '') s
    JOIN attempts a ON a.rowid = (
        SELECT x.rowid FROM attempts x
        WHERE x.host = s.host AND x.port = s.port AND x.outcome IN ('success', 'warning')
          AND x.kind IN ('probe', 'monitor')
        ORDER BY x.started_at DESC, x.id DESC LIMIT 1);

INSERT INTO server_points (host, port, newest, title, points)
    SELECT t.host, t.port, MAX(t.started_at),
        (SELECT u.title FROM server_timeline u WHERE u.host = t.host AND u.port = t.port
         ORDER BY u.started_at DESC, u.id DESC LIMIT 1),
        string_agg(t.started_at || ',' || hex(t.id) || ',' || hex(t.status) || ',' || hex(t.outcome) || ',' || hex(t.code),
            ' ' ORDER BY t.started_at, t.id)
    FROM server_timeline t GROUP BY t.host, t.port;

CREATE TRIGGER attempts_timeline_insert AFTER INSERT ON attempts
    WHEN NEW.kind IN ('probe', 'monitor') AND NEW.host <> ''
BEGIN
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        VALUES (NEW.host, NEW.port, NEW.started_at, NEW.id, NEW.status, NEW.outcome, NEW.code, NEW.title);
    DELETE FROM server_timeline
        WHERE host = NEW.host AND port = NEW.port
          AND (started_at, id) < (SELECT started_at, id FROM server_timeline
                WHERE host = NEW.host AND port = NEW.port
                ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET 19);
    DELETE FROM server_points WHERE host = NEW.host AND port = NEW.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT host, port, MAX(started_at),
            (SELECT title FROM server_timeline WHERE host = NEW.host AND port = NEW.port
             ORDER BY started_at DESC, id DESC LIMIT 1),
            string_agg(started_at || ',' || hex(id) || ',' || hex(status) || ',' || hex(outcome) || ',' || hex(code),
                ' ' ORDER BY started_at, id)
        FROM server_timeline WHERE host = NEW.host AND port = NEW.port GROUP BY host, port;
END;

CREATE TRIGGER attempts_worked_insert AFTER INSERT ON attempts
    WHEN NEW.kind IN ('probe', 'monitor') AND NEW.host <> '' AND NEW.outcome IN ('success', 'warning')
BEGIN
    INSERT INTO server_worked (host, port, started_at, id)
        VALUES (NEW.host, NEW.port, NEW.started_at, NEW.id)
        ON CONFLICT (host, port) DO UPDATE SET started_at = excluded.started_at, id = excluded.id
        WHERE (excluded.started_at, excluded.id) > (server_worked.started_at, server_worked.id);
END;

-- The common update: an attempt on a timeline changed status (running to
-- done), outcome, code or title, and nothing that places it.
CREATE TRIGGER attempts_timeline_update AFTER UPDATE OF status, outcome, code, title ON attempts
    WHEN OLD.id = NEW.id AND OLD.started_at = NEW.started_at AND OLD.host = NEW.host
      AND OLD.port = NEW.port AND OLD.kind = NEW.kind
      AND (OLD.status <> NEW.status OR OLD.outcome <> NEW.outcome OR OLD.code <> NEW.code OR OLD.title <> NEW.title)
BEGIN
    UPDATE server_timeline SET status = NEW.status, outcome = NEW.outcome, code = NEW.code, title = NEW.title
        WHERE host = NEW.host AND port = NEW.port AND started_at = NEW.started_at AND id = NEW.id;
    DELETE FROM server_points WHERE host = NEW.host AND port = NEW.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT host, port, MAX(started_at),
            (SELECT title FROM server_timeline WHERE host = NEW.host AND port = NEW.port
             ORDER BY started_at DESC, id DESC LIMIT 1),
            string_agg(started_at || ',' || hex(id) || ',' || hex(status) || ',' || hex(outcome) || ',' || hex(code),
                ' ' ORDER BY started_at, id)
        FROM server_timeline WHERE host = NEW.host AND port = NEW.port GROUP BY host, port;
END;

-- The rare update: the attempt moved (another server, time or kind). Both
-- servers' timelines are rebuilt from attempts, which this statement has
-- already changed.
CREATE TRIGGER attempts_timeline_move AFTER UPDATE OF id, started_at, host, port, kind ON attempts
    WHEN OLD.id <> NEW.id OR OLD.started_at <> NEW.started_at OR OLD.host <> NEW.host
      OR OLD.port <> NEW.port OR OLD.kind <> NEW.kind
BEGIN
    DELETE FROM server_timeline WHERE host = OLD.host AND port = OLD.port;
    DELETE FROM server_timeline WHERE host = NEW.host AND port = NEW.port;
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        SELECT host, port, started_at, id, status, outcome, code, title FROM attempts
        WHERE host = OLD.host AND port = OLD.port AND kind IN ('probe', 'monitor') AND host <> ''
        ORDER BY started_at DESC, id DESC LIMIT 20;
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        SELECT host, port, started_at, id, status, outcome, code, title FROM attempts
        WHERE host = NEW.host AND port = NEW.port AND kind IN ('probe', 'monitor') AND host <> ''
          AND (NEW.host <> OLD.host OR NEW.port <> OLD.port)
        ORDER BY started_at DESC, id DESC LIMIT 20;
    DELETE FROM server_points WHERE host = OLD.host AND port = OLD.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT host, port, MAX(started_at),
            (SELECT title FROM server_timeline WHERE host = OLD.host AND port = OLD.port
             ORDER BY started_at DESC, id DESC LIMIT 1),
            string_agg(started_at || ',' || hex(id) || ',' || hex(status) || ',' || hex(outcome) || ',' || hex(code),
                ' ' ORDER BY started_at, id)
        FROM server_timeline WHERE host = OLD.host AND port = OLD.port GROUP BY host, port;
    DELETE FROM server_points WHERE host = NEW.host AND port = NEW.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT host, port, MAX(started_at),
            (SELECT title FROM server_timeline WHERE host = NEW.host AND port = NEW.port
             ORDER BY started_at DESC, id DESC LIMIT 1),
            string_agg(started_at || ',' || hex(id) || ',' || hex(status) || ',' || hex(outcome) || ',' || hex(code),
                ' ' ORDER BY started_at, id)
        FROM server_timeline WHERE host = NEW.host AND port = NEW.port GROUP BY host, port;
END;

-- An outcome that starts or stops counting as worked, or a move:
-- recompute the last success of the server (or both servers) concerned.
CREATE TRIGGER attempts_worked_update AFTER UPDATE OF id, started_at, host, port, kind, outcome ON attempts
    WHEN OLD.id <> NEW.id OR OLD.started_at <> NEW.started_at OR OLD.host <> NEW.host
      OR OLD.port <> NEW.port OR OLD.kind <> NEW.kind
      OR (OLD.outcome <> NEW.outcome AND (OLD.outcome IN ('success', 'warning') OR NEW.outcome IN ('success', 'warning')))
BEGIN
    DELETE FROM server_worked WHERE host = OLD.host AND port = OLD.port;
    DELETE FROM server_worked WHERE host = NEW.host AND port = NEW.port;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT host, port, started_at, id FROM attempts
        WHERE host = OLD.host AND port = OLD.port AND outcome IN ('success', 'warning')
          AND kind IN ('probe', 'monitor') AND host <> ''
        ORDER BY started_at DESC, id DESC LIMIT 1;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT host, port, started_at, id FROM attempts
        WHERE host = NEW.host AND port = NEW.port AND outcome IN ('success', 'warning')
          AND kind IN ('probe', 'monitor') AND host <> ''
          AND (NEW.host <> OLD.host OR NEW.port <> OLD.port)
        ORDER BY started_at DESC, id DESC LIMIT 1;
END;

-- Only an attempt that was on its server's timeline changes anything: it
-- is replaced by the newest tested attempt not yet there (the walk of the
-- newest 20 skips those already present). Row by row, so each deleted row
-- sees the timeline right for the rows deleted before it.
CREATE TRIGGER attempts_timeline_delete AFTER DELETE ON attempts
    WHEN OLD.kind IN ('probe', 'monitor') AND OLD.host <> ''
      AND EXISTS (SELECT 1 FROM server_timeline
                  WHERE host = OLD.host AND port = OLD.port AND started_at = OLD.started_at AND id = OLD.id)
BEGIN
    DELETE FROM server_timeline
        WHERE host = OLD.host AND port = OLD.port AND started_at = OLD.started_at AND id = OLD.id;
    INSERT INTO server_timeline (host, port, started_at, id, status, outcome, code, title)
        SELECT host, port, started_at, id, status, outcome, code, title FROM attempts
        WHERE host = OLD.host AND port = OLD.port AND kind IN ('probe', 'monitor')
        ORDER BY started_at DESC, id DESC LIMIT 20
        ON CONFLICT DO NOTHING;
    DELETE FROM server_points WHERE host = OLD.host AND port = OLD.port;
    INSERT INTO server_points (host, port, newest, title, points)
        SELECT host, port, MAX(started_at),
            (SELECT title FROM server_timeline WHERE host = OLD.host AND port = OLD.port
             ORDER BY started_at DESC, id DESC LIMIT 1),
            string_agg(started_at || ',' || hex(id) || ',' || hex(status) || ',' || hex(outcome) || ',' || hex(code),
                ' ' ORDER BY started_at, id)
        FROM server_timeline WHERE host = OLD.host AND port = OLD.port GROUP BY host, port;
END;

CREATE TRIGGER attempts_worked_delete AFTER DELETE ON attempts
    WHEN EXISTS (SELECT 1 FROM server_worked WHERE host = OLD.host AND port = OLD.port AND id = OLD.id)
BEGIN
    DELETE FROM server_worked WHERE host = OLD.host AND port = OLD.port;
    INSERT INTO server_worked (host, port, started_at, id)
        SELECT host, port, started_at, id FROM attempts
        WHERE host = OLD.host AND port = OLD.port AND outcome IN ('success', 'warning')
          AND kind IN ('probe', 'monitor')
        ORDER BY started_at DESC, id DESC LIMIT 1;
END;
