-- The traces table becomes a rowid table: its rows are stored in the order they are first written, and a narrow unique
-- index (traces_by_id) finds a trace by id. Why: SDKs send random trace ids, and SDK traffic makes one trace per LLM
-- call, so every new trace went into a random leaf of the table itself, ~20 wide rows per page. A group commit of 8,000
-- such spans rewrote ~2,700 pages of it, nearly the whole table, the largest share of the commit's ~10,000 WAL pages
-- (ingest-stages --ids random --profile, docs/benchmarks.md, session 32). Now the random insert lands in the index's
-- narrow entries and the row is appended. Readers are unchanged: by id through traces_by_id, lists through
-- traces_by_started and traces_with_errors, as before.

CREATE TABLE traces_by_rowid (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL,
    trace_id        TEXT NOT NULL,
    root_name       TEXT,                   -- name of the earliest span without a parent ...
    root_start_ms   INTEGER,                -- ... identified by its start and span id, for exact ties
    root_span_id    TEXT,
    started_ms      INTEGER NOT NULL,
    ended_ms        INTEGER NOT NULL,
    span_count      INTEGER NOT NULL,
    llm_calls       INTEGER NOT NULL,
    cost_pico       INTEGER NOT NULL,
    unpriced_calls  INTEGER NOT NULL,
    total_tokens    INTEGER NOT NULL,
    error_count     INTEGER NOT NULL,
    user_id         TEXT,                   -- user and session of the earliest span that has one
    user_start_ms   INTEGER,
    user_span_id    TEXT,
    session_id      TEXT,
    session_start_ms INTEGER,
    session_span_id TEXT,
    cost_high       INTEGER NOT NULL DEFAULT 0  -- the upper part of the exact cost (migration 150)
);

-- In start order, so the rows of a time range stay together as live traffic will keep them.
INSERT INTO traces_by_rowid (project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls,
                             cost_pico, unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id,
                             session_start_ms, session_span_id, cost_high)
SELECT project_id, trace_id, root_name, root_start_ms, root_span_id, started_ms, ended_ms, span_count, llm_calls,
       cost_pico, unpriced_calls, total_tokens, error_count, user_id, user_start_ms, user_span_id, session_id,
       session_start_ms, session_span_id, cost_high
FROM traces ORDER BY project_id, started_ms, trace_id;

DROP TABLE traces;
ALTER TABLE traces_by_rowid RENAME TO traces;
CREATE UNIQUE INDEX traces_by_id ON traces(project_id, trace_id);
CREATE INDEX traces_by_started ON traces(project_id, started_ms, trace_id);
CREATE INDEX traces_with_errors ON traces(project_id, started_ms, trace_id) WHERE error_count > 0;
