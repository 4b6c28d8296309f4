-- A counter bumped by every change of a project's prices (web UI, API, another process), so a server's price cache
-- is read again at the next request, like the key cache with api_key_revocation_version.
CREATE TABLE project_price_version (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO project_price_version (id, version) VALUES (1, 0);

CREATE TRIGGER project_prices_inserted AFTER INSERT ON project_prices
BEGIN
    UPDATE project_price_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER project_prices_updated AFTER UPDATE ON project_prices
BEGIN
    UPDATE project_price_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER project_prices_deleted AFTER DELETE ON project_prices
BEGIN
    UPDATE project_price_version SET version = version + 1 WHERE id = 1;
END;

-- Named leases (retention runs under one), so work over the same data runs in one process at a time.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL
);

-- This file's identity: retention leases are per set of data, and every SQLite file is its own set.
CREATE TABLE store_identity (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    scope  TEXT NOT NULL
);
INSERT INTO store_identity (id, scope) VALUES (1, 'sqlite-' || lower(hex(randomblob(16))));
