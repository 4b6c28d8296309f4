-- Migration 410's two triggers that move a session's search document when its session gains or loses its errors (280)
-- or starts on another day (340) had one body and differed only in their WHEN. One trigger now holds the document's
-- placement once. A statement that changes both moves the document once; with two triggers it moved twice, to the same
-- error half and day. The body is 410's: the entry leaves session_search (or the queue, if still queued there), the
-- document takes the next id of its new project, error half and day (340's numbering), and is queued again.

DROP TRIGGER sessions_search_error_state;
DROP TRIGGER sessions_search_start_day;

CREATE TRIGGER sessions_search_move AFTER UPDATE OF error_count, started_ms ON sessions
WHEN (old.error_count > 0) IS NOT (new.error_count > 0)
    OR min(max(old.started_ms / 86400000, 0), 32767) IS NOT min(max(new.started_ms / 86400000, 0), 32767) BEGIN
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
