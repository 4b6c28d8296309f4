-- q= of one character alone counted without reading the gram index (issue 18: q=a matched 879,555 of 1 M sessions and
-- counting them through session_grams, migration 350, took 25-60 ms of CPU, the whole of the request). SessionGramIndexer
-- now also keeps, per project and folded character, how many indexed documents hold it (in the id or the name), and a
-- one-character q= with no other filter is counted as
--   session_gram_counts - the removed entries not yet subtracted (LIKE-tested) + the pending documents (LIKE-tested),
-- exact at every moment, whatever the indexer's lag (SessionGramCounts).
--
-- Invariant, beside 350's: for every project p and character c, session_gram_counts(p, c) = the documents of p with an
-- entry in session_grams holding c + the rows of session_grams_removed of p holding c. The indexer adds a document's
-- distinct characters when it gives it an entry; whatever takes an entry out (350's rename and move triggers, the
-- deletion of a document) first queues the text that entry held here, and the indexer subtracts a queued text's
-- characters and deletes it, in one transaction. Why a queue and not a subtraction in the trigger: a trigger cannot split
-- a text into characters (no recursive WITH in a trigger), and the characters are counted by one rule, in C#
-- (SessionGrams.Characters), as they are indexed.
--
-- Why BEFORE triggers on sessions: only there are the text the entry held (old.name) and whether the document is indexed
-- (not pending) both known. After the update, 350's rename trigger and 280/340's moves fire in an order SQLite does not
-- define, and the first marks the document pending. The WHEN below is exactly the union of theirs, so an entry is queued
-- once when, and only when, one of them takes it out. The writer's hot path (an existing session's upsert) evaluates
-- only the WHEN; a new session adds nothing here (it is pending).
--
-- This migration empties the gram index and marks every document pending again, so the counts start from nothing: the
-- indexer refills it after start (about 20-50 s per million documents, docs/benchmarks.md); meanwhile the list answers a
-- short q= by the LIKE scan while a project's pending documents are many (SessionSearchPlan), exact as before.

CREATE TABLE session_gram_counts (
    project_id INTEGER NOT NULL,
    gram       TEXT NOT NULL,    -- one character, A-Z folded to a-z (SessionGrams.Characters)
    documents  INTEGER NOT NULL,
    PRIMARY KEY (project_id, gram)
) WITHOUT ROWID;

-- The text of an entry taken out of session_grams whose characters the indexer has not subtracted yet.
CREATE TABLE session_grams_removed (
    seq        INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    name       TEXT
);
CREATE INDEX session_grams_removed_by_project ON session_grams_removed (project_id);

DROP TABLE session_grams;
CREATE VIRTUAL TABLE session_grams USING fts5(session_id, name, content='', contentless_delete=1, detail='none', tokenize='trigram case_sensitive 1');
INSERT INTO session_grams_pending (id) SELECT id FROM session_search_docs WHERE id NOT IN (SELECT id FROM session_grams_pending);

CREATE TRIGGER sessions_search_gram_counts_change BEFORE UPDATE OF name, error_count, started_ms ON sessions
WHEN old.name IS NOT new.name OR (old.error_count > 0) IS NOT (new.error_count > 0)
  OR min(max(old.started_ms / 86400000, 0), 32767) IS NOT min(max(new.started_ms / 86400000, 0), 32767) BEGIN
    INSERT INTO session_grams_removed (project_id, session_id, name)
    SELECT old.project_id, old.session_id, old.name FROM session_search_docs d
    WHERE d.project_id = old.project_id AND d.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
END;

CREATE TRIGGER sessions_search_gram_counts_delete BEFORE DELETE ON sessions BEGIN
    INSERT INTO session_grams_removed (project_id, session_id, name)
    SELECT old.project_id, old.session_id, old.name FROM session_search_docs d
    WHERE d.project_id = old.project_id AND d.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
END;
