-- "No tag" as a kind of its own in the per-kind trend rollups (issue 19): dim 4 (key '', kind '') counts each session
-- with no tag in session_kind_rollup_daily and session_kind_cost_bands_daily (170) and, when priced, its cost in
-- session_kind_costs (195). Why: by=tag's no-kind series was the whole project's figures minus "has a tag" (dim 2), and
-- each median or p95 band of it the whole project's band (~350 sessions of a day at a million sessions, read from the
-- sessions' band index in start order and sorted) minus "has a tag"'s (~250): most of the rows a by=tag query read.
-- Stored, it is one key range of tens of rows in cost order, walked like any kind's (KindBandWalk), and by=tag no longer
-- reads the whole project's rollups. A session lacking a metadata key is not enumerable (keys are open-ended), so
-- by=metadata:<key> still subtracts "has the key" (dim 3).
--
-- Kept by the writer like the other dims (SessionKindRows: dim 4 when the session has no tag); backfilled here from the
-- current rows. Deleting dim 4 first makes this re-runnable over rollups rebuilt by 170's and 195's backfills.
DELETE FROM session_kind_rollup_daily WHERE dim = 4;
DELETE FROM session_kind_cost_bands_daily WHERE dim = 4;
DELETE FROM session_kind_costs WHERE dim = 4;

CREATE TEMP TABLE untagged_sessions AS
SELECT s.project_id, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000 AS day, s.error_count > 0 AS errored, s.turns,
       s.cost_unknown, s.cost_band, s.cost_pico, s.cost_high
FROM sessions s
WHERE NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id);

INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
SELECT project_id, 4, '', '', day, errored, turns, COUNT(*), SUM(cost_unknown = 0), SUM(cost_high + (cost_pico >> 32)), SUM(cost_pico & 4294967295)
FROM untagged_sessions GROUP BY project_id, day, errored, turns;

INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
SELECT project_id, 4, '', '', day, cost_band, COUNT(*)
FROM untagged_sessions WHERE cost_unknown = 0 GROUP BY project_id, day, cost_band;

INSERT INTO session_kind_costs (project_id, dim, key, kind, cost_band, day, cost_pico, sessions)
SELECT project_id, 4, '', '', cost_band, day, cost_pico, COUNT(*)
FROM untagged_sessions WHERE cost_unknown = 0 GROUP BY project_id, cost_band, day, cost_pico;

DROP TABLE untagged_sessions;
