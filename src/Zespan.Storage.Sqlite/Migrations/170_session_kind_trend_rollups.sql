-- Session-grain trends per kind of conversation at a million sessions (issue 19): GET /api/v1/sessions/timeseries with
-- by=tag or by=metadata:<key>, daily or weekly, without reading every session of the range. The same two rollups as the
-- whole project's (session_rollup_hourly, 040; session_cost_bands_daily, 140), kept per kind and UTC day of start:
--   dim 0: a tag (key '');            dim 1: a value of a metadata key;
--   dim 2: "has a tag" (key '', kind ''); dim 3: "has the key" (kind ''),
-- so the sessions with no kind (no tag, or no value of the key) are the whole project's minus dim 2 or 3, exactly.
-- A session with two tags counts in both, as in the list's grouping. cost_high/cost_low hold the sum of each session's
-- cost (cost_high * 2^32 + cost_pico, migration 150) split as ExactSum does, so no sum can overflow.
--
-- Why triggers, when issue 15 moves rollups to the writer: a session's kinds and figures are changed by four writers
-- (the span writer's upserts and metadata trim, the aggregate rebuilder, retention through it) in a different order each
-- (a new session's row is written before its tags; a rebuild deletes the row before its tags); a trigger sees the old
-- and the new row in the same transaction whichever writer it is, like the 050/074/140 rollups it sits beside, and moves
-- with them when issue 15 replaces them by the writer's signed deltas. See KindTrendRollup.
CREATE TABLE session_kind_rollup_daily (
    project_id      INTEGER NOT NULL,
    dim             INTEGER NOT NULL,
    key             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    day             INTEGER NOT NULL,   -- started_ms floored to the UTC day
    errored         INTEGER NOT NULL,   -- error_count > 0
    turns           INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    priced_sessions INTEGER NOT NULL,   -- cost_unknown = 0
    cost_high       INTEGER NOT NULL,   -- sum of (cost_high + (cost_pico >> 32))
    cost_low        INTEGER NOT NULL,   -- sum of (cost_pico & 0xFFFFFFFF)
    PRIMARY KEY (project_id, dim, key, kind, day, errored, turns)
) WITHOUT ROWID;

CREATE TABLE session_kind_cost_bands_daily (
    project_id INTEGER NOT NULL,
    dim        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    day        INTEGER NOT NULL,
    cost_band  INTEGER NOT NULL,        -- sessions.cost_band (migration 140)
    sessions   INTEGER NOT NULL,        -- priced sessions
    PRIMARY KEY (project_id, dim, key, kind, day, cost_band)
) WITHOUT ROWID;

-- Backfill from the current sessions, before the triggers exist, so nothing counts twice.
INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.error_count > 0, s.turns,
       COUNT(*), SUM(s.cost_unknown = 0), SUM(s.cost_high + (s.cost_pico >> 32)), SUM(s.cost_pico & 4294967295)
FROM (SELECT project_id, session_id, 0 AS dim, '' AS key, tag AS kind FROM session_tags
      UNION ALL SELECT DISTINCT project_id, session_id, 2, '', '' FROM session_tags
      UNION ALL SELECT project_id, session_id, 1, key, value FROM session_metadata
      UNION ALL SELECT DISTINCT project_id, session_id, 3, key, '' FROM session_metadata) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_band, COUNT(*)
FROM (SELECT project_id, session_id, 0 AS dim, '' AS key, tag AS kind FROM session_tags
      UNION ALL SELECT DISTINCT project_id, session_id, 2, '', '' FROM session_tags
      UNION ALL SELECT project_id, session_id, 1, key, value FROM session_metadata
      UNION ALL SELECT DISTINCT project_id, session_id, 3, key, '' FROM session_metadata) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
WHERE s.cost_unknown = 0
GROUP BY 1, 2, 3, 4, 5, 6;


CREATE TRIGGER session_kind_rollups_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT new.project_id, k.dim, k.key, k.kind, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.error_count > 0, new.turns,
           1, (new.cost_unknown = 0), (new.cost_high + (new.cost_pico >> 32)), (new.cost_pico & 4294967295)
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id) k WHERE true
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT new.project_id, k.dim, k.key, k.kind, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.cost_band, 1
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id) k WHERE new.cost_unknown = 0 AND true
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

-- The rebuilder deletes the session row first: the delete triggers of its tags and metadata then find no session.
CREATE TRIGGER session_kind_rollups_on_delete AFTER DELETE ON sessions
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT old.project_id, k.dim, k.key, k.kind, old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000, old.error_count > 0, old.turns,
           -1, -(old.cost_unknown = 0), -(old.cost_high + (old.cost_pico >> 32)), -(old.cost_pico & 4294967295)
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id) k WHERE true
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT old.project_id, k.dim, k.key, k.kind, old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000, old.cost_band, -1
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id) k WHERE old.cost_unknown = 0 AND true
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

-- Only when a figure of the rollup changes (not for the idle-time columns SessionActivityRows updates).
CREATE TRIGGER session_kind_rollups_on_update AFTER UPDATE OF project_id, started_ms, error_count, turns, cost_pico, cost_high, unpriced_calls ON sessions
WHEN old.project_id <> new.project_id OR old.started_ms <> new.started_ms OR (old.error_count > 0) <> (new.error_count > 0)
  OR old.turns <> new.turns OR old.cost_pico <> new.cost_pico OR old.cost_high <> new.cost_high OR old.cost_unknown <> new.cost_unknown
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT old.project_id, k.dim, k.key, k.kind, old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000, old.error_count > 0, old.turns,
           -1, -(old.cost_unknown = 0), -(old.cost_high + (old.cost_pico >> 32)), -(old.cost_pico & 4294967295)
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id) k WHERE true
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT new.project_id, k.dim, k.key, k.kind, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.error_count > 0, new.turns,
           1, (new.cost_unknown = 0), (new.cost_high + (new.cost_pico >> 32)), (new.cost_pico & 4294967295)
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id) k WHERE true
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
END;

-- Bands move only when the day, the band or the pricedness changes (most span writes keep a session in its band).
CREATE TRIGGER session_kind_bands_on_update AFTER UPDATE OF project_id, started_ms, cost_pico, unpriced_calls, turns ON sessions
WHEN old.cost_unknown <> new.cost_unknown OR old.cost_band <> new.cost_band OR old.project_id <> new.project_id
  OR old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000 <> new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000
BEGIN
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT old.project_id, k.dim, k.key, k.kind, old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000, old.cost_band, -1
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id) k WHERE old.cost_unknown = 0 AND true
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT new.project_id, k.dim, k.key, k.kind, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.cost_band, 1
    FROM (SELECT 0 AS dim, '' AS key, tag AS kind FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT 2, '', '' WHERE EXISTS (SELECT 1 FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id)
          UNION ALL SELECT 1, key, value FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id
          UNION ALL SELECT DISTINCT 3, key, '' FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id) k WHERE new.cost_unknown = 0 AND true
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

-- A tag or metadata value joining or leaving a session that exists moves the session's figures into or out of that kind,
-- and into or out of "has a tag" / "has the key" when it is the first to join or the last to leave.
CREATE TRIGGER session_tags_kind_rollups_on_insert AFTER INSERT ON session_tags
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.error_count > 0, s.turns,
           1, (s.cost_unknown = 0), (s.cost_high + (s.cost_pico >> 32)), (s.cost_pico & 4294967295)
    FROM sessions s, (SELECT 0 AS dim, '' AS key, new.tag AS kind
          UNION ALL SELECT 2, '', '' WHERE (SELECT COUNT(*) FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id) = 1) k WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_band, 1
    FROM sessions s, (SELECT 0 AS dim, '' AS key, new.tag AS kind
          UNION ALL SELECT 2, '', '' WHERE (SELECT COUNT(*) FROM session_tags WHERE project_id = new.project_id AND session_id = new.session_id) = 1) k WHERE s.cost_unknown = 0 AND s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

CREATE TRIGGER session_tags_kind_rollups_on_delete AFTER DELETE ON session_tags
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.error_count > 0, s.turns,
           -1, -(s.cost_unknown = 0), -(s.cost_high + (s.cost_pico >> 32)), -(s.cost_pico & 4294967295)
    FROM sessions s, (SELECT 0 AS dim, '' AS key, old.tag AS kind
          UNION ALL SELECT 2, '', '' WHERE NOT EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)) k WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_band, -1
    FROM sessions s, (SELECT 0 AS dim, '' AS key, old.tag AS kind
          UNION ALL SELECT 2, '', '' WHERE NOT EXISTS (SELECT 1 FROM session_tags WHERE project_id = old.project_id AND session_id = old.session_id)) k WHERE s.cost_unknown = 0 AND s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

CREATE TRIGGER session_metadata_kind_rollups_on_insert AFTER INSERT ON session_metadata
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.error_count > 0, s.turns,
           1, (s.cost_unknown = 0), (s.cost_high + (s.cost_pico >> 32)), (s.cost_pico & 4294967295)
    FROM sessions s, (SELECT 1 AS dim, new.key AS key, new.value AS kind
          UNION ALL SELECT 3, new.key, '' WHERE (SELECT COUNT(*) FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id AND key = new.key) = 1) k WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_band, 1
    FROM sessions s, (SELECT 1 AS dim, new.key AS key, new.value AS kind
          UNION ALL SELECT 3, new.key, '' WHERE (SELECT COUNT(*) FROM session_metadata WHERE project_id = new.project_id AND session_id = new.session_id AND key = new.key) = 1) k WHERE s.cost_unknown = 0 AND s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

CREATE TRIGGER session_metadata_kind_rollups_on_delete AFTER DELETE ON session_metadata
BEGIN
    INSERT INTO session_kind_rollup_daily (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.error_count > 0, s.turns,
           -1, -(s.cost_unknown = 0), -(s.cost_high + (s.cost_pico >> 32)), -(s.cost_pico & 4294967295)
    FROM sessions s, (SELECT 1 AS dim, old.key AS key, old.value AS kind
          UNION ALL SELECT 3, old.key, '' WHERE NOT EXISTS (SELECT 1 FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id AND key = old.key)) k WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, dim, key, kind, day, errored, turns) DO UPDATE SET sessions = sessions + excluded.sessions,
        priced_sessions = priced_sessions + excluded.priced_sessions, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low;
    INSERT INTO session_kind_cost_bands_daily (project_id, dim, key, kind, day, cost_band, sessions)
    SELECT s.project_id, k.dim, k.key, k.kind, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_band, -1
    FROM sessions s, (SELECT 1 AS dim, old.key AS key, old.value AS kind
          UNION ALL SELECT 3, old.key, '' WHERE NOT EXISTS (SELECT 1 FROM session_metadata WHERE project_id = old.project_id AND session_id = old.session_id AND key = old.key)) k WHERE s.cost_unknown = 0 AND s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, dim, key, kind, day, cost_band) DO UPDATE SET sessions = sessions + excluded.sessions;
END;

