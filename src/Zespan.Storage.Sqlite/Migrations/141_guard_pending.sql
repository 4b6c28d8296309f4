-- The runaway guard evaluates the sessions of committed spans on its own loop; a list kept only in memory is lost if the
-- process stops between the commit and the evaluation, and a crossing with it (issue 19). Every insert or change of a
-- session row now also records the session here, in the same transaction as the spans (triggers: no writer is involved),
-- and the guard deletes an entry only after evaluating it, so what a crash interrupts is evaluated at the next start.
-- "touch" grows with every change (AUTOINCREMENT never reuses a number): an entry touched again while being evaluated
-- gets a new number and stays for the next round.
CREATE TABLE guard_pending (
    touch      INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    UNIQUE (project_id, session_id)
);

CREATE TRIGGER guard_pending_on_insert AFTER INSERT ON sessions
BEGIN
    DELETE FROM guard_pending WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO guard_pending (project_id, session_id) VALUES (new.project_id, new.session_id);
END;

-- Only the figures a rule reads (cost, turns, tokens, errors, start, user): recomputing active time touches none of them.
CREATE TRIGGER guard_pending_on_update AFTER UPDATE OF started_ms, turns, cost_pico, unpriced_calls, total_tokens, error_count, user_id ON sessions
BEGIN
    DELETE FROM guard_pending WHERE project_id = new.project_id AND session_id = new.session_id;
    INSERT INTO guard_pending (project_id, session_id) VALUES (new.project_id, new.session_id);
END;
