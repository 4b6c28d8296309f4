-- People who log into the web UI, and the organisations they belong to.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,          -- ASP.NET Core Identity's PasswordHasher (PBKDF2), never the password
    is_admin       INTEGER NOT NULL DEFAULT 0,
    created_ms     INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id          INTEGER NOT NULL REFERENCES users(id),
    organization_id  INTEGER NOT NULL REFERENCES organizations(id),
    role             TEXT NOT NULL,        -- owner | member | viewer
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX memberships_by_org ON memberships(organization_id);
