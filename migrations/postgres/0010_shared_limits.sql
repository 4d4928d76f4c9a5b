-- Places under limits, request counts and claims that hold across
-- replicas: ../0010_shared_limits.sql.
CREATE TABLE leases (
    key        TEXT    NOT NULL,
    slot       INTEGER NOT NULL,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL,
    PRIMARY KEY (key, slot)
);

CREATE TABLE rate_counts (
    key          TEXT    NOT NULL,
    window_start BIGINT  NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE claims (
    key        TEXT   NOT NULL PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
