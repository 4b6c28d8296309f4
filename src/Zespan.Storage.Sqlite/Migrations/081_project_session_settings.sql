-- Control plane: a project's session settings (issue 18). Absent row = the defaults (idle gap threshold 5 minutes).
CREATE TABLE project_session_settings (
    project_id  INTEGER PRIMARY KEY,
    idle_gap_ms INTEGER NOT NULL
);
