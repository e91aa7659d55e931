-- Logbook schema, PostgreSQL. Times are microseconds since the Unix epoch (UTC),
-- as in SQLite, so both backends run the same SQL.

CREATE TABLE tenants (
    id          BIGSERIAL PRIMARY KEY,
    slug        TEXT   NOT NULL UNIQUE,
    name        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    -- Head of the tenant's hash chain; appends lock this row (SELECT ... FOR UPDATE).
    head_seq    BIGINT NOT NULL DEFAULT 0,
    head_hash   TEXT   NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
);

CREATE TABLE api_keys (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants (id),
    prefix        TEXT   NOT NULL UNIQUE,
    secret_hash   TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);

CREATE TABLE events (
    -- Bytewise collation: keyset and prefix ranges order as in SQLite.
    id             TEXT   COLLATE "C" PRIMARY KEY,
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    seq            BIGINT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    actor_id       TEXT   NOT NULL,
    actor_name     TEXT,
    actor_email    TEXT,
    actor_type     TEXT   NOT NULL,
    action         TEXT   COLLATE "C" NOT NULL,
    category       TEXT   NOT NULL,
    event_type     TEXT   NOT NULL,
    outcome        TEXT   NOT NULL,
    severity       TEXT   NOT NULL,
    resource_type  TEXT,
    resource_id    TEXT,
    resource_name  TEXT,
    targets_json   JSONB,
    ip             TEXT,
    user_agent     TEXT,
    request_id     TEXT,
    before_json    JSONB,
    after_json     JSONB,
    description    TEXT   NOT NULL,
    metadata_json  JSONB,
    prev_hash      TEXT   NOT NULL,
    hash           TEXT   NOT NULL,
    UNIQUE (tenant_id, seq)
);

-- Every index leads with the tenant and ends with (occurred_at, id), so keyset
-- pages are index range scans.
CREATE INDEX events_tenant_time     ON events (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_action   ON events (tenant_id, action, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_resource ON events (tenant_id, resource_type, resource_id, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_actor    ON events (tenant_id, actor_id, occurred_at DESC, id DESC);
CREATE INDEX events_time            ON events (occurred_at DESC, id DESC);

CREATE TABLE ingest_receipts (
    tenant_id        BIGINT NOT NULL REFERENCES tenants (id),
    idempotency_key  TEXT   NOT NULL,
    request_hash     TEXT   NOT NULL,
    response         TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);
