-- A counter bumped by every API key revocation, whoever makes it (web UI, CLI, another process).
-- Servers cache resolved keys and compare this one-row counter on each request, so a revocation takes effect at once.
CREATE TABLE api_key_revocation_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO api_key_revocation_version (id, version) VALUES (1, 0);

CREATE TRIGGER api_keys_revoked AFTER UPDATE OF revoked_ms ON api_keys
WHEN OLD.revoked_ms IS NULL AND NEW.revoked_ms IS NOT NULL
BEGIN
    UPDATE api_key_revocation_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys
BEGIN
    UPDATE api_key_revocation_version SET version = version + 1 WHERE id = 1;
END;
