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
