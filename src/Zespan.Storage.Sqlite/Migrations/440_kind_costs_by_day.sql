-- session_kind_costs (migration 195) keyed by start day first. Why: its rows were keyed kind first, so today's rows of
-- each kind and cost band sat in a range of their own between that kind's older days; a group commit of live traffic
-- (sessions started today, ~7 kinds each) rewrote one or more pages per (kind, band) it touched: 4,535 of the 31,161
-- WAL pages of a commit on a 1 M-span file, the largest share (ingest-stages --ids random --time live --profile,
-- docs/benchmarks.md, session 33), against ~800 on an empty file. With the day first, a day's rows of every kind are
-- one range, as on an empty file. Readers seek one (day, kind, band) range per day of a bucket (KindCostDays) instead
-- of one range over the bucket's days.
CREATE TABLE session_kind_costs_by_day (
    project_id INTEGER NOT NULL,
    dim        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    cost_band  INTEGER NOT NULL,        -- sessions.cost_band (migration 140)
    day        INTEGER NOT NULL,        -- started_ms floored to the UTC day
    cost_pico  INTEGER NOT NULL,        -- sessions.cost_pico
    sessions   INTEGER NOT NULL,        -- priced sessions of the kind with this band, day and cost
    PRIMARY KEY (project_id, day, dim, key, kind, cost_band, cost_pico)
) WITHOUT ROWID;

INSERT INTO session_kind_costs_by_day (project_id, dim, key, kind, cost_band, day, cost_pico, sessions)
SELECT project_id, dim, key, kind, cost_band, day, cost_pico, sessions FROM session_kind_costs
ORDER BY project_id, day, dim, key, kind, cost_band, cost_pico;

DROP TABLE session_kind_costs;
ALTER TABLE session_kind_costs_by_day RENAME TO session_kind_costs;
