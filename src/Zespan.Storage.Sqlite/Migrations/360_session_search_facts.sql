-- q= beside turns or active time answered without a row read per match (issue 18: q=refund & minTurns=10 took ~223 ms
-- at 1 M sessions, q=refund & maxTurns=3 by cost ~1.2 s: each of 84 k matches was looked up in sessions, ~2.6 µs each,
-- to test its turns). session_search_facts holds, per search document (the id of migrations 160/280/340, which orders
-- a project's documents as the search indexes do), the few session columns those filters and the start and cost orders
-- read: a narrow rowid table, so a match's figures are one seek by the id the index already returns.
--
-- Kept outside the writer, as the gram index of migration 350: turns, active time and cost change with every call, and
-- copying them on the writer's path would be one more row written per span. The writer only marks a document pending
-- (session_search_facts_pending, one integer row, once until the indexer has been by); SessionGramIndexer copies the
-- pending documents' figures in its own short transactions and clears them. The invariant every reader relies on:
--   a pending document has no row in session_search_facts; a document that is not pending has its session's current
--   figures there, under its current id.
-- So a count or a page is exactly: the matches' rows here (documents not pending) plus the pending documents' session
-- rows, LIKE-tested (SessionSearchFacts), disjoint, at every moment. Marking pending takes the row out (the trigger on
-- the pending table: the invariant written once); a document that moves (280, 340) has its old id's row taken out, a
-- deleted one its row.
--
-- This migration marks every document pending and copies nothing: instant at any size; the indexer fills the table
-- after start, and while a project's pending documents are many the list reads such a filter as before.

CREATE TABLE session_search_facts (
    id             INTEGER PRIMARY KEY, -- session_search_docs.id
    turns          INTEGER NOT NULL,
    active_ms      INTEGER NOT NULL,
    started_ms     INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    cost_high      INTEGER NOT NULL,
    cost_pico      INTEGER NOT NULL
);

CREATE TABLE session_search_facts_pending (id INTEGER PRIMARY KEY); -- a search document id (session_search_docs.id)

INSERT INTO session_search_facts_pending (id) SELECT id FROM session_search_docs;

CREATE TRIGGER search_facts_pending_insert AFTER INSERT ON session_search_facts_pending BEGIN
    DELETE FROM session_search_facts WHERE id = new.id;
END;

-- WHERE NOT EXISTS, not INSERT OR IGNORE: the conflict clause of the statement that fires a trigger overrides the body's
-- (migration 350).
CREATE TRIGGER search_docs_facts_insert AFTER INSERT ON session_search_docs BEGIN
    INSERT INTO session_search_facts_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_search_facts_pending WHERE id = new.id);
END;

CREATE TRIGGER search_docs_facts_move AFTER UPDATE OF id ON session_search_docs WHEN old.id IS NOT new.id BEGIN
    DELETE FROM session_search_facts WHERE id = old.id;
    INSERT INTO session_search_facts_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_search_facts_pending WHERE id = new.id);
END;

CREATE TRIGGER search_docs_facts_delete AFTER DELETE ON session_search_docs BEGIN
    DELETE FROM session_search_facts WHERE id = old.id;
END;

-- The writer's path: a session whose figures change (every call) marks its document, unless it is pending already.
CREATE TRIGGER sessions_search_facts_change AFTER UPDATE OF turns, active_ms, started_ms, unpriced_calls, cost_high, cost_pico ON sessions
WHEN old.turns IS NOT new.turns OR old.active_ms IS NOT new.active_ms OR old.started_ms IS NOT new.started_ms
  OR old.unpriced_calls IS NOT new.unpriced_calls OR old.cost_high IS NOT new.cost_high OR old.cost_pico IS NOT new.cost_pico BEGIN
    INSERT INTO session_search_facts_pending (id)
    SELECT d.id FROM session_search_docs d
    WHERE d.project_id = new.project_id AND d.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_search_facts_pending g WHERE g.id = d.id);
END;
