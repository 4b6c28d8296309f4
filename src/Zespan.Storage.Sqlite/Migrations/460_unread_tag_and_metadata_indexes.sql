-- Two indexes no statement reads: session_metadata_by_key (project, key, value) and session_tags_by_tag (project, tag),
-- from the first schema. Every reader of session_metadata and session_tags goes by session (their primary keys: the
-- rebuild, the rollup deltas, the breakdowns' raw path), and breakdowns by tag or metadata value read the rollups.
-- Each entry carries the session's random id, so a group commit rewrote a page per new entry: session_metadata_by_key
-- was 2,848 of the 25,795 WAL pages of a commit of ~8,000 spans on a 1 M-span file, session_tags_by_tag 384
-- (docs/benchmarks.md, session 34). IndexUseTests now covers these tables, so an index nobody reads fails it.
DROP INDEX IF EXISTS session_metadata_by_key;
DROP INDEX IF EXISTS session_tags_by_tag;
