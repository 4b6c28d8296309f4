-- q= of one or two characters answered by an index (issue 18: q=ab was a LIKE scan of every session, ~296 ms at 1 M
-- sessions). The trigram index (migration 160) holds no token shorter than three characters. session_grams holds each
-- id and name with char(1) before, between and after its characters (SessionGrams.Indexed), lower()'d as in 160, so
-- a one-character text c is the one trigram char(1) c char(1) and a two-character text cd the one trigram c char(1) d:
-- a single token's doclist, exact where the text has no char(1) (such a text stays a LIKE scan). Its rowids are the
-- search documents' ids (160, 280, 340: project, error half, start day), so the status and whole days of a time range
-- are rowid ranges of it too (SessionSearchDays). detail=none: a single token needs no positions.
--
-- Built lazily, outside the writer (SessionGramIndexer): a branch that indexed the grams inside the writer's triggers
-- cost +19 % write time per span (twice the trigrams per new session and rename). The writer only records which
-- documents are pending (session_grams_pending, one small row); the indexer, in short transactions of its own, indexes
-- their grams and clears them. The invariant every reader relies on:
--   a document that is pending has no entry in session_grams; a document that is not pending has its current id and
--   name there, under its current id.
-- So a q= of one or two characters is exactly: session_grams' matches (documents not pending) plus the pending
-- documents LIKE-tested (SessionSearch), disjoint, at every moment. The triggers below keep the invariant: a document
-- that is renamed, moves (error state, start day: 280, 340) or is deleted has its entry removed at once (a contentless
-- delete; rare on the ingest path) and is marked pending; a new document (a new session, every span's hot path) is
-- only marked pending. They hang on session_search_docs, whose id the triggers of 160/280/340 keep current, so those
-- stay as they are.
--
-- This migration marks every existing document pending and indexes nothing: it is instant at any size, and the
-- indexer fills the index in the background after start (about 1 M documents a minute, docs/benchmarks.md); meanwhile
-- answers stay exact, and the sessions list reads such a q= by the LIKE scan as before while a project's pending
-- documents are many (SessionSearchPlan).

CREATE VIRTUAL TABLE session_grams USING fts5(session_id, name, content='', contentless_delete=1, detail='none', tokenize='trigram case_sensitive 1');

CREATE TABLE session_grams_pending (id INTEGER PRIMARY KEY); -- a search document id (session_search_docs.id)

INSERT INTO session_grams_pending (id) SELECT id FROM session_search_docs;

-- Not INSERT OR IGNORE: the conflict clause of a statement that fires a trigger overrides the trigger body's own (the
-- writer's rebuild then failed on an id already pending).
CREATE TRIGGER search_docs_grams_insert AFTER INSERT ON session_search_docs BEGIN
    INSERT INTO session_grams_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_grams_pending WHERE id = new.id);
END;

-- A move (280, 340) takes the entry away from the old id (deleting an id that has none is a no-op) and leaves the new one pending.
CREATE TRIGGER search_docs_grams_move AFTER UPDATE OF id ON session_search_docs WHEN old.id IS NOT new.id BEGIN
    DELETE FROM session_grams WHERE rowid = old.id;
    INSERT INTO session_grams_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_grams_pending WHERE id = new.id);
END;

CREATE TRIGGER search_docs_grams_delete AFTER DELETE ON session_search_docs BEGIN
    DELETE FROM session_grams WHERE rowid = old.id;
END;

CREATE TRIGGER sessions_search_grams_rename AFTER UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    DELETE FROM session_grams WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    INSERT INTO session_grams_pending (id)
    SELECT d.id FROM session_search_docs d
    WHERE d.project_id = new.project_id AND d.session_id = new.session_id AND NOT EXISTS (SELECT 1 FROM session_grams_pending g WHERE g.id = d.id);
END;
