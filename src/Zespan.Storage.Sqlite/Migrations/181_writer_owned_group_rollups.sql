-- The hourly group rollups of 050/074 (sessions_hourly, session_tagged_hourly, session_tags_hourly,
-- session_metadata_keys_hourly, session_metadata_hourly) are kept by the writer from now on, like the counts of 180
-- (SessionRollupDeltas): each session row and its tag and metadata pairs, read before and after a write, are subtracted
-- and added as signed deltas summed per rollup row once per transaction. Their eight triggers go; the rows they kept are
-- exact, so nothing is rebuilt. A tag or metadata row deleted by hand (not by the writer, the rebuilder or retention)
-- no longer moves the rollups.
-- IF EXISTS: GroupRollupTests re-applies this migration after re-creating the triggers of 050 and 074.
DROP TRIGGER IF EXISTS session_rollups_on_insert;
DROP TRIGGER IF EXISTS session_rollups_on_delete;
DROP TRIGGER IF EXISTS session_rollups_on_update_in_hour;
DROP TRIGGER IF EXISTS session_rollups_on_update_across_hours;
DROP TRIGGER IF EXISTS session_metadata_rollups_on_insert;
DROP TRIGGER IF EXISTS session_metadata_rollups_on_delete;
DROP TRIGGER IF EXISTS session_tags_rollups_on_insert;
DROP TRIGGER IF EXISTS session_tags_rollups_on_delete;
