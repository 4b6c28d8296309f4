-- Prompt-cache writes in each session's cells (cost by model shows them beside cached input), written by the recompute
-- with the other sums (ClickHouseSql.Sessions). A row written before reads zeros, one per cell, from the default: exact,
-- since no span stored before migration 012 has cache writes, and of the same length as the other cell arrays, so
-- ARRAY JOIN reads old and new rows alike and no recompute is needed.
ALTER TABLE ${db}.${local:session_rows} ${on_cluster}
    ADD COLUMN cell_cache_written_tokens Array(Int64) DEFAULT arrayMap(x -> toInt64(0), cell_calls);

-- The Distributed table is made again over the new column (see 002 and 007).
${cluster_only}DROP TABLE IF EXISTS ${db}.session_rows ${on_cluster};

${distributed:session_rows:cityHash64(project_id, session_id)}
