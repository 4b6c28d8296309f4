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
