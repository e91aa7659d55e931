-- Alerts: rules over events, where to send what they match, and a durable
-- outbox filled in the same transaction as the events that matched.

-- Where notifications go. `tenant_id` NULL: a staff-wide destination.
CREATE TABLE alert_destinations (
    id                    INTEGER PRIMARY KEY,
    tenant_id             INTEGER REFERENCES tenants (id),
    name                  TEXT    NOT NULL,
    kind                  TEXT    NOT NULL,      -- email | slack | telegram | webhook
    target                TEXT    NOT NULL,      -- addresses, URL or chat id
    secret                TEXT,                  -- webhook signing secret or bot token
    created_at            INTEGER NOT NULL,
    created_by            INTEGER,
    -- Delivery health, shown on the Alerts page.
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    failing_since         INTEGER,
    last_error            TEXT,
    last_failure_at       INTEGER,
    last_success_at       INTEGER
);

-- A rule: conditions kept as the log URL's parameters (the same typed filter
-- as the table), an optional threshold in a window, or "logging stopped".
CREATE TABLE alert_rules (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER REFERENCES tenants (id),
    name          TEXT    NOT NULL,
    conditions    TEXT    NOT NULL DEFAULT '',
    threshold     INTEGER,
    window_secs   INTEGER,
    group_by      TEXT,                          -- actor | ip | tenant
    silence_secs  INTEGER,
    enabled       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    created_by    INTEGER,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE alert_rule_destinations (
    rule_id         INTEGER NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    destination_id  INTEGER NOT NULL REFERENCES alert_destinations (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, destination_id)
);

-- One row per time a rule fired; the unique key is what makes a rule fire
-- at most once per event (or per silent stretch, or per test).
CREATE TABLE alert_firings (
    id          INTEGER PRIMARY KEY,
    rule_id     INTEGER REFERENCES alert_rules (id) ON DELETE CASCADE,
    tenant_id   INTEGER,
    dedupe_key  TEXT    NOT NULL,
    event_id    TEXT,
    group_key   TEXT,
    matched     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    summary     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (rule_id, dedupe_key)
);
CREATE INDEX alert_firings_group ON alert_firings (rule_id, tenant_id, group_key, at);

-- One delivery per firing and destination, sent by the background worker.
CREATE TABLE alert_outbox (
    id               INTEGER PRIMARY KEY,
    firing_id        INTEGER NOT NULL REFERENCES alert_firings (id) ON DELETE CASCADE,
    destination_id   INTEGER NOT NULL REFERENCES alert_destinations (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_until    INTEGER,
    last_error       TEXT,
    sent_at          INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (firing_id, destination_id)
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
