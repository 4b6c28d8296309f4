-- The per-user totals (045, 071, 074) readable in cost order, so the breakdown by user reads its top rows from an index
-- instead of every user's row (issue 15: 214 ms wall / 223 ms CPU for 20 rows of 198,640 users at 1 M sessions, idle).
--
-- A row's cost was cost_high * 2^32 + cost_low with cost_low the plain sum of its sessions' lower 32 bits: exact, but
-- not ordered by any column. It is now kept normalized, as model_usage_hourly's (120): cost_low in [0, 2^32), its
-- overflow carried into cost_high, so cost_high = cost >> 32 and cost_low = cost & 0xFFFFFFFF, and (cost_high, cost_low)
-- compared as a pair orders rows exactly by cost, past 2^63 picodollars as below it. The writer adds its deltas with the
-- same carry (SessionRollupDeltas), the backfill writes the same form (SessionRollupBackfill). Rewriting a row this way
-- leaves its value unchanged: x = (x >> 32) * 2^32 + (x & 0xFFFFFFFF) for every 64-bit x.
--
-- The index is the breakdown's order (BreakdownOrder): after the project, "every session unpriced" (unpriced_sessions =
-- sessions, the group's cost unknown, listed after every known cost), the cost descending, then no user before any user
-- and user ids in BINARY order, which is code point order. So the first rows of a walk are the top users, and the walk
-- reads a row for the few users it keeps (UserBreakdown).
UPDATE user_session_totals SET cost_high = cost_high + (cost_low >> 32), cost_low = cost_low & 4294967295
WHERE cost_low NOT BETWEEN 0 AND 4294967295;

CREATE INDEX user_totals_by_cost ON user_session_totals (project_id, unpriced_sessions = sessions, cost_high DESC, cost_low DESC, has_user, user_id);
