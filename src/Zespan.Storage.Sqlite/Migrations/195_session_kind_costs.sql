-- The exact median and p95 of session cost per kind of conversation (by=tag, by=metadata:<key>) without reading other
-- kinds' sessions (issue 19). KindTrendRollup finds the cost band holding a kind's k-th smallest cost from
-- session_kind_cost_bands_daily (170), then read every priced session of that band and bucket with its kind joined: a
-- day's band holds ~350 sessions of every kind at a million sessions, most of them other kinds', each joined to its tag
-- or metadata row, which was most of the 0.7 s the by= series took. This table holds each kind's priced costs
-- themselves, per band and UTC day of start, as counts of equal costs (same dims as 170: 0 a tag, 1 a metadata value,
-- 2 "has a tag", 3 "has the key"), keyed so that one kind's band of a bucket is one range of tens of rows, in cost order.
-- The sessions with no kind are the whole project's band (sessions_by_cost_band, no join) minus the "has" dim's rows.
--
-- Kept by the writer (SessionRollupDeltas: each session row and its pairs, read before and after a write, subtracted
-- and added as signed counts summed per row once per transaction; a row left at 0 sessions is deleted), like the group
-- rollups of 181, not by triggers. Only the cost_band column of the sessions row is read (migration 140's rule).
CREATE TABLE session_kind_costs (
    project_id INTEGER NOT NULL,
    dim        INTEGER NOT NULL,
    key        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    cost_band  INTEGER NOT NULL,        -- sessions.cost_band (migration 140)
    day        INTEGER NOT NULL,        -- started_ms floored to the UTC day
    cost_pico  INTEGER NOT NULL,        -- sessions.cost_pico
    sessions   INTEGER NOT NULL,        -- priced sessions of the kind with this band, day and cost
    PRIMARY KEY (project_id, dim, key, kind, cost_band, day, cost_pico)
) WITHOUT ROWID;

INSERT INTO session_kind_costs (project_id, dim, key, kind, cost_band, day, cost_pico, sessions)
SELECT s.project_id, k.dim, k.key, k.kind, s.cost_band, s.started_ms - ((s.started_ms % 86400000) + 86400000) % 86400000, s.cost_pico, COUNT(*)
FROM (SELECT project_id, session_id, 0 AS dim, '' AS key, tag AS kind FROM session_tags
      UNION ALL SELECT DISTINCT project_id, session_id, 2, '', '' FROM session_tags
      UNION ALL SELECT project_id, session_id, 1, key, value FROM session_metadata
      UNION ALL SELECT DISTINCT project_id, session_id, 3, key, '' FROM session_metadata) k
JOIN sessions s ON s.project_id = k.project_id AND s.session_id = k.session_id
WHERE s.cost_unknown = 0
GROUP BY 1, 2, 3, 4, 5, 6, 7;
