-- All-time session totals per user (and one row for sessions without a user), for the breakdown by user.
-- Why: grouping a month of sessions by user read every session's index entry (1M at target size) and grouped 200k users
-- per request. With these totals the breakdown over a range that holds most sessions is "totals minus the few sessions
-- outside the range" (see UserBreakdown); a narrow range still groups its own sessions directly.
-- has_user separates "no user" from a user whose id is the empty string; user_id is '' when has_user = 0.
CREATE TABLE user_session_totals (
    project_id    INTEGER NOT NULL,
    has_user      INTEGER NOT NULL,
    user_id       TEXT NOT NULL,
    sessions      INTEGER NOT NULL,
    cost_pico     INTEGER NOT NULL,
    turns         INTEGER NOT NULL,
    total_tokens  INTEGER NOT NULL,
    PRIMARY KEY (project_id, has_user, user_id)
) WITHOUT ROWID;

INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_pico, turns, total_tokens)
SELECT project_id, user_id IS NOT NULL, coalesce(user_id, ''), COUNT(*), SUM(cost_pico), SUM(turns), SUM(total_tokens)
FROM sessions GROUP BY 1, 2, 3;

CREATE TRIGGER user_totals_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_pico, turns, total_tokens)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico, new.turns, new.total_tokens)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_pico = cost_pico + excluded.cost_pico, turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

CREATE TRIGGER user_totals_on_update AFTER UPDATE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_pico = cost_pico - old.cost_pico, turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
    INSERT INTO user_session_totals (project_id, has_user, user_id, sessions, cost_pico, turns, total_tokens)
    VALUES (new.project_id, new.user_id IS NOT NULL, coalesce(new.user_id, ''), 1, new.cost_pico, new.turns, new.total_tokens)
    ON CONFLICT (project_id, has_user, user_id) DO UPDATE SET
        sessions = sessions + 1, cost_pico = cost_pico + excluded.cost_pico, turns = turns + excluded.turns, total_tokens = total_tokens + excluded.total_tokens;
END;

CREATE TRIGGER user_totals_on_delete AFTER DELETE ON sessions
BEGIN
    UPDATE user_session_totals SET
        sessions = sessions - 1, cost_pico = cost_pico - old.cost_pico, turns = turns - old.turns, total_tokens = total_tokens - old.total_tokens
    WHERE project_id = old.project_id AND has_user = (old.user_id IS NOT NULL) AND user_id = coalesce(old.user_id, '');
END;
