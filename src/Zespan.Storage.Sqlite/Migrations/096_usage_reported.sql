-- A call whose response carried no usage (a stream without include_usage, a proxy that strips it, an error) has
-- unknown token counts: the API returns null usage and pages say "unknown". The token columns stay NOT NULL and hold
-- 0 for such a call, the neutral element of the session and hourly sums, which count only calls that reported usage.
ALTER TABLE spans ADD COLUMN usage_reported INTEGER NOT NULL DEFAULT 1;

-- Spans stored before this column: a successful call without usage was stored unpriced (cost null, no cost source)
-- with zero tokens. No real call that reported usage has zero input and zero output tokens.
UPDATE spans SET usage_reported = 0
WHERE kind = 1 AND status = 0 AND input_tokens = 0 AND output_tokens = 0 AND cost_pico IS NULL AND cost_source = 0;
