-- A session's or a trace's cost without a bound (issue 12). A row held its cost in one 64-bit cost_pico that stopped at
-- $9,223,372.03, so ten $1,000,000 calls in one session showed the cap. The cost is now cost_high * 2^32 + cost_pico:
-- cost_high is 0 below the bound (cost_pico is then the whole cost, as before, and nothing is rewritten), and above it
-- cost_high holds cost >> 32 and cost_pico the lower 32 bits. Sums read both (ExactSum.OfRow); the rollups kept by
-- triggers add only cost_pico, so their fast paths do not answer for a project with such a row (OverBound).
ALTER TABLE sessions ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traces ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;

-- The cost sort key: the cost below the bound, the bound above it (such sessions sort last ascending, among themselves
-- by session id). VIRTUAL like cost_unknown (072), so the keyset cursor's row-value comparison seeks in the index.
ALTER TABLE sessions ADD COLUMN cost_sort INTEGER GENERATED ALWAYS AS (CASE WHEN cost_high = 0 THEN cost_pico ELSE 9223372036854775807 END) VIRTUAL;
DROP INDEX sessions_by_cost;
CREATE INDEX sessions_by_cost ON sessions(project_id, cost_unknown, cost_sort, session_id, started_ms, error_count, turns);

-- The few sessions above the bound, found without a scan.
CREATE INDEX sessions_over_bound ON sessions(project_id) WHERE cost_high <> 0;
