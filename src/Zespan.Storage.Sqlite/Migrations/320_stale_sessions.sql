-- Long sessions marked stale by a committed write whose rebuild runs outside the single writer
-- (DeferredSessionRebuilds): the row is written by a second, short transaction that also removes the marker.
-- A crash between the two leaves the marker, and start-up rebuilds every marked session. Empty at rest.
CREATE TABLE stale_sessions (
    project_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    PRIMARY KEY (project_id, session_id)
) WITHOUT ROWID;
