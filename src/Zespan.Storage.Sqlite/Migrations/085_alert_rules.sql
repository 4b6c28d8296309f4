-- The runaway guard (docs/alerts.md): per-project rules, the firings that must never repeat, and the webhook outbox.
-- Deliveries live in the database, not in memory, so a restart resumes them; the unique (rule, subject) of a firing is
-- what keeps a re-sent span, a restart or a second process from firing a rule twice.
CREATE TABLE alert_rules (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,          -- session_cost | session_turns | user_cost | session_anomalous
    threshold    INTEGER,                -- picodollars for cost kinds, turns for session_turns
    window_ms    INTEGER,                -- user_cost only: 86400000 (24 h) or 2592000000 (30 days)
    webhook_url  TEXT NOT NULL,
    secret       TEXT NOT NULL,          -- the HMAC key; kept as is because signing needs it, shown to the user once
    created_ms   INTEGER NOT NULL
);
CREATE INDEX alert_rules_by_project ON alert_rules(project_id, id);

CREATE TABLE alert_firings (
    id           INTEGER PRIMARY KEY,
    rule_id      INTEGER NOT NULL REFERENCES alert_rules(id),
    project_id   INTEGER NOT NULL,
    subject_key  TEXT NOT NULL,          -- "session:<id>" or "user:<id>#<n>" (the n-th window in which the user crossed)
    session_id   TEXT,
    user_id      TEXT,
    figure       TEXT NOT NULL,          -- the figure that crossed, as sent ("$5.20", "201 turns")
    fired_ms     INTEGER NOT NULL,
    UNIQUE (rule_id, subject_key)
);
CREATE INDEX alert_firings_by_session ON alert_firings(project_id, session_id);
CREATE INDEX alert_firings_by_user ON alert_firings(rule_id, user_id, fired_ms);

CREATE TABLE alert_deliveries (
    id               INTEGER PRIMARY KEY,
    firing_id        INTEGER NOT NULL REFERENCES alert_firings(id),
    rule_id          INTEGER NOT NULL,
    project_id       INTEGER NOT NULL,
    event_id         TEXT NOT NULL UNIQUE,
    body             TEXT NOT NULL,      -- the exact JSON every attempt sends and signs
    state            TEXT NOT NULL,      -- pending | delivered | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER,            -- due time while pending (pushed ahead while a server holds the claim)
    created_ms       INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_attempt_ms);
CREATE INDEX alert_deliveries_by_project ON alert_deliveries(project_id, id);

CREATE TABLE alert_delivery_attempts (
    delivery_id  INTEGER NOT NULL REFERENCES alert_deliveries(id),
    attempt      INTEGER NOT NULL,
    at_ms        INTEGER NOT NULL,
    status_code  INTEGER,                -- the webhook's answer; null when none came (see error)
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
