-- The whole project's cost bands (140) and the per-kind trend rollups (170) are kept by the writer from now on
-- (SessionRollupDeltas: each session row and its tags and metadata read before and after a write, subtracted and added
-- as signed deltas summed per rollup row once per transaction; a row left at 0 sessions is deleted), like the rollups
-- of 180–201. Why: the triggers of 170 ran a statement per tag and metadata row a write inserted or trimmed, each
-- joining the session row, which was the largest part of the writer's time with SDK traffic (issue 15: ~27 % of the
-- writer's CPU per span in ingest-stages --mix llm). The tables are exact already (kept by the triggers until now):
-- nothing to backfill. SessionRollupBackfill recomputes them for bulk loaders.
DROP TRIGGER IF EXISTS session_cost_bands_on_insert;
DROP TRIGGER IF EXISTS session_cost_bands_on_delete;
DROP TRIGGER IF EXISTS session_cost_bands_on_update;
DROP TRIGGER IF EXISTS session_kind_rollups_on_insert;
DROP TRIGGER IF EXISTS session_kind_rollups_on_delete;
DROP TRIGGER IF EXISTS session_kind_rollups_on_update;
DROP TRIGGER IF EXISTS session_kind_bands_on_update;
DROP TRIGGER IF EXISTS session_tags_kind_rollups_on_insert;
DROP TRIGGER IF EXISTS session_tags_kind_rollups_on_delete;
DROP TRIGGER IF EXISTS session_metadata_kind_rollups_on_insert;
DROP TRIGGER IF EXISTS session_metadata_kind_rollups_on_delete;
