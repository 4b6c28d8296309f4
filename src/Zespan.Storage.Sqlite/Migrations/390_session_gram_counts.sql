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
-- Where the text is queued: 350's rename trigger becomes a BEFORE trigger, which queues old.name when the document is
-- indexed (not pending) and then takes the entry out and marks the document pending as before; it runs before 280/340's
-- AFTER triggers can move the document. 350's move trigger queues the session's current name: a document it finds
-- indexed was not renamed in this statement (that would have marked it pending first), so the current name is the one
-- indexed. A deletion is queued by a BEFORE DELETE trigger on sessions, the only place the name is still there. So the
-- writer's hot path (an existing session's upsert) runs the same triggers as before (the rename trigger's WHEN), and a
-- new session adds nothing here (it is pending).

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

DROP TRIGGER sessions_search_grams_rename;
CREATE TRIGGER sessions_search_grams_rename BEFORE UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    INSERT INTO session_grams_removed (project_id, session_id, name)
    SELECT old.project_id, old.session_id, old.name FROM session_search_docs d
    WHERE d.project_id = old.project_id AND d.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
    DELETE FROM session_grams WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id);
    INSERT INTO session_grams_pending (id)
    SELECT d.id FROM session_search_docs d
    WHERE d.project_id = old.project_id AND d.session_id = old.session_id AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
END;

DROP TRIGGER search_docs_grams_move;
CREATE TRIGGER search_docs_grams_move AFTER UPDATE OF id ON session_search_docs WHEN old.id IS NOT new.id BEGIN
    INSERT INTO session_grams_removed (project_id, session_id, name)
    SELECT s.project_id, s.session_id, s.name FROM sessions s
    WHERE s.project_id = old.project_id AND s.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = old.id);
    DELETE FROM session_grams WHERE rowid = old.id;
    INSERT INTO session_grams_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_grams_pending WHERE id = new.id);
END;

CREATE TRIGGER sessions_search_gram_counts_delete BEFORE DELETE ON sessions BEGIN
    INSERT INTO session_grams_removed (project_id, session_id, name)
    SELECT old.project_id, old.session_id, old.name FROM session_search_docs d
    WHERE d.project_id = old.project_id AND d.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
END;
