-- The guard's durable queue (141) is filled by the writer from now on, in the same flush and transaction as the session
-- rollups (SessionRollupDeltas, 180 and 181): every session row a write inserts or changes (writer upsert, rebuild,
-- retention) is queued with INSERT OR REPLACE, which gives it a new "touch" as the triggers' delete-and-insert did.
-- A session row changed by hand in SQL is no longer queued.
DROP TRIGGER IF EXISTS guard_pending_on_insert;
DROP TRIGGER IF EXISTS guard_pending_on_update;
