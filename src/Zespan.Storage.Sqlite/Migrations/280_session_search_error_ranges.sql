-- q= with status=error (or ok) answered by the search index alone (issue 18: q=refund & status=error by cost took 457 ms
-- of CPU at 1 M sessions, every one of 84 k matches looked up to test its error count). A project's documents are the
-- rowid range [project * 2^40, (project + 1) * 2^40) (migration 160); its sessions with errors now have their documents
-- in the upper half of it, from project * 2^40 + 2^39, the others in the lower half. FTS5 applies a rowid range while
-- reading its doclists, so "matches with errors" is the phrase over the upper half: no row is read to test the status.
-- A session moves when its error count turns positive or back to zero (a re-sent span that no longer failed): its
-- document is deleted and inserted again under an id of the other half. The id of a session's document is only ever
-- read through session_search_docs, so moving it changes nothing else.
-- Cost of this migration: the documents of the sessions with errors re-inserted (8 % of sessions in the benchmark), then
-- the index merged into one segment (about as long as building it).

CREATE TEMP TABLE search_moves (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL, session_id TEXT NOT NULL, name TEXT);
INSERT INTO search_moves (old_id, new_id, session_id, name)
SELECT d.id,
       d.project_id * 1099511627776 + 549755813888 + ROW_NUMBER() OVER (PARTITION BY d.project_id ORDER BY d.session_id),
       lower(s.session_id), lower(s.name)
FROM session_search_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id
WHERE s.error_count > 0;
DELETE FROM session_search WHERE rowid IN (SELECT old_id FROM search_moves);
UPDATE session_search_docs SET id = (SELECT new_id FROM search_moves WHERE old_id = session_search_docs.id)
WHERE id IN (SELECT old_id FROM search_moves);
INSERT INTO session_search (rowid, session_id, name) SELECT new_id, session_id, name FROM search_moves;
DROP TABLE search_moves;
-- The moved documents are deletions in the old segments and a new segment; merged back into one so that every phrase
-- reads one doclist per trigram again (left as they were, a rare word took 24 ms of CPU at 1 M sessions instead of 0.5).
INSERT INTO session_search (session_search) VALUES ('optimize');

-- A new session's document goes to the half of its error state, after the highest id there.
DROP TRIGGER sessions_search_insert;
CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_search_docs (id, project_id, session_id)
    VALUES ((SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888) + 1 FROM session_search_docs
             WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888
               AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549755813888),
            new.project_id, new.session_id);
    INSERT INTO session_search (rowid, session_id, name) VALUES (last_insert_rowid(), lower(new.session_id), lower(new.name));
END;

-- A session whose error state changes moves to the other half (a name changed in the same statement is taken as new.name;
-- sessions_search_rename, if it fires too, re-inserts the same text under whichever id is current).
CREATE TRIGGER sessions_search_error_state AFTER UPDATE OF error_count ON sessions
WHEN (old.error_count > 0) IS NOT (new.error_count > 0) BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    UPDATE session_search_docs
    SET id = (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888) + 1 FROM session_search_docs
              WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888
                AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549755813888)
    WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO session_search (rowid, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;
