-- A tag filter reads tagged events newest first from this index and stops
-- after a page, instead of fetching every tagged event to sort them (30 ms
-- for a tag on 5,000 events in the 10,000,000-event benchmark). The note
-- keeps a copy of its event's time for that; the event never changes, so
-- neither does the copy. Existing notes get theirs once, here, as the
-- owner with row security lifted for this one statement (the app role has
-- no UPDATE on notes, and no policy allows one).
ALTER TABLE event_notes ADD COLUMN event_occurred_at BIGINT;

SELECT set_config('logbook.scope', '*', true);
ALTER TABLE event_notes NO FORCE ROW LEVEL SECURITY;
UPDATE event_notes n
SET event_occurred_at = e.occurred_at
FROM events e WHERE e.id = n.event_id;
ALTER TABLE event_notes FORCE ROW LEVEL SECURITY;

CREATE INDEX event_notes_tag_time
    ON event_notes (tenant_id, body, event_occurred_at DESC, event_id DESC)
    WHERE kind = 'tag';
