-- Each project's price for input tokens written to the provider's prompt cache (Anthropic bills them above plain
-- input); null: priced as plain input, as every price set before this migration.
ALTER TABLE project_prices ADD COLUMN cache_creation_input_per_m numeric;
