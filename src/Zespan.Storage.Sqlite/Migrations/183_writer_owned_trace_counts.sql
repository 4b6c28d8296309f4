-- The trace count per project (047) is kept by the writer from now on, in the same flush as the session rollups
-- (SessionRollupDeltas): a trace upsert that creates its row counts +1 (its RETURNING span_count equals the batch's, which
-- a stored trace, holding at least one span, never does) and a rebuild counts the rows it deletes and inserts.
DROP TRIGGER IF EXISTS traces_counted_on_insert;
DROP TRIGGER IF EXISTS traces_counted_on_delete;
