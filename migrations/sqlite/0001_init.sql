-- Logbook schema, SQLite. Times are microseconds since the Unix epoch (UTC).

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    -- Head of the tenant's hash chain, advanced in the same transaction as each append.
    head_seq    INTEGER NOT NULL DEFAULT 0,
    head_hash   TEXT    NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    prefix        TEXT    NOT NULL UNIQUE,
    secret_hash   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    revoked_at    INTEGER
);

CREATE TABLE events (
    id             TEXT    PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    seq            INTEGER NOT NULL,
    occurred_at    INTEGER NOT NULL,
    received_at    INTEGER NOT NULL,
    actor_id       TEXT    NOT NULL,
    actor_name     TEXT,
    actor_email    TEXT,
    actor_type     TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    event_type     TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    resource_type  TEXT,
    resource_id    TEXT,
    resource_name  TEXT,
    targets_json   TEXT,
    ip             TEXT,
    user_agent     TEXT,
    request_id     TEXT,
    before_json    TEXT,
    after_json     TEXT,
    description    TEXT    NOT NULL,
    metadata_json  TEXT,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    UNIQUE (tenant_id, seq)
);

-- Every index leads with the tenant (partners only ever read one tenant) and
-- ends with (occurred_at, id) so keyset pages are index range scans.
CREATE INDEX events_tenant_time     ON events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_action   ON events (tenant_id, action, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_resource ON events (tenant_id, resource_type, resource_id, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_actor    ON events (tenant_id, actor_id, occurred_at DESC, id DESC);
-- Staff read across tenants, newest first.
CREATE INDEX events_time            ON events (occurred_at DESC, id DESC);

-- Answers to requests sent with an Idempotency-Key, so retries store nothing twice.
CREATE TABLE ingest_receipts (
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    idempotency_key  TEXT    NOT NULL,
    request_hash     TEXT    NOT NULL,
    response         TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
