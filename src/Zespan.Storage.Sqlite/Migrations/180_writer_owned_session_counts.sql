-- The session count per project (030), the hourly session rollup by error state and turns (040) and the per-user totals
-- (071, 074) are kept by the writer from now on (SessionRollupDeltas): each session row the writer, the rebuilder or
-- retention changes is read before and after, and the difference is added to these rows once per write transaction as
-- signed deltas, the mechanism that ports to a summing table (issue 15). Their triggers go; the rows they kept are exact,
-- so nothing is rebuilt. Rows left at zero sessions by the old triggers (they never deleted) go as the writer's do.
-- IF EXISTS: GroupRollupTests re-applies this migration after re-creating the triggers of 050 and 074.
DROP TRIGGER IF EXISTS sessions_counted_on_insert;
DROP TRIGGER IF EXISTS sessions_counted_on_delete;
DROP TRIGGER IF EXISTS session_rollup_on_insert;
DROP TRIGGER IF EXISTS session_rollup_on_update;
DROP TRIGGER IF EXISTS session_rollup_on_delete;
DROP TRIGGER IF EXISTS user_totals_on_insert;
DROP TRIGGER IF EXISTS user_totals_on_update;
DROP TRIGGER IF EXISTS user_totals_on_delete;
DELETE FROM session_rollup_hourly WHERE sessions = 0;
DELETE FROM user_session_totals WHERE sessions = 0;
