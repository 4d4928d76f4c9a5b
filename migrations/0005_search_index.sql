-- Free text (Filter.Q) through a trigram index, so that a term that is rare
-- or absent no longer walks every attempt (3 s per million before). FTS5's
-- trigram tokenizer indexes every three-character run of search_text; a
-- query of three characters or more finds its candidate rows in the index,
-- and the store still confirms each with instr(), because detail='none'
-- keeps no positions (a smaller index) and so cannot itself tell "abcd" from
-- "abc…bcd". Shorter terms, and common ones, keep the walk. This is SQLite's
-- own syntax; a PostgreSQL store would use a pg_trgm GIN index instead.
--
-- The index holds no copy of the text (content='attempts') and is keyed by
-- the table's rowid: after a VACUUM, which may renumber rowids, run
--   DELETE FROM attempts_search; INSERT INTO attempts_search (rowid, search_text)
--     SELECT rowid, search_text FROM attempts WHERE status IN ('done', 'interrupted');
CREATE VIRTUAL TABLE attempts_search USING fts5(
    search_text, content = 'attempts', content_rowid = 'rowid',
    tokenize = 'trigram', detail = 'none', columnsize = 0
);

-- Only finished attempts are indexed. Indexing costs about as much as the
-- rest of a write; a probe writes its row when it starts and again when it
-- ends, and only the last text is worth finding. (A running attempt is
-- still found by a search that walks, and a moment later by any search.)
INSERT INTO attempts_search (rowid, search_text)
    SELECT rowid, search_text FROM attempts WHERE status IN ('done', 'interrupted');

CREATE TRIGGER attempts_search_insert AFTER INSERT ON attempts
WHEN new.status IN ('done', 'interrupted') BEGIN
    INSERT INTO attempts_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE TRIGGER attempts_search_delete AFTER DELETE ON attempts
WHEN old.status IN ('done', 'interrupted') BEGIN
    INSERT INTO attempts_search (attempts_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;

-- One trigger, so that the old text leaves the index before the new one
-- enters it: FTS5 deletes exactly the tokens it is given.
CREATE TRIGGER attempts_search_update AFTER UPDATE OF status, search_text ON attempts
WHEN (old.status IN ('done', 'interrupted')) IS NOT (new.status IN ('done', 'interrupted'))
  OR old.search_text IS NOT new.search_text BEGIN
    INSERT INTO attempts_search (attempts_search, rowid, search_text)
        SELECT 'delete', old.rowid, old.search_text WHERE old.status IN ('done', 'interrupted');
    INSERT INTO attempts_search (rowid, search_text)
        SELECT new.rowid, new.search_text WHERE new.status IN ('done', 'interrupted');
END;
