-- A member's named filters, kept as the log URL's query string.
CREATE TABLE saved_views (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    params      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO logbook_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO logbook_app;
    END IF;
END
$$;
