-- Free text through a trigram index: PostgreSQL's pg_trgm in place of
-- SQLite's FTS5 trigram table (../0005_search_index.sql). A GIN index of
-- trigrams answers search_text LIKE '%term%' for a term of three characters
-- or more, and the LIKE itself confirms each candidate, so no trigger keeps
-- a second table in step. pg_trgm ships with PostgreSQL and is a trusted
-- extension (version 13 on): the database's owner may create it.
--
-- Unlike the SQLite index, every attempt is indexed, running ones too: the
-- planner weighs the index against a walk newest first by its own
-- statistics, so no count of candidates is needed to choose.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX attempts_search ON attempts USING gin (search_text gin_trgm_ops);
