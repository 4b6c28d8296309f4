-- Usage reported, session names and the idle gap threshold (issue 18 on ClickHouse). Sessions stay computed at read time:
-- active time and idle gaps from each session's calls under the project's threshold (ClickHouseSql.Activity), the name
-- from the earliest call's explicit name, else the earliest call's first user message, which the writer extracts with
-- Zespan.Core.Sessions.SessionNames when it writes the span (user_text), so no read parses JSON.
ALTER TABLE ${db}.${local:spans} ${on_cluster}
    ADD COLUMN usage_reported UInt8 DEFAULT 1,
    ADD COLUMN session_name String DEFAULT '',
    ADD COLUMN has_session_name UInt8 DEFAULT 0,
    ADD COLUMN user_text String DEFAULT '',
    ADD COLUMN has_user_text UInt8 DEFAULT 0;

-- The Distributed table is made again over the new columns: 18.16 refuses ALTER … ON CLUSTER on a table that is not
-- replicated when the cluster's shards are (internal_replication), and a Distributed table holds no rows of its own
-- (inserts are synchronous). Servers still on the previous version fail their inserts between the two statements.
${cluster_only}DROP TABLE IF EXISTS ${db}.spans ${on_cluster};

${distributed:spans:cityHash64(project_id, session_id)};

-- The idle gap threshold each project's sessions are read with (the data store's copy of the control plane's setting);
-- the newest version wins. Applying a new one needs no recomputation: every read computes the figures.
CREATE TABLE IF NOT EXISTS ${db}.${local:session_idle_thresholds} ${on_cluster} (
    project_id Int64,
    idle_gap_ms Int64,
    version UInt64
) ENGINE = ${replacing:session_idle_thresholds:version}
ORDER BY project_id;

${distributed:session_idle_thresholds:cityHash64(project_id)};
