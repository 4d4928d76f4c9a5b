-- Free text reads one lower-cased column: ../0004_search_text.sql.
-- PostgreSQL's lower() folds by the database's locale, so old rows are
-- folded at least as well as SQLite's ASCII-only lower().
ALTER TABLE attempts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE attempts SET search_text = lower(host || chr(10) || username || chr(10) || code || chr(10) || title || chr(10) || reply_text);
