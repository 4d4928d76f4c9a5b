-- Try-all groups: one row per "try all ports" run, so its permalink
-- (/try/{id}) survives a restart. Each row of the matrix is a normal
-- attempt (in attempts, with its own permalink); this keeps what ties them
-- together: what was typed (an address, a domain or a host), what discovery
-- found, the matrix summary and the attempts' ids, as JSON in doc. The
-- group is read whole by id and pruned by age, like attempts.
CREATE TABLE try_groups (
    id         TEXT    NOT NULL PRIMARY KEY,
    started_at INTEGER NOT NULL, -- unix milliseconds
    doc        TEXT    NOT NULL  -- discover.Group as JSON
);

CREATE INDEX try_groups_started ON try_groups (started_at);
