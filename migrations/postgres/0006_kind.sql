-- Where each attempt came from: ../0006_kind.sql, the same SQL.
ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'probe';

-- A kind filter walks only its own attempts, newest first, like the other
-- filters (0001_attempts.sql): the index ends in started_at, id.
CREATE INDEX attempts_kind ON attempts (kind, started_at, id);
