-- A trace's spans found through a link table keyed by the trace's row and the span's row, instead of spans_by_trace
-- (project, trace id, start). Why: SDKs send random trace ids, so every new span's entry in spans_by_trace went into a
-- random leaf; on a 1 M-span file that index was 4,386 of the 22,557 WAL pages of a commit of ~8,000 spans, the largest
-- share (docs/benchmarks.md, session 34). Trace rows are numbered in the order they are first written (430) and span
-- rows too, so a new trace's links are appended at the end. Readers look up the trace's row by id (traces_by_id) and
-- read its links; the writer keeps them (TraceSpanLinks) and rebuilds a trace row in place so its number never changes.
CREATE TABLE trace_spans (
    trace_row   INTEGER NOT NULL,   -- traces.id
    span_row    INTEGER NOT NULL,   -- spans.id
    PRIMARY KEY (trace_row, span_row)
) WITHOUT ROWID;

INSERT INTO trace_spans (trace_row, span_row)
SELECT t.id, s.id FROM spans s JOIN traces t ON t.project_id = s.project_id AND t.trace_id = s.trace_id
ORDER BY t.id, s.id;

DROP INDEX spans_by_trace;
