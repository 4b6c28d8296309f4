-- One row per trace (issue 20): the traces list and its total read one row per trace instead of grouping every span of
-- the project (which passed ClickHouse's memory limit at 10 M spans: 503). Kept like session_rows: whoever changes spans
-- recomputes the traces they touched (TraceRowKeeper) with one INSERT … SELECT from the spans' newest versions, before
-- the session rows, and before answering; version is a tick taken before that read, so the later-started recompute
-- wins. deleted = 1: the trace has no live span left. Sharded by trace, so every version of a trace's row lives on one
-- shard and reads deduplicate per shard (FINAL). Granules of 256 rows: a page merges the rows of a few hundred candidate
-- traces, each in a granule of its own (random ids), and with 8,192-row granules that read 7.2 M rows at 8.8 M traces.
CREATE TABLE IF NOT EXISTS ${db}.${local:trace_rows} ${on_cluster} (
    project_id Int64,
    trace_id String,
    root_name String,
    has_root UInt8,
    started_ms Int64,
    ended_ms Int64,
    spans Int64,
    llm_calls Int64,
    cost_usd Int64,
    cost_pico Int64,
    unpriced Int64,
    tokens Int64,
    errors Int64,
    user_id String,
    has_user UInt8,
    session_id String,
    has_session UInt8,
    models Array(String),
    version UInt64,
    deleted UInt8
) ENGINE = ${replacing:trace_rows:version}
ORDER BY (project_id, trace_id)
SETTINGS index_granularity = 256;

${distributed:trace_rows:cityHash64(project_id, trace_id)};

-- Every trace a span has had a version in, found by span id: a re-send that moves a span out of trace X makes the
-- writer recompute X too (trace_spans, migration 008, finds spans by trace). Kept by a materialized view on each node's
-- session_spans, so the pair lands with its row.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_traces} ${on_cluster} (
    project_id Int64,
    span_id String,
    trace_id String,
    version UInt64
) ENGINE = ${replacing:span_traces:version}
ORDER BY (project_id, span_id, trace_id)
SETTINGS index_granularity = 256;

${distributed:span_traces:cityHash64(project_id, span_id)};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:span_traces_of_session_spans} ${on_cluster} TO ${db}.${local:span_traces}
AS SELECT project_id, span_id, trace_id, version FROM ${db}.${local:session_spans};

-- The pairs of the spans written before (the view above only sees new rows). The trace rows of the traces written
-- before are computed after the DDL (ClickHouseMigrator), in shares of the trace ids.
INSERT INTO ${db}.span_traces SELECT project_id, span_id, trace_id, version FROM ${db}.session_spans
