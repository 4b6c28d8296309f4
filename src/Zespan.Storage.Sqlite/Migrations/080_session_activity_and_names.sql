-- Active time, idle gaps and a readable name per session (issue 18), kept by the writer like every other session figure.
-- idle_ms/idle_gaps follow Zespan.Core.Sessions.SessionActivity under the project's threshold (session_idle_thresholds,
-- 5 minutes when absent); last_start_ms (the latest call start) tells the writer whether a new call can be folded in
-- (it starts at or after every stored call) or the session must be recomputed from its spans (a late, earlier call).
ALTER TABLE sessions ADD COLUMN idle_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN idle_gaps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN last_start_ms INTEGER NOT NULL DEFAULT 0;
-- The name and the call it came from: explicit names (sessionName, metadata session.name) beat first user messages,
-- then the earliest call wins, identified by (start, span id) for exact ties, as the session's user is.
ALTER TABLE sessions ADD COLUMN name TEXT;
ALTER TABLE sessions ADD COLUMN name_explicit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN name_start_ms INTEGER;
ALTER TABLE sessions ADD COLUMN name_span_id TEXT;
-- Computed, not stored (as cost_unknown in 072): sorted and filtered through its own index.
ALTER TABLE sessions ADD COLUMN active_ms INTEGER GENERATED ALWAYS AS (duration_ms - idle_ms) VIRTUAL;

-- The explicit session name a span carried, so a rebuild finds it without parsing metadata.
ALTER TABLE spans ADD COLUMN session_name TEXT;

-- The threshold the session rows of a project are computed with (the data store's copy of the control plane's setting).
-- recompute_after is the last session id already recomputed under it while a change is being applied ('' = none yet),
-- NULL once every row is: a restart resumes an interrupted recomputation instead of leaving rows of the old threshold.
CREATE TABLE session_idle_thresholds (
    project_id      INTEGER PRIMARY KEY,
    idle_gap_ms     INTEGER NOT NULL,
    recompute_after TEXT
);

-- Existing sessions under the default threshold, by the same rule as SessionActivity: in (start, span id) order, the
-- covered time before a call ends at the largest end of the calls before it.
UPDATE sessions SET idle_ms = g.idle, idle_gaps = g.gaps, last_start_ms = g.last_start
FROM (SELECT project_id, session_id,
             coalesce(SUM(CASE WHEN start_ms - covered > 300000 THEN start_ms - covered ELSE 0 END), 0) AS idle,
             coalesce(SUM(CASE WHEN start_ms - covered > 300000 THEN 1 ELSE 0 END), 0) AS gaps,
             MAX(start_ms) AS last_start
      FROM (SELECT project_id, session_id, start_ms,
                   MAX(end_ms) OVER (PARTITION BY project_id, session_id ORDER BY start_ms, span_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered
            FROM spans WHERE kind = 1 AND session_id IS NOT NULL)
      GROUP BY project_id, session_id) AS g
WHERE sessions.project_id = g.project_id AND sessions.session_id = g.session_id;

-- Explicit names already sent as metadata (the earliest call's); names from first user messages come with the next write.
UPDATE sessions SET name = n.name, name_explicit = 1, name_start_ms = n.start_ms, name_span_id = n.span_id
FROM (SELECT project_id, session_id, substr(json_extract(metadata, '$."session.name"'), 1, 80) AS name, start_ms, span_id,
             ROW_NUMBER() OVER (PARTITION BY project_id, session_id ORDER BY start_ms, span_id) AS rank
      FROM spans WHERE kind = 1 AND session_id IS NOT NULL AND metadata IS NOT NULL
        AND json_valid(metadata) AND json_type(metadata, '$."session.name"') = 'text' AND trim(json_extract(metadata, '$."session.name"')) <> '') AS n
WHERE n.rank = 1 AND sessions.project_id = n.project_id AND sessions.session_id = n.session_id;
UPDATE spans SET session_name = substr(json_extract(metadata, '$."session.name"'), 1, 80)
WHERE metadata IS NOT NULL AND json_valid(metadata) AND json_type(metadata, '$."session.name"') = 'text' AND trim(json_extract(metadata, '$."session.name"')) <> '';

-- Sort indexes, carrying the filter columns as migration 040's do.
CREATE INDEX sessions_by_active ON sessions(project_id, active_ms, session_id, started_ms, error_count, turns);
CREATE INDEX sessions_by_idle_gaps ON sessions(project_id, idle_gaps, session_id, started_ms, error_count, turns);
