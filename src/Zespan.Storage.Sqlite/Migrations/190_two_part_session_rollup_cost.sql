-- The hourly session rollups' cost in two parts (issue 12). Each row (an hour; an hour of a tag, a metadata key or value)
-- held the sum of its sessions' cost in one 64-bit cost_pico, so sessions each below $9,223,372.03 that added up past it
-- in one hour (ten $1,000,000 sessions) overflowed: SQLite turned the sum into a REAL, read back clamped. A row's cost is
-- now cost_high * 2^32 + cost_pico, as the session rows' (migration 150): the writer adds each delta with
-- ExactSum.AddRowSql, readers sum the parts apart (ExactSum.OfRow). A row below the bound keeps cost_high = 0 and is not
-- rewritten; the projects where a row already overflowed have their rows recomputed from the session rows.
ALTER TABLE session_rollup_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_tagged_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_tags_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_metadata_keys_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_metadata_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE overflowed_rollup_projects AS
SELECT project_id FROM session_rollup_hourly WHERE typeof(cost_pico) <> 'integer'
UNION SELECT project_id FROM sessions_hourly WHERE typeof(cost_pico) <> 'integer'
UNION SELECT project_id FROM session_tagged_hourly WHERE typeof(cost_pico) <> 'integer'
UNION SELECT project_id FROM session_tags_hourly WHERE typeof(cost_pico) <> 'integer'
UNION SELECT project_id FROM session_metadata_keys_hourly WHERE typeof(cost_pico) <> 'integer'
UNION SELECT project_id FROM session_metadata_hourly WHERE typeof(cost_pico) <> 'integer';
DELETE FROM session_rollup_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
DELETE FROM sessions_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
DELETE FROM session_tagged_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
DELETE FROM session_tags_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
DELETE FROM session_metadata_keys_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
DELETE FROM session_metadata_hourly WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects);
INSERT INTO session_rollup_hourly (project_id, hour, errored, turns, sessions, priced_sessions, cost_high, cost_pico, unpriced_calls)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, s.error_count > 0, s.turns, COUNT(*), SUM(s.unpriced_calls < s.turns), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.unpriced_calls)
FROM sessions s WHERE s.project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects) GROUP BY 1, 2, 3, 4;
INSERT INTO sessions_hourly (project_id, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, COUNT(*), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown) FROM sessions s WHERE s.project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects) GROUP BY 1, 2;
INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, COUNT(*), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown) FROM sessions s
WHERE s.project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects) AND EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id) GROUP BY 1, 2;
INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT t.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, t.tag, COUNT(*), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM session_tags t JOIN sessions s ON s.project_id = t.project_id AND s.session_id = t.session_id WHERE t.project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects) GROUP BY 1, 2, 3;
INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT k.project_id, k.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, COUNT(*), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM (SELECT DISTINCT project_id, session_id, key FROM session_metadata WHERE project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects)) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id GROUP BY 1, 2, 3;
INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_high, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT m.project_id, m.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, m.value, COUNT(*), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM session_metadata m JOIN sessions s ON s.project_id = m.project_id AND s.session_id = m.session_id WHERE m.project_id IN (SELECT project_id FROM temp.overflowed_rollup_projects) GROUP BY 1, 2, 3, 4;
DROP TABLE temp.overflowed_rollup_projects;
