-- Nothing changes on SQLite: postgres/0014_one_trigger_per_event.sql
-- merges PostgreSQL's statement-level triggers, one per event. SQLite's
-- triggers are row-level and cost a few microseconds each; this file
-- keeps the two dialects' schema versions in step.
SELECT 1;
