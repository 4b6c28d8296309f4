-- Exact number of traces per project, for the unfiltered traces list's totalCount (the Traces view's default): COUNT(*)
-- walked every trace's index entry (millions at 1M sessions) on each page view. Kept by triggers, like
-- project_session_counts (migration 030), in the same transaction as every insert or delete of a trace row.
CREATE TABLE project_trace_counts (
    project_id  INTEGER PRIMARY KEY,
    traces      INTEGER NOT NULL
);
INSERT INTO project_trace_counts (project_id, traces) SELECT project_id, COUNT(*) FROM traces GROUP BY project_id;

CREATE TRIGGER traces_counted_on_insert AFTER INSERT ON traces
BEGIN
    INSERT INTO project_trace_counts (project_id, traces) VALUES (new.project_id, 1)
    ON CONFLICT (project_id) DO UPDATE SET traces = traces + 1;
END;

CREATE TRIGGER traces_counted_on_delete AFTER DELETE ON traces
BEGIN
    UPDATE project_trace_counts SET traces = traces - 1 WHERE project_id = old.project_id;
END;
