-- sessions_by_active carries every sort key's stored columns (issue 18: maxActiveMs=60000 sorted by cost took 1.2 s of
-- CPU at 1 M sessions). A page filtered by active time and sorted by another key walked that key's index, looking up
-- each session's active_ms; when the two are correlated (the short sessions are the cheap ones) the walk from the
-- expensive end passed nearly every session before finding a page. With these columns the page can instead be read
-- from the active-time range alone: the range's entries sorted (a top-N sort, no row read), then only the page's rows
-- looked up (SessionPageSource's keys-first read). The cost order's VIRTUAL columns (cost_unknown, cost_sort) never make
-- an index covering, so it holds the stored columns they are computed from (unpriced_calls, turns, cost_high,
-- cost_pico), and the read writes the sort key from those (SessionSql.Stored).
-- Cost of this migration: one index rebuilt (a sort of every session).
DROP INDEX sessions_by_active;
CREATE INDEX sessions_by_active ON sessions(project_id, active_ms, session_id, started_ms, error_count, turns,
    unpriced_calls, cost_high, cost_pico, duration_ms, total_tokens, idle_gaps);
