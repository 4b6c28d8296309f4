-- The writer's session_search entries (migrations 160, 340) are written once per transaction, after its last statement
-- (issue 15). FTS5 keeps a transaction's new entries in memory only until the next statement that opens a savepoint: each
-- session upsert (it has triggers) and each multi-row rollup upsert. So the insert trigger's entries were flushed into a
-- new segment at almost every new session, and FTS5 merged those segments as it went: about 3.4 µs of the writer's CPU
-- per span, 5.7 times the cost of inserting them (docs/benchmarks.md, "flushes at statement savepoints").
-- Now the triggers put a session's entry in session_search_queue (keyed by its document id), and the transaction that
-- fired them moves the queue into session_search in ascending rowid order just before it commits
-- (SessionSearchQueue.Drain): one flush per transaction, the one the commit makes anyway. Outside a transaction the queue
-- is empty, so session_search holds every document, as before.
-- An entry still in the queue is taken out of it rather than out of session_search when its session is renamed, moves
-- (error state 280, start day 340) or is deleted: session_search never held it.

CREATE TABLE session_search_queue (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, name TEXT); -- id: session_search_docs.id

DROP TRIGGER sessions_search_insert;
CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_search_docs (id, project_id, session_id)
    VALUES (coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216)),
        new.project_id, new.session_id);
    INSERT INTO session_search_queue (id, session_id, name) VALUES (last_insert_rowid(), lower(new.session_id), lower(new.name));
END;

DROP TRIGGER sessions_search_rename;
CREATE TRIGGER sessions_search_rename AFTER UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id)
        AND NOT EXISTS (SELECT 1 FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id));
    DELETE FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    INSERT INTO session_search_queue (id, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;

DROP TRIGGER sessions_search_error_state;
CREATE TRIGGER sessions_search_error_state AFTER UPDATE OF error_count ON sessions
WHEN (old.error_count > 0) IS NOT (new.error_count > 0) BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id)
        AND NOT EXISTS (SELECT 1 FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id));
    DELETE FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    UPDATE session_search_docs SET id = coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216))
    WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO session_search_queue (id, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;

DROP TRIGGER sessions_search_start_day;
CREATE TRIGGER sessions_search_start_day AFTER UPDATE OF started_ms ON sessions
WHEN min(max(old.started_ms / 86400000, 0), 32767) IS NOT min(max(new.started_ms / 86400000, 0), 32767) BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id)
        AND NOT EXISTS (SELECT 1 FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id));
    DELETE FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    UPDATE session_search_docs SET id = coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216))
    WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO session_search_queue (id, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;

DROP TRIGGER sessions_search_delete;
CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id)
        AND NOT EXISTS (SELECT 1 FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id));
    DELETE FROM session_search_queue WHERE id = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id);
    DELETE FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id;
END;
