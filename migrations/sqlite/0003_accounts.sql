-- People who use the dashboard, their server-side sessions, failed sign-ins
-- (for throttling) and the reserved tenant that holds Logbook's own log.

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    email                TEXT    NOT NULL UNIQUE,
    name                 TEXT    NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('admin', 'auditor', 'partner', 'staff', 'customer')),
    -- Partners belong to exactly one tenant; admins and auditors to none.
    tenant_id            INTEGER REFERENCES tenants (id),
    -- Comma-separated grants (view_logs, export, manage_keys, manage_alerts),
    -- capped by the role when checked.
    permissions          TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    totp_secret          TEXT,
    -- A secret shown for enrolment, not required until confirmed with a code.
    totp_pending_secret  TEXT,
    created_at           INTEGER NOT NULL,
    created_by           INTEGER REFERENCES accounts (id),
    deactivated_at       INTEGER,
    last_sign_in_at      INTEGER,
    CHECK (role <> 'partner' OR tenant_id IS NOT NULL),
    CHECK (role NOT IN ('admin', 'auditor') OR tenant_id IS NULL)
);

-- Only the SHA-256 of a session token is stored: a copy of the database
-- cannot be replayed as cookies.
CREATE TABLE sessions (
    token_hash    TEXT    PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    -- 'otp' while the second factor is still owed, then 'full'.
    stage         TEXT    NOT NULL CHECK (stage IN ('otp', 'full')),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    otp_failures  INTEGER NOT NULL DEFAULT 0,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE sign_in_failures (
    id     INTEGER PRIMARY KEY,
    email  TEXT    NOT NULL,
    ip     TEXT,
    at     INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_ip    ON sign_in_failures (ip, at);

ALTER TABLE api_keys ADD COLUMN created_by INTEGER REFERENCES accounts (id);

INSERT INTO tenants (slug, name, created_at) VALUES ('logbook', 'Logbook (own log)', 0)
    ON CONFLICT (slug) DO NOTHING;
