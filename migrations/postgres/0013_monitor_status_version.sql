-- Counts the writes of a monitor's status, so that two replicas' runs
-- cannot both decide the same alert: ../0013_monitor_status_version.sql.
ALTER TABLE monitors ADD COLUMN status_version BIGINT NOT NULL DEFAULT 0;
