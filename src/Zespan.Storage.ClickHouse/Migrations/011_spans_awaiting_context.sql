-- Spans sent over OTLP that lack a session or a user and have a parent, listed under that parent's id: they take both
-- from their nearest ancestor that has them (docs/otel.md, "Trace context"), and when that ancestor arrives after them
-- (exporters send children first), it finds them here by its own span id (TraceContextInheritance). A row says only
-- that the span waited once; whether it still lacks anything is read from its newest version, so rows are never
-- updated, and a superset is harmless. Written by this version's servers only: spans stored before it keep what they have.
CREATE TABLE IF NOT EXISTS ${db}.${local:spans_awaiting_context} ${on_cluster} (
    project_id Int64,
    parent_id String,
    span_id String,
    version UInt64
) ENGINE = ${replacing:spans_awaiting_context:version}
ORDER BY (project_id, parent_id, span_id)
SETTINGS index_granularity = 256;

${distributed:spans_awaiting_context:cityHash64(project_id, parent_id)}
