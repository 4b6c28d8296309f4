-- q= beside turns or active time counted inside the full-text index (issue 18: q=refund & maxTurns=3 sorted by cost took
-- ~165 ms at 1 M sessions on a quiet machine; its count alone ~54 ms, one figures seek per each of 84 k matches, ~0.35 µs
-- each, plus the page reading the same 84 k matches' figures again; q=refund & minActiveMs=300000 ~50 ms).
-- session_search_bands and session_search_active_bands each hold each search document's id and name again (lower()'d,
-- trigrams with positions, as session_search of migration 160), under a rowid that puts the document's band of that
-- figure (SessionFigureBands: one per value up to 16, then two per power of two) above its id:
--   project × 2^48 + band × 2^40 + the document's id within its project (status half, start day: 280, 340).
-- So a band's matches are a rowid range, which FTS5 applies while reading its doclists as it applies the status and the
-- days: q=refund & maxTurns=3 reads the 33 k matches of bands 0-3 only (7.3 ms for the count at load 5, against 24 ms
-- with the band as a token ANDed in FTS5, ~50 ms seeking every match's figures). 136 bands of 2^40 fit in 2^48, so
-- projects up to 32767 have entries (SessionSearchBands.MaxProject); q= is read as before above that.
--
-- Kept by SessionGramIndexer beside the figures of migration 360, outside the writer: a document's band changes with its
-- turns and active time, and moving its entry on the writer's path would cost an FTS5 delete (~24 µs) per changed
-- session. So the writer never touches an entry when figures change: the entry of a document that is pending (360) may
-- be under an old band. session_search_band_entries records, per document, the band each of its entries is under. The
-- invariants, for each of the two indexes:
--   a document has an entry iff it has a row in session_search_band_entries, and the entry holds the document's current
--   id and name under that row's band; a document of a project up to 32767 that is not pending has its entry under its
--   current band, and its row holds its session's current turns and cost order.
-- So (SessionSearchBands) candidates from the index joined with session_search_facts are exact (a pending document has no
-- facts row), and a count in the index alone subtracts the pending documents whose recorded band it counted, then adds
-- the pending documents LIKE-tested as before. A rename, a move (280, 340) or a deleted document takes the entry out at
-- once (rare on the ingest path); a rename also marks the document pending, so the indexer writes the new name.
--
-- Every document is marked pending again (the figures taken out, as in 380): instant at any size; the indexer refills the
-- figures and the entries after start, and while a project's pending documents are many the list reads such a filter as
-- before 360.

CREATE VIRTUAL TABLE session_search_bands USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');
CREATE VIRTUAL TABLE session_search_active_bands USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');

CREATE TABLE session_search_band_entries (
    id           INTEGER PRIMARY KEY, -- session_search_docs.id
    turns_band   INTEGER NOT NULL,    -- the band its session_search_bands entry is under: SessionFigureBands.Of(turns) when written
    active_band  INTEGER NOT NULL,    -- the band its session_search_active_bands entry is under: SessionFigureBands.Of(active_ms)
    -- The session's turns and cost order when the indexer was last by (current while the document is not pending), so
    -- a first page of q= beside a few turn counts sorted by cost walks each count's matches in cost order
    -- (SessionTurnsWalk) instead of sorting every match: q=refund & maxTurns=3 has 33 k.
    project_id   INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    cost_unknown INTEGER NOT NULL,
    cost_sort    INTEGER NOT NULL,
    session_id   TEXT NOT NULL
);
CREATE INDEX session_search_band_entries_by_cost ON session_search_band_entries(project_id, turns, cost_unknown, cost_sort, session_id);

DELETE FROM session_search_facts;
DELETE FROM session_search_filters;
INSERT INTO session_search_facts_pending (id)
SELECT d.id FROM session_search_docs d WHERE NOT EXISTS (SELECT 1 FROM session_search_facts_pending p WHERE p.id = d.id);

-- An entry's rowid from its document id and recorded band (SessionSearchBands.Rowid).
CREATE TRIGGER search_docs_bands_move AFTER UPDATE OF id ON session_search_docs WHEN old.id IS NOT new.id BEGIN
    DELETE FROM session_search_bands WHERE rowid IN (
        SELECT id / 1099511627776 * 281474976710656 + turns_band * 1099511627776 + id % 1099511627776
        FROM session_search_band_entries WHERE id = old.id);
    DELETE FROM session_search_active_bands WHERE rowid IN (
        SELECT id / 1099511627776 * 281474976710656 + active_band * 1099511627776 + id % 1099511627776
        FROM session_search_band_entries WHERE id = old.id);
    DELETE FROM session_search_band_entries WHERE id = old.id;
END;

CREATE TRIGGER search_docs_bands_delete AFTER DELETE ON session_search_docs BEGIN
    DELETE FROM session_search_bands WHERE rowid IN (
        SELECT id / 1099511627776 * 281474976710656 + turns_band * 1099511627776 + id % 1099511627776
        FROM session_search_band_entries WHERE id = old.id);
    DELETE FROM session_search_active_bands WHERE rowid IN (
        SELECT id / 1099511627776 * 281474976710656 + active_band * 1099511627776 + id % 1099511627776
        FROM session_search_band_entries WHERE id = old.id);
    DELETE FROM session_search_band_entries WHERE id = old.id;
END;

CREATE TRIGGER sessions_search_bands_rename AFTER UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    DELETE FROM session_search_bands WHERE rowid IN (
        SELECT e.id / 1099511627776 * 281474976710656 + e.turns_band * 1099511627776 + e.id % 1099511627776
        FROM session_search_docs d CROSS JOIN session_search_band_entries e ON e.id = d.id
        WHERE d.project_id = new.project_id AND d.session_id = new.session_id);
    DELETE FROM session_search_active_bands WHERE rowid IN (
        SELECT e.id / 1099511627776 * 281474976710656 + e.active_band * 1099511627776 + e.id % 1099511627776
        FROM session_search_docs d CROSS JOIN session_search_band_entries e ON e.id = d.id
        WHERE d.project_id = new.project_id AND d.session_id = new.session_id);
    DELETE FROM session_search_band_entries WHERE id IN (
        SELECT d.id FROM session_search_docs d WHERE d.project_id = new.project_id AND d.session_id = new.session_id);
    INSERT INTO session_search_facts_pending (id)
    SELECT d.id FROM session_search_docs d
    WHERE d.project_id = new.project_id AND d.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_search_facts_pending g WHERE g.id = d.id);
END;
