-- One row per session (issue 20): the sessions list, its total, stats and breakdowns read one row per session instead of
-- grouping every span of the project. The writer recomputes the sessions a batch touched from session_spans (the exact
-- definition of ClickHouseSql.Sessions) with one INSERT … SELECT before it answers, so a read after a 2xx sees the
-- write; version is a tick taken before that recompute's read, so of two recomputes of a session the later-started one
-- wins. deleted = 1: the session has no live call left (a re-send moved its spans away, or retention removed them).
-- Sharded like session_spans, so every version of a session's row lives on one shard and reads deduplicate per shard.
CREATE TABLE IF NOT EXISTS ${db}.${local:session_rows} ${on_cluster} (
    project_id Int64,
    session_id String,
    user_id String,
    has_user UInt8,
    started_ms Int64,
    ended_ms Int64,
    turns Int64,
    cost_usd Int64,
    cost_pico Int64,
    unpriced Int64,
    input_tokens Int64,
    output_tokens Int64,
    errors Int64,
    latency_ms Int64,
    idle_ms Int64,
    idle_gaps Int64,
    idle_gap_ms Int64,
    has_name UInt8,
    name String,
    tags Array(String),
    metadata_keys Array(String),
    metadata_values Array(String),
    version UInt64,
    deleted UInt8
) ENGINE = ${replacing:session_rows:version}
ORDER BY (project_id, session_id);

${distributed:session_rows:cityHash64(project_id, session_id)};

-- Every session a span has had a version in, found by span id: a re-send that moves a span out of session X makes the
-- writer recompute X too. Kept by a materialized view on each node's session_spans, so the pair lands with its row.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_sessions} ${on_cluster} (
    project_id Int64,
    span_id String,
    session_id String,
    has_session UInt8,
    version UInt64
) ENGINE = ${replacing:span_sessions:version}
ORDER BY (project_id, span_id, session_id, has_session)
SETTINGS index_granularity = 256;

${distributed:span_sessions:cityHash64(project_id, span_id)};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:span_sessions_of_session_spans} ${on_cluster} TO ${db}.${local:span_sessions}
AS SELECT project_id, span_id, session_id, has_session, version FROM ${db}.${local:session_spans};

-- The pairs of the spans written before (the view above only sees new rows).
INSERT INTO ${db}.span_sessions SELECT project_id, span_id, session_id, has_session, max(version) FROM ${db}.session_spans
GROUP BY project_id, span_id, session_id, has_session
