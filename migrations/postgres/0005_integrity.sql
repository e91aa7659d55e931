-- Signed checkpoints, per-tenant retention and redaction settings, and a
-- DELETE path narrowed to what a signed retention cut covers.

-- How long a tenant's events are kept: NULL follows the deployment default.
ALTER TABLE tenants ADD COLUMN retention_days INTEGER CHECK (retention_days IS NULL OR retention_days > 0);
ALTER TABLE tenants ADD COLUMN keep_forever   BOOLEAN NOT NULL DEFAULT false;
-- A legal hold pauses deletion whatever the retention.
ALTER TABLE tenants ADD COLUMN legal_hold     BOOLEAN NOT NULL DEFAULT false;
-- Extra secret key words for this tenant, as a JSON array of strings.
ALTER TABLE tenants ADD COLUMN redaction_words TEXT NOT NULL DEFAULT '[]';
-- The retention cut: events up to cut_seq are (being) deleted; the chain
-- resumes at cut_seq + 1, whose prev_hash is cut_hash.
ALTER TABLE tenants ADD COLUMN cut_seq  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN cut_hash TEXT   NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';

CREATE TABLE checkpoints (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    hash        TEXT   NOT NULL,
    signed_at   BIGINT NOT NULL,
    reason      TEXT   NOT NULL CHECK (reason IN ('scheduled', 'on_demand', 'retention', 'export')),
    public_key  TEXT   NOT NULL,
    signature   TEXT   NOT NULL
);
CREATE INDEX checkpoints_tenant_seq ON checkpoints (tenant_id, seq DESC, id DESC);

CREATE FUNCTION logbook_checkpoints_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION logbook_checkpoints_append_only();

-- Even the retention job may only delete what its recorded cut covers.
CREATE OR REPLACE FUNCTION logbook_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('logbook.retention_job', true) = 'on' THEN
        IF OLD.seq <= (SELECT cut_seq FROM tenants WHERE id = OLD.tenant_id) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT ON checkpoints TO logbook_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO logbook_app;
    END IF;
END
$$;
