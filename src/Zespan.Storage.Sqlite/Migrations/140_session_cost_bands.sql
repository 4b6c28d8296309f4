-- Session-grain trends at a million sessions (issue 19): the exact median and p95 of session cost per day or week
-- without reading every session of the range. Each priced session (cost_unknown = 0) falls in a cost band, a
-- non-decreasing step function of its cost: the cost itself below 100 picodollars, else 100 × its number of decimal
-- digits + its first two digits (123,456 -> 612), about 90 bands per decade, each 1–10 % wide.
-- session_cost_bands_daily counts the priced sessions per UTC day of start and band, so the k-th smallest cost of a
-- bucket lies in the band where the running count passes k; only that band's sessions of the bucket are then read,
-- through sessions_by_cost_band, and sorted (a few hundred, not the whole bucket). See DailyTrendRollup.
-- Triggers keep the counts in the same transaction as every insert, update and delete of a session row, whoever makes it.
ALTER TABLE sessions ADD COLUMN cost_band INTEGER GENERATED ALWAYS AS (
    CASE WHEN cost_pico < 100 THEN cost_pico
         ELSE length(cost_pico) * 100 + CAST(substr(cost_pico, 1, 2) AS INTEGER) END) VIRTUAL;

CREATE INDEX sessions_by_cost_band ON sessions(project_id, cost_unknown, cost_band, started_ms, cost_pico);

CREATE TABLE session_cost_bands_daily (
    project_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,   -- started_ms floored to the UTC day
    cost_band  INTEGER NOT NULL,
    sessions   INTEGER NOT NULL,   -- priced sessions (cost_unknown = 0); 0 once they all moved away
    PRIMARY KEY (project_id, day, cost_band)
) WITHOUT ROWID;

INSERT INTO session_cost_bands_daily (project_id, day, cost_band, sessions)
SELECT project_id, started_ms - ((started_ms % 86400000) + 86400000) % 86400000, cost_band, COUNT(*)
FROM sessions WHERE cost_unknown = 0 GROUP BY 1, 2, 3;

CREATE TRIGGER session_cost_bands_on_insert AFTER INSERT ON sessions WHEN new.cost_unknown = 0
BEGIN
    INSERT INTO session_cost_bands_daily (project_id, day, cost_band, sessions)
    VALUES (new.project_id, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.cost_band, 1)
    ON CONFLICT (project_id, day, cost_band) DO UPDATE SET sessions = sessions + 1;
END;

CREATE TRIGGER session_cost_bands_on_delete AFTER DELETE ON sessions WHEN old.cost_unknown = 0
BEGIN
    UPDATE session_cost_bands_daily SET sessions = sessions - 1
    WHERE project_id = old.project_id AND day = old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000
      AND cost_band = old.cost_band;
END;

-- Only when the session's day, band or pricedness changes (most span writes move a session within its band).
CREATE TRIGGER session_cost_bands_on_update AFTER UPDATE OF project_id, started_ms, cost_pico, unpriced_calls, turns ON sessions
WHEN old.cost_unknown <> new.cost_unknown OR old.cost_band <> new.cost_band OR old.project_id <> new.project_id
  OR old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000
     <> new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000
BEGIN
    UPDATE session_cost_bands_daily SET sessions = sessions - 1
    WHERE old.cost_unknown = 0 AND project_id = old.project_id
      AND day = old.started_ms - ((old.started_ms % 86400000) + 86400000) % 86400000 AND cost_band = old.cost_band;
    INSERT INTO session_cost_bands_daily (project_id, day, cost_band, sessions)
    SELECT new.project_id, new.started_ms - ((new.started_ms % 86400000) + 86400000) % 86400000, new.cost_band, 1
    WHERE new.cost_unknown = 0
    ON CONFLICT (project_id, day, cost_band) DO UPDATE SET sessions = sessions + 1;
END;
