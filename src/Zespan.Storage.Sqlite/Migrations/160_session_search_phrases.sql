-- q= counted and paged through the search index alone (issue 18's 50 ms target at 1 M sessions). Migration 100's index
-- (detail=none, folded case) could only narrow the candidates: every candidate's document row was read and LIKE-tested,
-- and the project was checked per candidate, so a common name word (8 % of sessions) cost a row read per match.
-- Now the index decides by itself:
-- * positions (detail=full): the text is a phrase of its trigrams, which matches exactly where the text is a substring;
-- * the indexed text is lower()'d (SQLite's lower folds A-Z only, without ICU) and the tokenizer keeps case
--   (case_sensitive 1): matching lower(text) against it is exactly LIKE's ASCII-only case folding — the folded index of
--   100 also folded É/é and the Kelvin sign to k, which LIKE does not;
-- * the document id carries the project (project_id * 2^40 + n): a project's documents are one rowid range, which FTS5
--   applies while reading the index, so no document row is read to keep other projects' sessions out.
-- SessionSearch counts with COUNT(*) over the index and reads session_search_docs only to name the sessions it returns.
DROP TRIGGER sessions_search_insert;
DROP TRIGGER sessions_search_rename;
DROP TRIGGER sessions_search_delete;
DROP TABLE session_search;
DROP TABLE session_search_docs;

CREATE TABLE session_search_docs (
    id         INTEGER PRIMARY KEY, -- project_id * 1099511627776 + n, n >= 1
    project_id INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    UNIQUE (project_id, session_id)
);
CREATE VIRTUAL TABLE session_search USING fts5(session_id, name, content='', contentless_delete=1, detail='full', tokenize='trigram case_sensitive 1');

INSERT INTO session_search_docs (id, project_id, session_id)
SELECT project_id * 1099511627776 + ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY session_id), project_id, session_id FROM sessions;
INSERT INTO session_search (rowid, session_id, name)
SELECT d.id, lower(s.session_id), lower(s.name) FROM session_search_docs d JOIN sessions s ON s.project_id = d.project_id AND s.session_id = d.session_id;

CREATE TRIGGER sessions_search_insert AFTER INSERT ON sessions BEGIN
    INSERT INTO session_search_docs (id, project_id, session_id)
    VALUES ((SELECT coalesce(max(id), new.project_id * 1099511627776) + 1 FROM session_search_docs
             WHERE id > new.project_id * 1099511627776 AND id < (new.project_id + 1) * 1099511627776),
            new.project_id, new.session_id);
    INSERT INTO session_search (rowid, session_id, name) VALUES (last_insert_rowid(), lower(new.session_id), lower(new.name));
END;
CREATE TRIGGER sessions_search_rename AFTER UPDATE OF name ON sessions WHEN old.name IS NOT new.name BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id);
    INSERT INTO session_search (rowid, session_id, name)
    SELECT id, lower(new.session_id), lower(new.name) FROM session_search_docs WHERE project_id = new.project_id AND session_id = new.session_id;
END;
CREATE TRIGGER sessions_search_delete AFTER DELETE ON sessions BEGIN
    DELETE FROM session_search WHERE rowid = (SELECT id FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id);
    DELETE FROM session_search_docs WHERE project_id = old.project_id AND session_id = old.session_id;
END;
