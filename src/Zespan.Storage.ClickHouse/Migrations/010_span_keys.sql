-- Every session and trace a span has had a version in, with its newest version there, found by span id: one table for
-- what span_sessions (004) and span_traces (009) held apart. A write looked its spans up in both (its moves between
-- sessions, its traces and their newest versions) and every span row fed both through a materialized view: two reads
-- of about the whole of a table per group commit with random ids, and two more MergeTree tables to insert into and
-- merge (docs/benchmarks.md, session 26). span_keys answers both lookups in one read and takes one view. Its rows keep
-- the newest version per (span, session, trace), so a span's newest version anywhere is still the max of its rows.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_keys} ${on_cluster} (
    project_id Int64,
    span_id String,
    session_id String,
    has_session UInt8,
    trace_id String,
    version UInt64
) ENGINE = ${replacing:span_keys:version}
ORDER BY (project_id, span_id, session_id, has_session, trace_id)
SETTINGS index_granularity = 256;

${distributed:span_keys:cityHash64(project_id, span_id)};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:span_keys_of_session_spans} ${on_cluster} TO ${db}.${local:span_keys}
AS SELECT project_id, span_id, session_id, has_session, trace_id, version FROM ${db}.${local:session_spans};

-- The keys of the spans written before (the view above only sees new rows; a row copied twice is the same version twice,
-- which reads and merges collapse). Servers of earlier versions read the tables dropped below: stop them before the
-- first server of this version starts, as for 004 and 005.
INSERT INTO ${db}.span_keys SELECT project_id, span_id, session_id, has_session, trace_id, version FROM ${db}.session_spans;

DROP TABLE IF EXISTS ${db}.${local:span_sessions_of_session_spans} ${on_cluster};

DROP TABLE IF EXISTS ${db}.${local:span_traces_of_session_spans} ${on_cluster};

${cluster_only} DROP TABLE IF EXISTS ${db}.span_sessions ${on_cluster};

DROP TABLE IF EXISTS ${db}.${local:span_sessions} ${on_cluster};

${cluster_only} DROP TABLE IF EXISTS ${db}.span_traces ${on_cluster};

DROP TABLE IF EXISTS ${db}.${local:span_traces} ${on_cluster}
