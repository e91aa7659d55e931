-- Comments and tags people add to an entry: records of their own, appended
-- with author and time. The event they are about never changes; when
-- retention removes the event, its notes go with it.
CREATE TABLE event_notes (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('comment', 'tag')),
    body        TEXT    NOT NULL,
    author_id   INTEGER REFERENCES accounts (id),
    author      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX event_notes_event ON event_notes (event_id, id);
-- A tag once per event; filtering by tag reads this index.
CREATE UNIQUE INDEX event_notes_tag ON event_notes (body, event_id) WHERE kind = 'tag';

CREATE TRIGGER event_notes_no_update BEFORE UPDATE ON event_notes
BEGIN
    SELECT RAISE(ABORT, 'notes are append-only: UPDATE is not allowed');
END;
