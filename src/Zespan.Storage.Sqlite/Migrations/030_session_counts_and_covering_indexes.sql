-- Exact number of sessions per project, for the unfiltered list's totalCount: COUNT(*) walked a whole sessions index
-- (1 M entries at target size) on every list request. Triggers keep it exact in the same transaction as every insert or
-- delete of a session row, whoever makes it (the span writer, the aggregate rebuilder, retention).
CREATE TABLE project_session_counts (
    project_id  INTEGER PRIMARY KEY,
    sessions    INTEGER NOT NULL
);
INSERT INTO project_session_counts (project_id, sessions) SELECT project_id, COUNT(*) FROM sessions GROUP BY project_id;

CREATE TRIGGER sessions_counted_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO project_session_counts (project_id, sessions) VALUES (new.project_id, 1)
    ON CONFLICT (project_id) DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER sessions_counted_on_delete AFTER DELETE ON sessions
BEGIN
    UPDATE project_session_counts SET sessions = sessions - 1 WHERE project_id = old.project_id;
END;

-- The time-range index now carries the columns that filters, counts, stats and breakdowns read, so a date-filtered
-- COUNT(*), the stats over a period and the "status/minTurns within a period" filters are answered from the index alone,
-- without a lookup into the table per session. It replaces sessions_by_started (same leading key and keyset order).
DROP INDEX sessions_by_started;
CREATE INDEX sessions_by_started ON sessions(project_id, started_ms, session_id, error_count, turns, cost_pico, unpriced_calls, total_tokens, user_id);

-- Likewise the per-user index carries what the breakdown by user sums: it is then read in user order, already grouped,
-- with no sort and no table lookups. Same leading key and order as before, so the userId filter uses it as it did.
DROP INDEX sessions_by_user;
CREATE INDEX sessions_by_user ON sessions(project_id, user_id, started_ms, session_id, error_count, turns, cost_pico, total_tokens);
