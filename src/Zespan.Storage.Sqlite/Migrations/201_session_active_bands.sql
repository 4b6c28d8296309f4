-- The exact totalCount of an active-time filter without walking the sessions in its range (issue 18's 50 ms target at
-- 1 M sessions: even through the covering index of 200, minActiveMs=5 min walks ~430 k index entries). Each session
-- counts once in the row of its start hour, error state and active-time band (ActiveTimeBands: 19 bands starting at
-- round durations). A count takes whole hours and whole bands from here, the part of a band the filter cuts from
-- sessions_by_active, and the partial hours at either end from the sessions (SessionActiveTimeCount).
-- Kept by the writer as signed deltas (SessionRollupDeltas, issue 15), like session_rollup_hourly: no trigger.
CREATE TABLE session_active_bands_hourly (
    project_id INTEGER NOT NULL,
    hour       INTEGER NOT NULL,   -- started_ms floored to the UTC hour
    errored    INTEGER NOT NULL,   -- error_count > 0
    band       INTEGER NOT NULL,   -- ActiveTimeBands.Of(active_ms)
    sessions   INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, errored, band)
) WITHOUT ROWID;

-- The band expression is ActiveTimeBands.Sql("active_ms") (ActiveTimeBandsTests checks this text).
INSERT INTO session_active_bands_hourly (project_id, hour, errored, band, sessions)
SELECT project_id, started_ms - ((started_ms % 3600000) + 3600000) % 3600000, error_count > 0,
       CASE WHEN active_ms < 1000 THEN 0 WHEN active_ms < 5000 THEN 1 WHEN active_ms < 10000 THEN 2 WHEN active_ms < 30000 THEN 3 WHEN active_ms < 60000 THEN 4 WHEN active_ms < 120000 THEN 5 WHEN active_ms < 300000 THEN 6 WHEN active_ms < 600000 THEN 7 WHEN active_ms < 900000 THEN 8 WHEN active_ms < 1200000 THEN 9 WHEN active_ms < 1800000 THEN 10 WHEN active_ms < 2700000 THEN 11 WHEN active_ms < 3600000 THEN 12 WHEN active_ms < 7200000 THEN 13 WHEN active_ms < 10800000 THEN 14 WHEN active_ms < 21600000 THEN 15 WHEN active_ms < 43200000 THEN 16 WHEN active_ms < 86400000 THEN 17 ELSE 18 END, COUNT(*)
FROM sessions GROUP BY 1, 2, 3, 4;
