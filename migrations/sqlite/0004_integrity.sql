-- Signed checkpoints, per-tenant retention and redaction settings, and a
-- DELETE path narrowed to what a signed retention cut covers.

-- How long a tenant's events are kept: NULL follows the deployment default.
ALTER TABLE tenants ADD COLUMN retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0);
ALTER TABLE tenants ADD COLUMN keep_forever   INTEGER NOT NULL DEFAULT 0;
-- A legal hold pauses deletion whatever the retention.
ALTER TABLE tenants ADD COLUMN legal_hold     INTEGER NOT NULL DEFAULT 0;
-- Extra secret key words for this tenant, as a JSON array of strings.
ALTER TABLE tenants ADD COLUMN redaction_words TEXT NOT NULL DEFAULT '[]';
-- The retention cut: events up to cut_seq are (being) deleted; the chain
-- resumes at cut_seq + 1, whose prev_hash is cut_hash.
ALTER TABLE tenants ADD COLUMN cut_seq  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN cut_hash TEXT    NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';

CREATE TABLE checkpoints (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    seq         INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    signed_at   INTEGER NOT NULL,
    reason      TEXT    NOT NULL CHECK (reason IN ('scheduled', 'on_demand', 'retention', 'export')),
    public_key  TEXT    NOT NULL,
    signature   TEXT    NOT NULL
);
CREATE INDEX checkpoints_tenant_seq ON checkpoints (tenant_id, seq DESC, id DESC);

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints are append-only');
END;

-- Even the retention job may only delete what its recorded cut covers.
DROP TRIGGER events_no_delete;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN (SELECT active FROM retention_guard WHERE id = 1) = 0
  OR OLD.seq > (SELECT cut_seq FROM tenants WHERE id = OLD.tenant_id)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: only the retention job may DELETE, and only up to its cut');
END;
