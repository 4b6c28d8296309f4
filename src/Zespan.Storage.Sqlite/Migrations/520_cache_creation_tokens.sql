-- Tokens written to the provider's prompt cache (usage.cacheCreationInputTokens; OTLP gen_ai.usage.cache_creation.input_tokens),
-- part of input_tokens like cached_input_tokens, and each project's price for them (null: plain input, as before). Before
-- this migration such tokens were priced as plain input; spans stored then keep the cost they were given (0 here: the
-- count was not kept). ADD COLUMN with a constant default rewrites no row, so the upgrade of a large file is instant.
ALTER TABLE spans ADD COLUMN cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE project_prices ADD COLUMN cache_creation_input_per_m TEXT;
