-- The traces of a user in start order, for the traces list filtered by a user. Why: that filter walked every trace of
-- the project newest first and read each row's user until it had a page, and its count read them all: 150 ms on a
-- 1 M-span file, so ~2 s at 10 M (docs/benchmarks.md, session 35). A trace's user is that of its earliest span with one
-- (TraceFigures), kept in the row by the writer's upsert and rebuild, so SQLite keeps this index with the row. A user's
-- new traces start after the stored ones, so a commit writes about one leaf per user it saw, not one per trace. Ties on
-- the millisecond are ordered by the trace id read from the row (SqliteTraceReader), as with trace_models (480).
CREATE INDEX traces_by_user ON traces(project_id, user_id, started_ms) WHERE user_id IS NOT NULL;
