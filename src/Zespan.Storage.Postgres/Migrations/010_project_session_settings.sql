-- A project's session settings (issue 18). Absent row = the defaults (idle gap threshold 5 minutes).
CREATE TABLE project_session_settings (
    project_id  bigint PRIMARY KEY REFERENCES projects(id),
    idle_gap_ms bigint NOT NULL
);
