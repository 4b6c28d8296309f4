-- Prompt-cache writes per model and hour (cost by model shows them beside cached input), kept by the writer's signed
-- deltas like every other sum of model_usage_hourly. Rows written before have 0, which is exact: no span stored before
-- migration 520 has cache writes.
ALTER TABLE model_usage_hourly ADD COLUMN cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0;
