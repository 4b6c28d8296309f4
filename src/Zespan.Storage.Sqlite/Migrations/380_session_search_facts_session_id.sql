-- The matches' figures (migration 360) also hold the session id, so the sessions list's page of q= beside turns or
-- active time, sorted by a figure, is chosen from session_search_facts alone. Why: the page's order breaks ties by session
-- id, so every passing match's session_search_docs row was read for it (33 k of them for q=refund & maxTurns=3 by cost
-- at 1 M sessions); with the documents and the figures both read, the connection's page cache no longer held them and
-- the page took ~130 ms of CPU at load 14, against ~52 from the figures alone (docs/benchmarks.md, migration 380).
-- A document's session id never changes (a document is one project's one session), so it is copied once with the
-- figures by SessionGramIndexer and never goes stale.
--
-- The table is made again with the column and every document marked pending once more: instant at any size, and the
-- invariant of 360 holds throughout (pending = no row); the indexer refills the table after start, and while a
-- project's pending documents are many the list reads such a filter as before 360.

DROP TABLE session_search_facts;

CREATE TABLE session_search_facts (
    id             INTEGER PRIMARY KEY, -- session_search_docs.id
    turns          INTEGER NOT NULL,
    active_ms      INTEGER NOT NULL,
    started_ms     INTEGER NOT NULL,
    unpriced_calls INTEGER NOT NULL,
    cost_high      INTEGER NOT NULL,
    cost_pico      INTEGER NOT NULL,
    session_id     TEXT NOT NULL -- session_search_docs.session_id: the page order's tie-break
);

INSERT INTO session_search_facts_pending (id)
SELECT d.id FROM session_search_docs d WHERE NOT EXISTS (SELECT 1 FROM session_search_facts_pending p WHERE p.id = d.id);

-- The filter columns again, narrow, for counting. Why: a count of q= beside turns or active time seeks one figures row
-- per match (84 k for q=refund at 1 M sessions); with the session id the rows are ~50 bytes and the seeks touch twice the
-- pages of a row holding only what the count tests (turns, active time, start): 51.4 -> 43.3 ms CPU for that count at
-- load 4 (docs/benchmarks.md, migration 380). Same invariant, same queue: a pending document has no row in either table;
-- a document that is not pending has its current figures in both. The three triggers of 360 that take a row out take
-- it out of both.

CREATE TABLE session_search_filters (
    id         INTEGER PRIMARY KEY, -- session_search_docs.id
    turns      INTEGER NOT NULL,
    active_ms  INTEGER NOT NULL,
    started_ms INTEGER NOT NULL
);

DROP TRIGGER search_facts_pending_insert;
CREATE TRIGGER search_facts_pending_insert AFTER INSERT ON session_search_facts_pending BEGIN
    DELETE FROM session_search_facts WHERE id = new.id;
    DELETE FROM session_search_filters WHERE id = new.id;
END;

DROP TRIGGER search_docs_facts_move;
CREATE TRIGGER search_docs_facts_move AFTER UPDATE OF id ON session_search_docs WHEN old.id IS NOT new.id BEGIN
    DELETE FROM session_search_facts WHERE id = old.id;
    DELETE FROM session_search_filters WHERE id = old.id;
    INSERT INTO session_search_facts_pending (id) SELECT new.id WHERE NOT EXISTS (SELECT 1 FROM session_search_facts_pending WHERE id = new.id);
END;

DROP TRIGGER search_docs_facts_delete;
CREATE TRIGGER search_docs_facts_delete AFTER DELETE ON session_search_docs BEGIN
    DELETE FROM session_search_facts WHERE id = old.id;
    DELETE FROM session_search_filters WHERE id = old.id;
END;
