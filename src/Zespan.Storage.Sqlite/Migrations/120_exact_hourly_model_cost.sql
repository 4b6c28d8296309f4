-- One model's cost in one UTC hour in two parts, like user_session_totals (071). Why: a single hour of one model can pass
-- 2^63 picodollars ($9,223,372.03) — ten $1 M calls in one batch wrapped the writer's 64-bit delta to −$8.4 M. The writer
-- now sums each write's delta exactly (Int128) and adds its upper bits (delta >> 32) to cost_high and its lower 32 bits
-- (delta & 0xFFFFFFFF) to cost_low, carrying cost_low's overflow into cost_high, so cost_low stays in [0, 2^32) and the
-- hour's cost is cost_high * 2^32 + cost_low (read with ExactSum.Join), exact far past any real total.
ALTER TABLE model_usage_hourly RENAME COLUMN cost_pico TO cost_low;
ALTER TABLE model_usage_hourly ADD COLUMN cost_high INTEGER NOT NULL DEFAULT 0;
UPDATE model_usage_hourly SET cost_high = cost_low >> 32, cost_low = cost_low & 4294967295;
