-- The breakdown groups (by tag, by metadata value, by user) could not tell a group whose sessions were all unpriced from a
-- free one: the rollups of migrations 050 and 071 keep the sum of cost_pico, where an unpriced call adds 0, and no count of
-- unpriced sessions. Each rollup row now also counts its sessions with an unknown cost (sessions.cost_unknown, migration
-- 072: no call of the session priced), beside and exactly like the other sums: +1/-1 with the pair or the session row,
-- the difference when a session changes in place (a late priced call, a re-send, a replacement, retention's rebuild).
-- A group's cost is unknown when unpriced_sessions = sessions.
--
-- The triggers are those of 050 and 071 with the one column added (so each stays one statement per table); the rows are
-- rebuilt from the current sessions, before the triggers exist, so nothing counts twice.

DROP TRIGGER session_rollups_on_insert;
DROP TRIGGER session_rollups_on_delete;
DROP TRIGGER session_rollups_on_update_in_hour;
DROP TRIGGER session_rollups_on_update_across_hours;
DROP TRIGGER session_metadata_rollups_on_insert;
DROP TRIGGER session_metadata_rollups_on_delete;
DROP TRIGGER session_tags_rollups_on_insert;
DROP TRIGGER session_tags_rollups_on_delete;
-- IF EXISTS: GroupRollupTests re-applies this migration over a database whose user triggers it dropped.
DROP TRIGGER IF EXISTS user_totals_on_insert;
DROP TRIGGER IF EXISTS user_totals_on_update;
DROP TRIGGER IF EXISTS user_totals_on_delete;

ALTER TABLE sessions_hourly ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_metadata_hourly ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_metadata_keys_hourly ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_tags_hourly ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_tagged_hourly ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_session_totals ADD COLUMN unpriced_sessions INTEGER NOT NULL DEFAULT 0;

-- Backfill: every row again from the current sessions, in one grouping pass per table (the backfills of 050 and 071 with
-- the one column added).
DELETE FROM sessions_hourly;
INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h, COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM sessions s GROUP BY s.project_id, h;

DELETE FROM session_metadata_hourly;
INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT m.project_id, m.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h, m.value,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM session_metadata m JOIN sessions s ON s.project_id = m.project_id AND s.session_id = m.session_id
GROUP BY m.project_id, m.key, h, m.value;

DELETE FROM session_metadata_keys_hourly;
INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT k.project_id, k.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM (SELECT DISTINCT project_id, session_id, key FROM session_metadata) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
GROUP BY k.project_id, k.key, h;

DELETE FROM session_tags_hourly;
INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT t.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h, t.tag,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM session_tags t JOIN sessions s ON s.project_id = t.project_id AND s.session_id = t.session_id
GROUP BY t.project_id, h, t.tag;

DELETE FROM session_tagged_hourly;
INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens), SUM(s.cost_unknown)
FROM sessions s
WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id)
GROUP BY s.project_id, h;

DELETE FROM user_session_totals;
INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions)
SELECT project_id, user_id IS NOT NULL, coalesce(user_id, ''), COUNT(*), SUM(cost_pico >> 32), SUM(cost_pico & 4294967295),
       SUM(turns), SUM(total_tokens), SUM(cost_unknown)
FROM sessions GROUP BY 1, 2, 3;

CREATE TRIGGER session_rollups_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

-- A session row gone: its pairs with the tags/metadata still present go. The rebuilder deletes the session row first;
-- the delete triggers of its tags and metadata then find no session and change nothing.
CREATE TRIGGER session_rollups_on_delete AFTER DELETE ON sessions
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    VALUES (old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, m.value, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT DISTINCT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, t.tag, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    DELETE FROM sessions_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;
    DELETE FROM session_metadata_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND (key, value) IN (SELECT m.key, m.value FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_metadata_keys_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND key IN (SELECT m.key FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_tags_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND tag IN (SELECT t.tag FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id);
    DELETE FROM session_tagged_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;
END;

-- The span writer's upsert of a session that already exists, within the same hour: the sums move by the difference, the
-- session counts do not, so no row appears or disappears. Most updates are this one (a session gaining calls).
CREATE TRIGGER session_rollups_on_update_in_hour AFTER UPDATE OF project_id, session_id, started_ms, cost_pico, turns, total_tokens, unpriced_calls ON sessions
WHEN old.project_id = new.project_id AND old.session_id = new.session_id AND old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 = new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000
 AND (old.cost_pico <> new.cost_pico OR old.turns <> new.turns OR old.total_tokens <> new.total_tokens
      OR old.cost_unknown <> new.cost_unknown)
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens, new.cost_unknown - old.cost_unknown)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens, new.cost_unknown - old.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens, new.cost_unknown - old.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens, new.cost_unknown - old.cost_unknown
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens, new.cost_unknown - old.cost_unknown
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

-- An update that moves the session to another hour (an earlier span arrived late), or renames it (no code does today):
-- exactly the delete of the old row followed by the insert of the new one.
CREATE TRIGGER session_rollups_on_update_across_hours AFTER UPDATE OF project_id, session_id, started_ms, cost_pico, turns, total_tokens, unpriced_calls ON sessions
WHEN NOT (old.project_id = new.project_id AND old.session_id = new.session_id AND old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 = new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000)
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    VALUES (old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, m.value, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT DISTINCT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, t.tag, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens, -old.cost_unknown
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    DELETE FROM sessions_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;
    DELETE FROM session_metadata_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND (key, value) IN (SELECT m.key, m.value FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_metadata_keys_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND key IN (SELECT m.key FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_tags_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND tag IN (SELECT t.tag FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id);
    DELETE FROM session_tagged_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;

    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens, new.cost_unknown
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

-- A new (session, key, value) pairs with the session row if it exists. The session enters the key's "has a value" row
-- when this is its first value for the key (the new row is already visible here, so "no other value" means first).
CREATE TRIGGER session_metadata_rollups_on_insert AFTER INSERT ON session_metadata
BEGIN
    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, new.value, 1, s.cost_pico, s.turns, s.total_tokens, s.cost_unknown
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, new.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, 1, s.cost_pico, s.turns, s.total_tokens, s.cost_unknown
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_metadata m
                      WHERE m.project_id = new.project_id AND m.session_id = new.session_id AND m.key = new.key AND m.value <> new.value)
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

-- A (session, key, value) gone: its pair with the session row goes if the session still exists. The session leaves the
-- key's "has a value" row when that was its last value for the key.
CREATE TRIGGER session_metadata_rollups_on_delete AFTER DELETE ON session_metadata
BEGIN
    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, old.value, -1, -s.cost_pico, -s.turns, -s.total_tokens, -s.cost_unknown
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
    DELETE FROM session_metadata_hourly WHERE project_id = old.project_id AND key = old.key AND value = old.value AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, old.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, -1, -s.cost_pico, -s.turns, -s.total_tokens, -s.cost_unknown
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id AND m.key = old.key)
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
    DELETE FROM session_metadata_keys_hourly WHERE project_id = old.project_id AND key = old.key AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);
END;

-- Tags: the same as metadata, with "has at least one tag" in place of "has a value for the key".
CREATE TRIGGER session_tags_rollups_on_insert AFTER INSERT ON session_tags
BEGIN
    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, new.tag, 1, s.cost_pico, s.turns, s.total_tokens, s.cost_unknown
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT new.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, 1, s.cost_pico, s.turns, s.total_tokens, s.cost_unknown
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id AND t.tag <> new.tag)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

CREATE TRIGGER session_tags_rollups_on_delete AFTER DELETE ON session_tags
BEGIN
    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, old.tag, -1, -s.cost_pico, -s.turns, -s.total_tokens, -s.cost_unknown
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
    DELETE FROM session_tags_hourly WHERE project_id = old.project_id AND tag = old.tag AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens, unpriced_sessions)
    SELECT old.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, -1, -s.cost_pico, -s.turns, -s.total_tokens, -s.cost_unknown
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens,
        unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
    DELETE FROM session_tagged_hourly WHERE project_id = old.project_id AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);
END;

CREATE TRIGGER user_totals_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico >> 32, new.cost_pico & 4294967295, new.turns, new.total_tokens, new.cost_unknown)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens, unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

CREATE TRIGGER user_totals_on_update AFTER UPDATE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_high = cost_high - (old.cost_pico >> 32), cost_low = cost_low - (old.cost_pico & 4294967295),
        turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens, unpriced_sessions = unpriced_sessions - old.cost_unknown
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens, unpriced_sessions)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico >> 32, new.cost_pico & 4294967295, new.turns, new.total_tokens, new.cost_unknown)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens, unpriced_sessions = unpriced_sessions + excluded.unpriced_sessions;
END;

CREATE TRIGGER user_totals_on_delete AFTER DELETE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_high = cost_high - (old.cost_pico >> 32), cost_low = cost_low - (old.cost_pico & 4294967295),
        turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens, unpriced_sessions = unpriced_sessions - old.cost_unknown
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
END;
