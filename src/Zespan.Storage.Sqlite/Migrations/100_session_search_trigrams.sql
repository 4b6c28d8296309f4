-- q= (a substring of a session's name or id, issue 18) through a trigram index instead of a LIKE scan of every session
-- row. session_search holds the trigrams of each session's id and name (FTS5's trigram tokenizer, folded case, no
-- positions: detail=none), keyed by session_search_docs.id; SessionSearch asks it for the sessions having every
-- trigram of the text and keeps those whose name or id LIKE-matches the text, so the answer is exactly the LIKE
-- scan's (the index only narrows which rows are tested). Kept by triggers on sessions, as the counters of 030 are.
CREATE TABLE session_search_docs (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    name       TEXT,
    UNIQUE (project_id, session_id)
);
CREATE VIRTUAL TABLE session_search USING fts5(session_id, name, content='', contentless_delete=1, detail='none', tokenize='trigram');

INSERT INTO session_search_docs (project_id, session_id, name) SELECT project_id, session_id, name FROM sessions;
INSERT INTO session_search (rowid, session_id, name) SELECT id, session_id, name FROM session_search_docs;

CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_search_docs (project_id, session_id, name) VALUES (new.project_id, new.session_id, new.name);
    INSERT INTO session_search (rowid, session_id, name) VALUES (last_insert_rowid(), new.session_id, new.name);
END;
CREATE TRIGGER sessions_search_rename AFTER UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    UPDATE session_search_docs SET name = new.name WHERE project_id = new.project_id AND session_id = new.session_id;
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    INSERT INTO session_search (rowid, session_id, name)
    SELECT id, session_id, name FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;
CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id);
    DELETE FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id;
END;
