-- Spans, one row per version: a re-sent span is a new row with a higher version, and reads take each span's
-- newest row (argMax by version over the whole table, so it also holds when a re-send moved the span to another
-- session's shard). deleted = 1 marks a row that retention removed. Nullable columns are avoided on purpose:
-- aggregate functions skip NULLs, which would let argMax return an older version's value; a has_* flag says null.
-- Sharded by (project, session) so every span of a session lives on one shard.
CREATE TABLE IF NOT EXISTS ${db}.${local:spans} ${on_cluster} (
    project_id Int64,
    span_id String,
    trace_id String,
    parent_id String,
    has_parent UInt8,
    session_id String,
    has_session UInt8,
    user_id String,
    has_user UInt8,
    name String,
    kind UInt8,
    model String,
    has_model UInt8,
    provider String,
    has_provider UInt8,
    start_ms Int64,
    end_ms Int64,
    input_tokens Int64,
    output_tokens Int64,
    cached_input_tokens Int64,
    reasoning_tokens Int64,
    cost_pico Int64,
    priced UInt8,
    cost_source UInt8,
    status UInt8,
    error String,
    has_error UInt8,
    input_json String,
    has_input UInt8,
    output_json String,
    has_output UInt8,
    metadata_json String,
    has_metadata UInt8,
    metadata_keys Array(String),
    metadata_values Array(String),
    tags Array(String),
    version UInt64,
    deleted UInt8
) ENGINE = ${replacing:spans:version}
PARTITION BY toYYYYMM(toDateTime(intDiv(start_ms, 1000)))
ORDER BY (project_id, span_id);

${distributed:spans:cityHash64(project_id, session_id)};

-- Prompts and completions sent apart from their spans (OTLP log records), newest version per span wins.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_content} ${on_cluster} (
    project_id Int64,
    span_id String,
    input_json String,
    has_input UInt8,
    output_json String,
    has_output UInt8,
    version UInt64
) ENGINE = ${replacing:span_content:version}
ORDER BY (project_id, span_id);

${distributed:span_content:cityHash64(project_id, span_id)};
