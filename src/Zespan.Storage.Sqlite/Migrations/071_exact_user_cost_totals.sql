-- All-time cost per user in two parts that cannot overflow. Why: user_session_totals (045) is the one aggregate row
-- that grows without bound in time (the "no user" row holds every such session of the project since it began), and a
-- 64-bit picodollar sum stops at $9,223,372.03, which a large customer passes. Each session's cost adds its upper bits
-- (cost >> 32) to cost_high and its lower 32 bits (cost & 0xFFFFFFFF) to cost_low; the total is
-- cost_high * 2^32 + cost_low, joined as a 128-bit integer by the reader (see ExactSum), exact to 2^31 sessions per row.
DROP TRIGGER user_totals_on_insert;
DROP TRIGGER user_totals_on_update;
DROP TRIGGER user_totals_on_delete;
DROP TABLE user_session_totals;

CREATE TABLE user_session_totals (
    project_id    INTEGER NOT NULL,
    has_user      INTEGER NOT NULL,
    user_id       TEXT NOT NULL,
    sessions      INTEGER NOT NULL,
    cost_high     INTEGER NOT NULL,
    cost_low      INTEGER NOT NULL,
    turns         INTEGER NOT NULL,
    total_tokens  INTEGER NOT NULL,
    PRIMARY KEY (project_id, has_user, user_id)
) WITHOUT ROWID;

INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens)
SELECT project_id, user_id IS NOT NULL, coalesce(user_id, ''), COUNT(*), SUM(cost_pico >> 32), SUM(cost_pico & 4294967295), SUM(turns), SUM(total_tokens)
FROM sessions GROUP BY 1, 2, 3;

CREATE TRIGGER user_totals_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico >> 32, new.cost_pico & 4294967295, new.turns, new.total_tokens)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

CREATE TRIGGER user_totals_on_update AFTER UPDATE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_high = cost_high - (old.cost_pico >> 32), cost_low = cost_low - (old.cost_pico & 4294967295),
        turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_high, cost_low, turns, total_tokens)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico >> 32, new.cost_pico & 4294967295, new.turns, new.total_tokens)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_high = cost_high + excluded.cost_high, cost_low = cost_low + excluded.cost_low,
        turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

CREATE TRIGGER user_totals_on_delete AFTER DELETE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_high = cost_high - (old.cost_pico >> 32), cost_low = cost_low - (old.cost_pico & 4294967295),
        turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
END;
