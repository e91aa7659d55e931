-- A second wall behind the store's tenant scopes, and privileges that match
-- an append-only log.
--
-- The application's pooled connections act as `logbook_app` (SET ROLE on
-- connect). That role may read and append events but never UPDATE or
-- TRUNCATE them, and row-level security shows it only the tenants the
-- transaction names in `logbook.scope` ('*' for all, a tenant id, or empty
-- for nothing); a read that sets no scope sees no events at all.
-- Migrations and the operator keep the login role, which owns the tables.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        CREATE ROLE logbook_app NOLOGIN;
    END IF;
EXCEPTION
    -- Created at the same moment by another database's migration (roles are
    -- cluster-wide), or this login may not create roles: then the login role
    -- itself stays subject to the policies below (FORCE).
    WHEN OTHERS THEN RAISE NOTICE 'logbook_app not created: %', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT USAGE ON SCHEMA public TO logbook_app;
        GRANT SELECT, INSERT, DELETE ON events TO logbook_app;
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON tenants, api_keys, ingest_receipts, accounts, sessions, sign_in_failures
            TO logbook_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO logbook_app;
        BEGIN
            EXECUTE format('GRANT logbook_app TO %I', current_user);
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'membership of logbook_app not granted: %', SQLERRM;
        END;
    END IF;
END
$$;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;

CREATE POLICY events_read ON events FOR SELECT USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
CREATE POLICY events_append ON events FOR INSERT WITH CHECK (true);
-- Only the retention job's transaction deletes (the trigger checks it too).
CREATE POLICY events_retention ON events FOR DELETE USING (
    current_setting('logbook.retention_job', true) = 'on'
);
