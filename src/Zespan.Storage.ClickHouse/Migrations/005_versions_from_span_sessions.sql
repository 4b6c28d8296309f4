-- span_versions (each span's versions, found by span id) repeats what span_sessions holds: the same rows, from the same
-- session_spans, kept per (span, session) instead of per span, so a span's newest version anywhere is the max(version)
-- of its span_sessions rows as it was of its span_versions rows, merged or not. Every span was written to four
-- MergeTree tables, and background merges were the bound of ingestion (44 % of ClickHouse's CPU at 5,690 spans/s on the
-- test cluster, docs/benchmarks.md); reads now take the versions from span_sessions and this table goes. Servers of
-- earlier versions read it: stop them before the first server of this version starts, as for 002 and 004.
DROP TABLE IF EXISTS ${db}.${local:span_versions_of_session_spans} ${on_cluster};

DROP TABLE IF EXISTS ${db}.${local:span_versions_of_spans} ${on_cluster};

${cluster_only} DROP TABLE IF EXISTS ${db}.span_versions ${on_cluster};

DROP TABLE IF EXISTS ${db}.${local:span_versions} ${on_cluster}
