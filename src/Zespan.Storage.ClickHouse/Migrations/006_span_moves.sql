-- The spans a re-send moved between sessions, listed under each session they have had a version in ('' for none),
-- sorted and sharded by session like session_spans. A span's rows in one session hold its newest version unless it
-- also has a version elsewhere; only such spans need the check against span_sessions, which is found by span id — and
-- with random ids (as SDKs send them) a set of span ids lands in every granule of span_sessions, so checking every span
-- of a session read about the whole table at each recompute and each detail (docs/benchmarks.md). Moves are rare, so
-- this table is small. The writer fills it when its lookup of a batch's span ids finds a span in two sessions
-- (SessionRowKeeper); a superset is harmless, a missing pair is not.
CREATE TABLE IF NOT EXISTS ${db}.${local:span_moves} ${on_cluster} (
    project_id Int64,
    session_id String,
    span_id String,
    version UInt64
) ENGINE = ${replacing:span_moves:version}
ORDER BY (project_id, session_id, span_id);

${distributed:span_moves:cityHash64(project_id, session_id)};

-- The moves written before: every span with versions in two sessions or more. Servers of earlier versions do not fill
-- the table: stop them before the first server of this version starts, as for 004 and 005.
INSERT INTO ${db}.span_moves
SELECT project_id, m_session, span_id, 0 FROM (
    SELECT project_id, span_id, groupUniqArray(session_id) AS m_sessions
    FROM ${db}.span_sessions
    GROUP BY project_id, span_id
    HAVING length(m_sessions) > 1
) ARRAY JOIN m_sessions AS m_session
