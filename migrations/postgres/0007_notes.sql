-- Comments and tags people add to an entry: records of their own, appended
-- with author and time. The event they are about never changes; when
-- retention removes the event, its notes go with it.
CREATE TABLE event_notes (
    id          BIGSERIAL PRIMARY KEY,
    event_id    TEXT   COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    kind        TEXT   NOT NULL CHECK (kind IN ('comment', 'tag')),
    body        TEXT   NOT NULL,
    author_id   BIGINT REFERENCES accounts (id),
    author      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX event_notes_event ON event_notes (event_id, id);
-- A tag once per event; filtering by tag reads this index.
CREATE UNIQUE INDEX event_notes_tag ON event_notes (body, event_id) WHERE kind = 'tag';

-- Like events: read within the transaction's tenant scope; appended, never
-- updated (no UPDATE grant; the cascade from retention runs as the owner).
ALTER TABLE event_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY event_notes_read ON event_notes FOR SELECT USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
CREATE POLICY event_notes_append ON event_notes FOR INSERT WITH CHECK (true);
CREATE POLICY event_notes_retention ON event_notes FOR DELETE USING (
    current_setting('logbook.retention_job', true) = 'on'
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT ON event_notes TO logbook_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO logbook_app;
    END IF;
END
$$;
