-- Tokens written to the provider's prompt cache (usage.cacheCreationInputTokens; OTLP
-- gen_ai.usage.cache_creation.input_tokens), part of input_tokens like cached_input_tokens: the span detail shows them
-- and the writer prices them at the model's cache-write price. Rows written before have 0 (the count was not kept, and
-- their cost stays what it was). Only session_spans gets it: the spans table of before 003 is read by nothing.
ALTER TABLE ${db}.${local:session_spans} ${on_cluster}
    ADD COLUMN cache_creation_input_tokens Int64 DEFAULT 0;

-- The Distributed table is made again over the new column (see 002). Servers of earlier versions keep writing rows
-- without it, which take the default: stop them before the first server of this version starts, as for 007.
${cluster_only}DROP TABLE IF EXISTS ${db}.session_spans ${on_cluster};

${distributed:session_spans:cityHash64(project_id, session_id)}
