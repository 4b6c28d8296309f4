-- The models of each trace, in start order per model: the traces list filtered by a model walks only that model's traces
-- (trace_models_by_started) instead of every trace of the project with a probe of its spans. Why: a model on few calls
-- made the list walk nearly every trace to fill a page; on a 1 M-span file it took 0.9–1.1 s (docs/benchmarks.md,
-- session 34), and its count probed every trace too. One row per (trace, model of any of its spans), with the trace
-- row's start, so the list's order is the one it has without the filter; ties on the millisecond are ordered by the
-- trace id read from the row (the trace id here would double the table's size for those rare ties). Whether the trace
-- has an errored span too, so status=error walks and counts a partial index of only those (as traces_with_errors does
-- without a model). The writer keeps it (TraceModels): a trace's upsert adds its new spans' models and moves its rows
-- when the trace starts earlier or gains an error; a trace's rebuild (a span replaced, moved or deleted by retention)
-- writes its rows again from its spans.
CREATE TABLE trace_models (
    trace_row   INTEGER NOT NULL,   -- traces.id
    model       TEXT NOT NULL,
    project_id  INTEGER NOT NULL,
    started_ms  INTEGER NOT NULL,   -- traces.started_ms
    errored     INTEGER NOT NULL,   -- 1 when traces.error_count > 0, else 0
    PRIMARY KEY (trace_row, model)
) WITHOUT ROWID;

INSERT INTO trace_models (trace_row, model, project_id, started_ms, errored)
SELECT DISTINCT l.trace_row, s.model, t.project_id, t.started_ms, t.error_count > 0
FROM trace_spans l JOIN spans s ON s.id = l.span_row JOIN traces t ON t.id = l.trace_row
WHERE s.model IS NOT NULL
ORDER BY l.trace_row, s.model;

CREATE INDEX trace_models_by_started ON trace_models(project_id, model, started_ms);
CREATE INDEX trace_models_with_errors ON trace_models(project_id, model, started_ms) WHERE errored = 1;
