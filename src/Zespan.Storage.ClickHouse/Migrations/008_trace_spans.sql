-- Every span that has had a version in a trace, found by trace id (issue 20): the trace detail looks its spans up here,
-- then every session they have had a version in (span_sessions), and reads only those sessions' rows through the sort
-- key. Before, it found them with a scan of the trace_id column of every span row of the project, then of the span_id
-- column (3.4–7 s at 10 M spans). Kept by a materialized view on each node's session_spans, so the pair lands with its
-- row; retention leaves the pairs of dropped rows, which point at nothing (a superset is harmless, a missing pair is not).
CREATE TABLE IF NOT EXISTS ${db}.${local:trace_spans} ${on_cluster} (
    project_id Int64,
    trace_id String,
    span_id String,
    version UInt64
) ENGINE = ${replacing:trace_spans:version}
ORDER BY (project_id, trace_id, span_id)
SETTINGS index_granularity = 256;

${distributed:trace_spans:cityHash64(project_id, trace_id)};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:trace_spans_of_session_spans} ${on_cluster} TO ${db}.${local:trace_spans}
AS SELECT project_id, trace_id, span_id, version FROM ${db}.${local:session_spans};

-- The pairs of the spans written before (the view above only sees new rows). Servers of earlier versions write through
-- the same table, so the view sees their rows too: servers can be upgraded one at a time.
INSERT INTO ${db}.trace_spans SELECT project_id, trace_id, span_id, version FROM ${db}.session_spans
