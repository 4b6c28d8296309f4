-- Hourly rollups for the breakdowns by metadata value and by tag. Why: the breakdown joined every session of the window to
-- its tags or metadata (one index probe per session: 4.4 s at 509 k sessions). These tables hold, per project and UTC hour
-- of the session's start, the count and sums of the sessions having each value, so whole hours of a window are read from a
-- few thousand rollup rows; SqliteSessionReader answers the partial hours at either end of the window exactly from the join.
--
-- Every figure is a sum over pairs (session, value) of the current tables, so each trigger below adds or removes exactly
-- the pairs that its one-row change creates or destroys. That keeps the rollups exact in any write order: the span writer
-- upserts a session then inserts its tags/metadata; the aggregate rebuilder deletes the session row, then its tags and
-- metadata, then inserts them again; retention goes through the rebuilder. A pair only counts while both the session row
-- and the tag/metadata row exist, so a trigger on one side looks the other side up and does nothing when it is missing.
-- Rows whose session count falls to zero are deleted, so the tables only hold hours and values that have sessions.
--
-- Hour: started_ms floored to the hour, x - ((x % 3600000) + 3600000) % 3600000 (a true floor, also below zero; SQLite's
-- % truncates toward zero). The NULL group of a breakdown (sessions with no value for the key, or no tag) is
-- sessions_hourly minus session_metadata_keys_hourly (or session_tagged_hourly): the "has at least one" tables count a
-- session once however many values it has, so the difference is exact. sessions_hourly repeats part of
-- session_rollup_hourly (040) because that one, keyed for the status and minTurns filters, holds no token sums.

CREATE TABLE sessions_hourly (
    project_id   INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    sessions     INTEGER NOT NULL,
    cost_pico    INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour)
) WITHOUT ROWID;

CREATE TABLE session_metadata_hourly (
    project_id   INTEGER NOT NULL,
    key          TEXT NOT NULL,
    hour         INTEGER NOT NULL,
    value        TEXT NOT NULL,
    sessions     INTEGER NOT NULL,
    cost_pico    INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    PRIMARY KEY (project_id, key, hour, value)
) WITHOUT ROWID;

-- Sessions having at least one value for the key.
CREATE TABLE session_metadata_keys_hourly (
    project_id   INTEGER NOT NULL,
    key          TEXT NOT NULL,
    hour         INTEGER NOT NULL,
    sessions     INTEGER NOT NULL,
    cost_pico    INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    PRIMARY KEY (project_id, key, hour)
) WITHOUT ROWID;

CREATE TABLE session_tags_hourly (
    project_id   INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    tag          TEXT NOT NULL,
    sessions     INTEGER NOT NULL,
    cost_pico    INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, tag)
) WITHOUT ROWID;

-- Sessions having at least one tag.
CREATE TABLE session_tagged_hourly (
    project_id   INTEGER NOT NULL,
    hour         INTEGER NOT NULL,
    sessions     INTEGER NOT NULL,
    cost_pico    INTEGER NOT NULL,
    turns        INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour)
) WITHOUT ROWID;

-- Backfill from the existing rows (before the triggers exist, so nothing counts twice).
INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000 AS h, COUNT(*), SUM(cost_pico), SUM(turns), SUM(total_tokens)
FROM sessions GROUP BY project_id, h;

INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
SELECT m.project_id, m.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h, m.value,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens)
FROM session_metadata m JOIN sessions s ON s.project_id = m.project_id AND s.session_id = m.session_id
GROUP BY m.project_id, m.key, h, m.value;

INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
SELECT k.project_id, k.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens)
FROM (SELECT DISTINCT project_id, session_id, key FROM session_metadata) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
GROUP BY k.project_id, k.key, h;

INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
SELECT t.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h, t.tag,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens)
FROM session_tags t JOIN sessions s ON s.project_id = t.project_id AND s.session_id = t.session_id
GROUP BY t.project_id, h, t.tag;

INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
SELECT s.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 AS h,
       COUNT(*), SUM(s.cost_pico), SUM(s.turns), SUM(s.total_tokens)
FROM sessions s
WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = s.project_id AND t.session_id = s.session_id)
GROUP BY s.project_id, h;

-- Every change below is an upsert adding (sessions, cost, turns, tokens) to the rows it touches: +1 and the session's
-- sums for pairs that appear, -1 and minus the sums for pairs that go, 0 and the differences for pairs whose session
-- changed in place. Rows brought to zero sessions are then deleted.

-- A new session row pairs with whatever tags/metadata of it already exist (none when the rebuilder re-inserts it: it
-- inserts those afterwards, and their own triggers then pair them with this row).
CREATE TRIGGER session_rollups_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

-- A session row gone: its pairs with the tags/metadata still present go. The rebuilder deletes the session row first;
-- the delete triggers of its tags and metadata then find no session and change nothing.
CREATE TRIGGER session_rollups_on_delete AFTER DELETE ON sessions
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    VALUES (old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, m.value, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT DISTINCT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, t.tag, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

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
CREATE TRIGGER session_rollups_on_update_in_hour AFTER UPDATE OF project_id, session_id, started_ms, cost_pico, turns, total_tokens ON sessions
WHEN old.project_id = new.project_id AND old.session_id = new.session_id AND old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 = new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000
 AND (old.cost_pico <> new.cost_pico OR old.turns <> new.turns OR old.total_tokens <> new.total_tokens)
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 0, new.cost_pico - old.cost_pico, new.turns - old.turns, new.total_tokens - old.total_tokens
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

-- An update that moves the session to another hour (an earlier span arrived late), or renames it (no code does today):
-- exactly the delete of the old row followed by the insert of the new one.
CREATE TRIGGER session_rollups_on_update_across_hours AFTER UPDATE OF project_id, session_id, started_ms, cost_pico, turns, total_tokens ON sessions
WHEN NOT (old.project_id = new.project_id AND old.session_id = new.session_id AND old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 = new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000)
BEGIN
    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    VALUES (old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, m.value, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT DISTINCT old.project_id, m.key, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, t.tag, -1, -old.cost_pico, -old.turns, -old.total_tokens
    FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000, -1, -old.cost_pico, -old.turns, -old.total_tokens
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    DELETE FROM sessions_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;
    DELETE FROM session_metadata_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND (key, value) IN (SELECT m.key, m.value FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_metadata_keys_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND key IN (SELECT m.key FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id);
    DELETE FROM session_tags_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0
      AND tag IN (SELECT t.tag FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id);
    DELETE FROM session_tagged_hourly WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000 AND sessions = 0;

    INSERT INTO sessions_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, m.value, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT DISTINCT new.project_id, m.key, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_metadata m WHERE m.project_id = new.project_id AND m.session_id = new.session_id
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, t.tag, 1, new.cost_pico, new.turns, new.total_tokens
    FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, 1, new.cost_pico, new.turns, new.total_tokens
    WHERE EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

-- A new (session, key, value) pairs with the session row if it exists. The session enters the key's "has a value" row
-- when this is its first value for the key (the new row is already visible here, so "no other value" means first).
CREATE TRIGGER session_metadata_rollups_on_insert AFTER INSERT ON session_metadata
BEGIN
    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, new.value, 1, s.cost_pico, s.turns, s.total_tokens
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, new.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, 1, s.cost_pico, s.turns, s.total_tokens
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_metadata m
                      WHERE m.project_id = new.project_id AND m.session_id = new.session_id AND m.key = new.key AND m.value <> new.value)
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

-- A (session, key, value) gone: its pair with the session row goes if the session still exists. The session leaves the
-- key's "has a value" row when that was its last value for the key.
CREATE TRIGGER session_metadata_rollups_on_delete AFTER DELETE ON session_metadata
BEGIN
    INSERT INTO session_metadata_hourly (project_id, key, hour, value, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, old.value, -1, -s.cost_pico, -s.turns, -s.total_tokens
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, key, hour, value) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
    DELETE FROM session_metadata_hourly WHERE project_id = old.project_id AND key = old.key AND value = old.value AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);

    INSERT INTO session_metadata_keys_hourly (project_id, key, hour, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, old.key, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, -1, -s.cost_pico, -s.turns, -s.total_tokens
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_metadata m WHERE m.project_id = old.project_id AND m.session_id = old.session_id AND m.key = old.key)
    ON CONFLICT (project_id, key, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
    DELETE FROM session_metadata_keys_hourly WHERE project_id = old.project_id AND key = old.key AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);
END;

-- Tags: the same as metadata, with "has at least one tag" in place of "has a value for the key".
CREATE TRIGGER session_tags_rollups_on_insert AFTER INSERT ON session_tags
BEGIN
    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, new.tag, 1, s.cost_pico, s.turns, s.total_tokens
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT new.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, 1, s.cost_pico, s.turns, s.total_tokens
    FROM sessions s WHERE s.project_id = new.project_id AND s.session_id = new.session_id
      AND NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = new.project_id AND t.session_id = new.session_id AND t.tag <> new.tag)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

CREATE TRIGGER session_tags_rollups_on_delete AFTER DELETE ON session_tags
BEGIN
    INSERT INTO session_tags_hourly (project_id, hour, tag, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, old.tag, -1, -s.cost_pico, -s.turns, -s.total_tokens
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
    ON CONFLICT (project_id, hour, tag) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
    DELETE FROM session_tags_hourly WHERE project_id = old.project_id AND tag = old.tag AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);

    INSERT INTO session_tagged_hourly (project_id, hour, sessions, cost_pico, turns, total_tokens)
    SELECT old.project_id, s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000, -1, -s.cost_pico, -s.turns, -s.total_tokens
    FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id
      AND NOT EXISTS (SELECT 1 FROM session_tags t WHERE t.project_id = old.project_id AND t.session_id = old.session_id)
    ON CONFLICT (project_id, hour) DO UPDATE SET sessions = sessions + excluded.sessions, cost_pico = cost_pico + excluded.cost_pico,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
    DELETE FROM session_tagged_hourly WHERE project_id = old.project_id AND sessions = 0
      AND hour = (SELECT s.started_ms - ((s.started_ms % 3600000) + 3600000) % 3600000 FROM sessions s WHERE s.project_id = old.project_id AND s.session_id = old.session_id);
END;
