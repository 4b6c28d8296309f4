-- Spans sorted by session (issue 20): a session's detail reads that session's rows only, where the spans table, sorted
-- by (project_id, span_id), made it read every span of the project twice. session_spans replaces spans for every read
-- and write; its sorting key (project_id, session_id, span_id) is also what ReplacingMergeTree deduplicates by, so
-- versions of a span under one session collapse to the newest while versions under two sessions (a re-send moved it)
-- both stay, and reads still take each span's newest row by argMax over all its rows.
CREATE TABLE IF NOT EXISTS ${db}.${local:session_spans} ${on_cluster} AS ${db}.${local:spans}
ENGINE = ${replacing:session_spans:version}
PARTITION BY toYYYYMM(toDateTime(intDiv(start_ms, 1000)))
ORDER BY (project_id, session_id, span_id);

${distributed:session_spans:cityHash64(project_id, session_id)};

-- Each span's newest version anywhere, found by span id: a detail keeps a span of its session only when the newest
-- version the session holds is the span's newest of all (a newer one elsewhere means a re-send moved it away). Small
-- granules because it is read by a set of span ids, which a random id spreads over the whole key range. Kept by
-- materialized views on each node's local tables, so the row and its version land in the same INSERT.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_versions} ${on_cluster} (
    project_id Int64,
    span_id String,
    version UInt64
) ENGINE = ${replacing:span_versions:version}
ORDER BY (project_id, span_id)
SETTINGS index_granularity = 256;

${distributed:span_versions:cityHash64(project_id, span_id)};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:span_versions_of_session_spans} ${on_cluster} TO ${db}.${local:span_versions}
AS SELECT project_id, span_id, version FROM ${db}.${local:session_spans};

-- Servers still on the previous version write to spans until they are upgraded: these views carry their rows over, so a
-- rolling upgrade loses none (a row copied twice below is the same version twice, which reads and merges collapse).
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:session_spans_of_spans} ${on_cluster} TO ${db}.${local:session_spans}
AS SELECT * FROM ${db}.${local:spans};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${local:span_versions_of_spans} ${on_cluster} TO ${db}.${local:span_versions}
AS SELECT project_id, span_id, version FROM ${db}.${local:spans};

-- The rows written before: each shard's go back to the same shard (same sharding key), and span_versions is filled by
-- its view on the way.
INSERT INTO ${db}.session_spans SELECT * FROM ${db}.spans
