-- Active time stored, not computed (issue 18's 50 ms target at 1 M sessions). Migration 080 made active_ms a VIRTUAL
-- generated column: SQLite never counts through an index holding a virtual column as covering (its planner excludes
-- virtual columns from an index's covered columns), so counting minActiveMs=5 min read one table row per session in the
-- range (~430 k at 1 M sessions, 2.5–4.3 s of CPU). From now on the writer writes active_ms = duration_ms - idle_ms
-- wherever it writes either (SpanWriteStatements, SessionActivityRows, AggregateRebuilder), and sessions_by_active is
-- covering: a count is a walk of index entries only.
-- Cost of this migration: dropping a virtual column rewrites no row; adding a column with a constant default rewrites no
-- row; the UPDATE rewrites every session row once and the index is built again (a sort of every session): with 201,
-- 1.2 s of CPU (15 s wall at load 34) at 100 k sessions, so ~12 s of CPU at 1 M (docs/benchmarks.md, issue 18).
DROP INDEX sessions_by_active;
ALTER TABLE sessions DROP COLUMN active_ms;
ALTER TABLE sessions ADD COLUMN active_ms INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET active_ms = duration_ms - idle_ms;
-- The sort and filter index, carrying the filter columns as migrations 040 and 080 do.
CREATE INDEX sessions_by_active ON sessions(project_id, active_ms, session_id, started_ms, error_count, turns);
