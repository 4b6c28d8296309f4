-- LLM usage per project, UTC hour and model, replacing the daily rollup. Why: a range with arbitrary ms bounds had to
-- read up to two partial days of raw spans (most of a 30-day "cost by model" at 5 M spans); with hours, the raw edges are
-- at most two partial hours, and cost-over-time buckets of any whole number of hours come from the rollup too.
-- Additive like the daily table, so replacing or deleting a span subtracts exactly.
CREATE TABLE model_usage_hourly (
    project_id          INTEGER NOT NULL,
    hour                INTEGER NOT NULL,   -- Unix ms of the start of the span's UTC hour
    model               TEXT NOT NULL,      -- '' when the span named no model
    calls               INTEGER NOT NULL,
    cost_pico           INTEGER NOT NULL,
    unpriced_calls      INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    PRIMARY KEY (project_id, hour, model)
) WITHOUT ROWID;

-- Rebuilt from the spans themselves (one pass) rather than split from the daily rows, which cannot be split by hour.
-- The floor works for negative times too, matching HourRange.Floor in the writer.
INSERT INTO model_usage_hourly (project_id, hour, model, calls, cost_pico, unpriced_calls, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, errors)
SELECT project_id, start_ms - ((start_ms % 3600000) + 3600000) % 3600000, coalesce(model, ''),
       COUNT(*), SUM(coalesce(cost_pico, 0)), SUM(cost_pico IS NULL), SUM(input_tokens), SUM(output_tokens),
       SUM(cached_input_tokens), SUM(reasoning_tokens), SUM(status)
FROM spans WHERE kind = 1
GROUP BY 1, 2, 3;

-- Nothing reads the daily rows any more; keeping them would only cost a second upsert per write.
DROP TABLE IF EXISTS model_usage_daily;
