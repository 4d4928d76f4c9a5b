-- Try-all groups: ../0009_try_groups.sql, the same table in PostgreSQL's
-- types.
CREATE TABLE try_groups (
    id         TEXT   NOT NULL PRIMARY KEY,
    started_at BIGINT NOT NULL, -- unix milliseconds
    doc        TEXT   NOT NULL  -- discover.Group as JSON
);

CREATE INDEX try_groups_started ON try_groups (started_at);
