-- Each session's LLM calls per model and UTC hour of start (issue 20): cost by model and over time read these cells
-- from the sessions' newest rows instead of grouping every span of the project at read time, which at 10 M spans passed
-- ClickHouse's memory limit. The recompute writes them with the session's other figures (ClickHouseSql.Sessions), so
-- they are as exact as the row; a session row written before this migration has none, so the server recomputes every
-- project's sessions once after it (ClickHouseMigrator). Parallel arrays, one element per (model, hour) cell: has_model
-- and model as the spans have them, the hour's first millisecond, then the cell's sums (cost as whole dollars and a
-- picodollar rest, as ClickHouseSql.ExactCostSum).
ALTER TABLE ${db}.${local:session_rows} ${on_cluster}
    ADD COLUMN cell_has_model Array(UInt8),
    ADD COLUMN cell_model Array(String),
    ADD COLUMN cell_hour Array(Int64),
    ADD COLUMN cell_calls Array(Int64),
    ADD COLUMN cell_cost_usd Array(Int64),
    ADD COLUMN cell_cost_pico Array(Int64),
    ADD COLUMN cell_unpriced Array(Int64),
    ADD COLUMN cell_input_tokens Array(Int64),
    ADD COLUMN cell_output_tokens Array(Int64),
    ADD COLUMN cell_cached_tokens Array(Int64),
    ADD COLUMN cell_reasoning_tokens Array(Int64),
    ADD COLUMN cell_errors Array(Int64);

-- The Distributed table is made again over the new columns (see 002). Servers of earlier versions write rows without
-- cells: stop them before the first server of this version starts, as for 004 to 006.
${cluster_only}DROP TABLE IF EXISTS ${db}.session_rows ${on_cluster};

${distributed:session_rows:cityHash64(project_id, session_id)}
