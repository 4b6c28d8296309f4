-- The per-kind trend rollups (migration 170) keyed by start day first, as session_kind_costs since 440 and for the same
-- reason: keyed kind first, today's rows of each kind sat in a range of their own after that kind's older days, so a
-- group commit of live traffic rewrote a page or more per kind it touched (907 and 889 of a commit's 27,481 WAL pages on
-- a 1 M-span file, ~200 each on an empty one; docs/benchmarks.md, session 33). With the day first, a day's rows of every
-- kind are one range. The trend reader (KindTrendRollup.ReadDims) seeks one (day, dim, key) range per day of the
-- buckets (KindCostDays) instead of one (dim, key) range over the days.
CREATE TABLE session_kind_rollup_daily_by_day (
    project_id      INTEGER NOT NULL,
    dim             INTEGER NOT NULL,
    key             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    day             INTEGER NOT NULL,   -- started_ms floored to the UTC day
    errored         INTEGER NOT NULL,   -- error_count > 0
    turns           INTEGER NOT NULL,
    sessions        INTEGER NOT NULL,
    priced_sessions INTEGER NOT NULL,   -- cost_unknown = 0
    cost_high       INTEGER NOT NULL,   -- sum of (cost_high + (cost_pico >> 32))
    cost_low        INTEGER NOT NULL,   -- sum of (cost_pico & 0xFFFFFFFF)
    PRIMARY KEY (project_id, day, dim, key, kind, errored, turns)
) WITHOUT ROWID;

INSERT INTO session_kind_rollup_daily_by_day (project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low)
SELECT project_id, dim, key, kind, day, errored, turns, sessions, priced_sessions, cost_high, cost_low FROM session_kind_rollup_daily
ORDER BY project_id, day, dim, key, kind, errored, turns;

DROP TABLE session_kind_rollup_daily;
ALTER TABLE session_kind_rollup_daily_by_day RENAME TO session_kind_rollup_daily;

CREATE TABLE session_kind_cost_bands_daily_by_day (
    project_id INTEGER NOT NULL,
    dim        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    day        INTEGER NOT NULL,
    cost_band  INTEGER NOT NULL,        -- sessions.cost_band (migration 140)
    sessions   INTEGER NOT NULL,        -- priced sessions
    PRIMARY KEY (project_id, day, dim, key, kind, cost_band)
) WITHOUT ROWID;

INSERT INTO session_kind_cost_bands_daily_by_day (project_id, dim, key, kind, day, cost_band, sessions)
SELECT project_id, dim, key, kind, day, cost_band, sessions FROM session_kind_cost_bands_daily
ORDER BY project_id, day, dim, key, kind, cost_band;

DROP TABLE session_kind_cost_bands_daily;
ALTER TABLE session_kind_cost_bands_daily_by_day RENAME TO session_kind_cost_bands_daily;
