-- Zespan embedded schema. Times are Unix milliseconds (UTC); money is picodollars (1e-12 USD) so sums stay exact.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'free',
    created_ms  INTEGER NOT NULL
);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organizations(id),
    name            TEXT NOT NULL,
    created_ms      INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    name            TEXT NOT NULL,
    key_hash        BLOB NOT NULL UNIQUE,   -- SHA-256 of the secret; the secret itself is never stored
    display_prefix  TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    last_used_ms    INTEGER,
    revoked_ms      INTEGER
);
CREATE INDEX api_keys_project ON api_keys(project_id);

CREATE TABLE project_prices (
    project_id          INTEGER NOT NULL REFERENCES projects(id),
    model               TEXT NOT NULL COLLATE NOCASE,
    input_per_m         TEXT NOT NULL,      -- decimal text, USD per 1M tokens (exact, unlike REAL)
    cached_input_per_m  TEXT,
    output_per_m        TEXT NOT NULL,
    PRIMARY KEY (project_id, model)
);

-- Spans: one row per (project, span id). Large prompt/completion text lives in span_payloads so scans stay small.
CREATE TABLE spans (
    id                  INTEGER PRIMARY KEY,
    project_id          INTEGER NOT NULL,
    span_id             TEXT NOT NULL,
    trace_id            TEXT NOT NULL,
    parent_id           TEXT,
    session_id          TEXT,
    user_id             TEXT,
    name                TEXT NOT NULL,
    kind                INTEGER NOT NULL,   -- 0 span, 1 llm
    model               TEXT,
    provider            TEXT,
    start_ms            INTEGER NOT NULL,
    end_ms              INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    cost_pico           INTEGER,            -- null: no known price
    cost_source         INTEGER NOT NULL,
    status              INTEGER NOT NULL,   -- 0 ok, 1 error
    error               TEXT,
    metadata            TEXT,
    tags                TEXT                -- JSON array
);
CREATE UNIQUE INDEX spans_by_id ON spans(project_id, span_id);
CREATE INDEX spans_by_session ON spans(project_id, session_id, start_ms) WHERE session_id IS NOT NULL;
CREATE INDEX spans_by_trace ON spans(project_id, trace_id, start_ms);
CREATE INDEX spans_by_start ON spans(project_id, start_ms);

CREATE TABLE span_payloads (
    span_row_id INTEGER PRIMARY KEY,        -- spans.id
    input       TEXT,
    output      TEXT
);

-- Session aggregates over the session's LLM spans, maintained by the writer as spans arrive.
CREATE TABLE sessions (
    project_id       INTEGER NOT NULL,
    session_id       TEXT NOT NULL,
    user_id          TEXT,                  -- user of the earliest span that has one ...
    user_start_ms    INTEGER,               -- ... identified by its start and span id, for exact ties
    user_span_id     TEXT,
    started_ms       INTEGER NOT NULL,
    ended_ms         INTEGER NOT NULL,
    duration_ms      INTEGER NOT NULL,
    turns            INTEGER NOT NULL,
    cost_pico        INTEGER NOT NULL,
    unpriced_calls   INTEGER NOT NULL,
    input_tokens     INTEGER NOT NULL,
    output_tokens    INTEGER NOT NULL,
    total_tokens     INTEGER NOT NULL,
    error_count      INTEGER NOT NULL,
    latency_sum_ms   INTEGER NOT NULL,
    PRIMARY KEY (project_id, session_id)
) WITHOUT ROWID;
CREATE INDEX sessions_by_started  ON sessions(project_id, started_ms, session_id);
CREATE INDEX sessions_by_cost     ON sessions(project_id, cost_pico, session_id);
CREATE INDEX sessions_by_turns    ON sessions(project_id, turns, session_id);
CREATE INDEX sessions_by_duration ON sessions(project_id, duration_ms, session_id);
CREATE INDEX sessions_by_tokens   ON sessions(project_id, total_tokens, session_id);
CREATE INDEX sessions_by_errors   ON sessions(project_id, error_count, session_id);
CREATE INDEX sessions_by_user     ON sessions(project_id, user_id, started_ms, session_id);

-- Tags and metadata values of a session's LLM spans, for "which kinds of conversations cost the most".
CREATE TABLE session_tags (
    project_id  INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (project_id, session_id, tag)
) WITHOUT ROWID;
CREATE INDEX session_tags_by_tag ON session_tags(project_id, tag);

CREATE TABLE session_metadata (
    project_id  INTEGER NOT NULL,
    session_id  TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (project_id, session_id, key, value)
) WITHOUT ROWID;
CREATE INDEX session_metadata_by_key ON session_metadata(project_id, key, value);

-- Trace aggregates over all spans of a trace.
CREATE TABLE traces (
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
    PRIMARY KEY (project_id, trace_id)
) WITHOUT ROWID;
CREATE INDEX traces_by_started ON traces(project_id, started_ms, trace_id);

-- LLM usage per project, UTC day and model; additive, so replacing or deleting a span subtracts exactly.
CREATE TABLE model_usage_daily (
    project_id          INTEGER NOT NULL,
    day                 INTEGER NOT NULL,   -- Unix ms of the UTC midnight
    model               TEXT NOT NULL,      -- '' when the span named no model
    calls               INTEGER NOT NULL,
    cost_pico           INTEGER NOT NULL,
    unpriced_calls      INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    PRIMARY KEY (project_id, day, model)
) WITHOUT ROWID;
