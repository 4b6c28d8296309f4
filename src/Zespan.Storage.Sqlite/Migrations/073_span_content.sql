-- Prompt and completion that arrived apart from their span (OTLP log records, correlated by trace and span id).
-- Kept by span id so content attaches whichever arrives first, and again when the span is re-sent without it.
CREATE TABLE span_content (
    project_id  INTEGER NOT NULL,
    span_id     TEXT NOT NULL,
    input       TEXT,
    output      TEXT,
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (project_id, span_id)
) WITHOUT ROWID;

-- Spans that take session and user from their trace (OTLP): marked when stored without one of them, so an ancestor
-- that arrives later passes its session/user down (exporters send children before their parent).
ALTER TABLE spans ADD COLUMN context_from_trace INTEGER NOT NULL DEFAULT 0;
CREATE INDEX spans_awaiting_context ON spans(project_id, parent_id) WHERE context_from_trace = 1;
