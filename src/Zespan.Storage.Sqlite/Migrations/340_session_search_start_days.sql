-- q= with a time range answered by the search index (issue 18: q=refund & last 7 days took ~150 ms of CPU at 1 M
-- sessions, every one of 84 k matches looked up to test its start). Within a project's error half (migration 280) the
-- documents are now ordered by the UTC day the session started: document id =
--   project * 2^40 + (has errors) * 2^39 + day * 2^24 + n,   day = started_ms / 86,400,000 clamped to [0, 32767], n >= 1,
-- so the documents of sessions started on whole days d1..d2 are one rowid range, which FTS5 applies while reading its
-- doclists: "matches started in those days" is counted without reading a row. Only a partial first and last day
-- (SessionSearchDays) are tested row by row.
-- Day 0 (starts before 1970-01-02, clamped) and day 32767 (after 2059-09, clamped) hold mixed starts: always tested row by
-- row. A day that already holds 2^24 - 1 documents (16.7 M sessions of one project and error state starting the same day)
-- overflows into day 32767, which is tested row by row, so the answer stays exact.
-- A session whose start moves to another day (a late span that began earlier) moves its document, as a change of error
-- state does; the writer's upsert evaluates only the WHEN below for every other session.
-- Cost of this migration: the index rebuilt under the new ids (about 14 s at 1 M sessions).

-- Fails the migration (CHECK) rather than overflow a day during the rebuild.
CREATE TEMP TABLE search_days (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL, n INTEGER NOT NULL CHECK (n < 16777216), session_id TEXT NOT NULL, name TEXT);
INSERT INTO search_days (old_id, new_id, n, session_id, name)
SELECT old_id, base + n, n, session_id, name FROM (
    SELECT d.id AS old_id,
           d.project_id * 1099511627776 + (s.error_count > 0) * 549755813888 + min(max(s.started_ms / 86400000, 0), 32767) * 16777216 AS base,
           ROW_NUMBER() OVER (PARTITION BY d.project_id, s.error_count > 0, min(max(s.started_ms / 86400000, 0), 32767) ORDER BY s.started_ms, s.session_id) AS n,
           lower(s.session_id) AS session_id, lower(s.name) AS name
    FROM session_search_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id);

-- Ids may cross (an old id can be another document's new one): moved through negatives, then back.
UPDATE session_search_docs SET id = -(SELECT new_id FROM search_days WHERE old_id = session_search_docs.id);
UPDATE session_search_docs SET id = -id;

DROP TABLE session_search;
CREATE VIRTUAL TABLE session_search USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');
INSERT INTO session_search (rowid, session_id, name) SELECT new_id, session_id, name FROM search_days ORDER BY new_id;
DROP TABLE search_days;

-- The id a session's document gets: after the highest of its day in its error half, or in day 32767 when the day is full
-- (32767 * 2^24 = 549739036672). max(id) over a rowid range is one seek from the range's end, as in migrations 160/280.
DROP TRIGGER sessions_search_insert;
CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_search_docs (id, project_id, session_id)
    VALUES (coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216)),
        new.project_id, new.session_id);
    INSERT INTO session_search (rowid, session_id, name) VALUES (last_insert_rowid(), lower(new.session_id), lower(new.name));
END;

-- A session whose error state changes moves to the other half (migration 280), into the day of its start.
DROP TRIGGER sessions_search_error_state;
CREATE TRIGGER sessions_search_error_state AFTER UPDATE OF error_count ON sessions
WHEN (old.error_count > 0) IS NOT (new.error_count > 0) BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    UPDATE session_search_docs SET id = coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216))
    WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO session_search (rowid, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;

-- A session whose start moves to another day moves its document there. If the error state changes in the same statement
-- both triggers move it; each computes the place from new.*, so it ends where it belongs.
CREATE TRIGGER sessions_search_start_day AFTER UPDATE OF started_ms ON sessions
WHEN min(max(old.started_ms / 86400000, 0), 32767) IS NOT min(max(new.started_ms / 86400000, 0), 32767) BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    UPDATE session_search_docs SET id = coalesce(
        (SELECT CASE WHEN m IS NULL THEN b + 1 WHEN m < b + 16777215 THEN m + 1 END FROM (SELECT new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AS b),
             (SELECT max(id) AS m FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + min(max(new.started_ms / 86400000, 0), 32767) * 16777216 + 16777216)),
        (SELECT coalesce(max(id), new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672) + 1 FROM session_search_docs WHERE id > new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 AND id < new.project_id * 1099511627776 + (new.error_count > 0) * 549755813888 + 549739036672 + 16777216))
    WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO session_search (rowid, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;
