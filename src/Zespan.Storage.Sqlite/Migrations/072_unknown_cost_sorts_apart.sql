-- Sorting by cost put sessions none of whose calls was priced (stored cost 0) among the genuinely free ones. The sort key
-- is now (cost_unknown, cost_pico): an unknown cost sorts above every known one, so it comes last ascending and first
-- descending (as NULLs do in PostgreSQL), and one index serves both directions and the keyset cursor's seek.
-- A VIRTUAL generated column (computed, not stored: no table rewrite, nothing to backfill) so the cursor's row-value
-- comparison seeks in the index; an expression index does not (SQLite then scans the whole project's entries).
ALTER TABLE sessions ADD COLUMN cost_unknown INTEGER GENERATED ALWAYS AS (unpriced_calls = turns) VIRTUAL;

-- Same covering columns as migration 040, the key column inserted before the cost.
DROP INDEX sessions_by_cost;
CREATE INDEX sessions_by_cost ON sessions(project_id, cost_unknown, cost_pico, session_id, started_ms, error_count, turns);
