-- Alerts: rules over events, where to send what they match, and a durable
-- outbox filled in the same transaction as the events that matched.

-- Where notifications go. `tenant_id` NULL: a staff-wide destination.
CREATE TABLE alert_destinations (
    id                    BIGSERIAL PRIMARY KEY,
    tenant_id             BIGINT  REFERENCES tenants (id),
    name                  TEXT    NOT NULL,
    kind                  TEXT    NOT NULL,      -- email | slack | telegram | webhook
    target                TEXT    NOT NULL,      -- addresses, URL or chat id
    secret                TEXT,                  -- webhook signing secret or bot token
    created_at            BIGINT  NOT NULL,
    created_by            BIGINT,
    -- Delivery health, shown on the Alerts page.
    consecutive_failures  BIGINT  NOT NULL DEFAULT 0,
    failing_since         BIGINT,
    last_error            TEXT,
    last_failure_at       BIGINT,
    last_success_at       BIGINT
);

-- A rule: conditions kept as the log URL's parameters (the same typed filter
-- as the table), an optional threshold in a window, or "logging stopped".
CREATE TABLE alert_rules (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     BIGINT  REFERENCES tenants (id),
    name          TEXT    NOT NULL,
    conditions    TEXT    NOT NULL DEFAULT '',
    threshold     BIGINT,
    window_secs   BIGINT,
    group_by      TEXT,                          -- actor | ip | tenant
    silence_secs  BIGINT,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL,
    created_by    BIGINT,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE alert_rule_destinations (
    rule_id         BIGINT  NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    destination_id  BIGINT  NOT NULL REFERENCES alert_destinations (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, destination_id)
);

-- One row per time a rule fired; the unique key is what makes a rule fire
-- at most once per event (or per silent stretch, or per test).
CREATE TABLE alert_firings (
    id          BIGSERIAL PRIMARY KEY,
    rule_id     BIGINT  REFERENCES alert_rules (id) ON DELETE CASCADE,
    tenant_id   BIGINT,
    dedupe_key  TEXT    NOT NULL,
    event_id    TEXT,
    group_key   TEXT,
    matched     BIGINT  NOT NULL,
    at          BIGINT  NOT NULL,
    summary     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    UNIQUE (rule_id, dedupe_key)
);
CREATE INDEX alert_firings_group ON alert_firings (rule_id, tenant_id, group_key, at);

-- One delivery per firing and destination, sent by the background worker.
CREATE TABLE alert_outbox (
    id               BIGSERIAL PRIMARY KEY,
    firing_id        BIGINT  NOT NULL REFERENCES alert_firings (id) ON DELETE CASCADE,
    destination_id   BIGINT  NOT NULL REFERENCES alert_destinations (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts         BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT  NOT NULL,
    claimed_until    BIGINT,
    last_error       TEXT,
    sent_at          BIGINT,
    created_at       BIGINT  NOT NULL,
    UNIQUE (firing_id, destination_id)
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON alert_destinations, alert_rules,
            alert_rule_destinations, alert_firings, alert_outbox TO logbook_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO logbook_app;
    END IF;
END
$$;
