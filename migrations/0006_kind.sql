-- Where each attempt came from: a probe started by hand ('probe'), pasted
-- text explained without connecting anywhere ('explain'), or a monitor's
-- scheduled probe ('monitor'). The history and the API filter on it.
-- Attempts stored before kinds existed were probes.
ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'probe';

-- A kind filter walks only its own attempts, newest first, like the other
-- filters (0001_attempts.sql): the index ends in started_at, id.
CREATE INDEX attempts_kind ON attempts (kind, started_at, id);
