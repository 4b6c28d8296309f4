-- Exact session counts and sums per project, UTC hour of the session's start, error state and turn count.
-- Why: a filtered list's totalCount, the stats bar and the choice of index for a filtered page all need "how many
-- sessions match" — counting them walked up to a million index entries per request. Keyed by (errored, turns), every
-- status and minTurns filter is a range over this table (a few thousand rows for 30 days); the partial hours at either
-- end of a from/to range are counted exactly from sessions_by_started. Triggers keep it in the same transaction as every
-- insert, update and delete of a session row, whoever makes it (span writer, aggregate rebuilder, retention).
CREATE TABLE session_rollup_hourly (
    project_id      INTEGER NOT NULL,
    hour            INTEGER NOT NULL,   -- started_ms floored to the UTC hour
    errored         INTEGER NOT NULL,   -- error_count > 0
    turns           INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    priced_sessions INTEGER NOT NULL,   -- sessions with at least one priced call (unpriced_calls < turns)
    cost_pico       INTEGER NOT NULL,   -- sum over all sessions (an unpriced call adds nothing)
    unpriced_calls  INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, errored, turns)
) WITHOUT ROWID;

INSERT INTO session_rollup_hourly (project_id, hour, errored, turns, sessions, priced_sessions, cost_pico, unpriced_calls)
SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000, error_count > 0, turns,
       COUNT(*), SUM(unpriced_calls < turns), SUM(cost_pico), SUM(unpriced_calls)
FROM sessions GROUP BY 1, 2, 3, 4;

CREATE TRIGGER session_rollup_on_insert AFTER INSERT ON sessions
BEGIN
    INSERT INTO session_rollup_hourly (project_id, hour, errored, turns, sessions, priced_sessions, cost_pico, unpriced_calls)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, new.error_count > 0, new.turns,
            1, new.unpriced_calls < new.turns, new.cost_pico, new.unpriced_calls)
    ON CONFLICT (project_id, hour, errored, turns) DO UPDATE SET
        sessions = sessions + 1, priced_sessions = priced_sessions + excluded.priced_sessions,
        cost_pico = cost_pico + excluded.cost_pico, unpriced_calls = unpriced_calls + excluded.unpriced_calls;
END;

CREATE TRIGGER session_rollup_on_update AFTER UPDATE ON sessions
BEGIN
    UPDATE session_rollup_hourly SET
        sessions = sessions - 1, priced_sessions = priced_sessions - (old.unpriced_calls < old.turns),
        cost_pico = cost_pico - old.cost_pico, unpriced_calls = unpriced_calls - old.unpriced_calls
    WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000
      AND errored = (old.error_count > 0) AND turns = old.turns;
    INSERT INTO session_rollup_hourly (project_id, hour, errored, turns, sessions, priced_sessions, cost_pico, unpriced_calls)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 3600000) + 3600000) % 3600000, new.error_count > 0, new.turns,
            1, new.unpriced_calls < new.turns, new.cost_pico, new.unpriced_calls)
    ON CONFLICT (project_id, hour, errored, turns) DO UPDATE SET
        sessions = sessions + 1, priced_sessions = priced_sessions + excluded.priced_sessions,
        cost_pico = cost_pico + excluded.cost_pico, unpriced_calls = unpriced_calls + excluded.unpriced_calls;
END;

CREATE TRIGGER session_rollup_on_delete AFTER DELETE ON sessions
BEGIN
    UPDATE session_rollup_hourly SET
        sessions = sessions - 1, priced_sessions = priced_sessions - (old.unpriced_calls < old.turns),
        cost_pico = cost_pico - old.cost_pico, unpriced_calls = unpriced_calls - old.unpriced_calls
    WHERE project_id = old.project_id AND hour = old.started_ms - ((old.started_ms % 3600000) + 3600000) % 3600000
      AND errored = (old.error_count > 0) AND turns = old.turns;
END;

-- The sort indexes now carry the filter columns (start, errors, turns), so a page walked in sort order checks every
-- filter from the index and reads the table only for the rows it returns, and the exact median and p95 of cost are
-- found by counting along the cost index (see SessionCostPercentiles) instead of reading every session's cost.
-- Same leading keys and order as before.
DROP INDEX sessions_by_cost;
CREATE INDEX sessions_by_cost ON sessions(project_id, cost_pico, session_id, started_ms, error_count, turns);
DROP INDEX sessions_by_turns;
CREATE INDEX sessions_by_turns ON sessions(project_id, turns, session_id, started_ms, error_count);
DROP INDEX sessions_by_duration;
CREATE INDEX sessions_by_duration ON sessions(project_id, duration_ms, session_id, started_ms, error_count, turns);
DROP INDEX sessions_by_tokens;
CREATE INDEX sessions_by_tokens ON sessions(project_id, total_tokens, session_id, started_ms, error_count, turns);
DROP INDEX sessions_by_errors;
CREATE INDEX sessions_by_errors ON sessions(project_id, error_count, session_id, started_ms, turns);
