-- Every index on events ended in the event's 26-character text id, which
-- broke ties between events of the same time: about 27 bytes in each of nine
-- indexes, a fifth of the database (measured with `bench --load`). Ties are
-- now broken by the tenant and its chain position, `(tenant_id, seq)`, small
-- integers that each index holds already or for a byte or two; pages are
-- ordered by `(occurred_at, tenant_id, seq)` and cursors name those three.
DROP INDEX events_tenant_time;
DROP INDEX events_tenant_action;
DROP INDEX events_tenant_actor;
DROP INDEX events_time;
DROP INDEX events_tenant_resource_type;
DROP INDEX events_tenant_resource_id;
DROP INDEX events_tenant_ip;
DROP INDEX events_tenant_actor_email;
DROP INDEX events_tenant_actor_name;

CREATE INDEX events_tenant_time          ON events (tenant_id, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_action        ON events (tenant_id, action, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_actor         ON events (tenant_id, actor_id, occurred_at DESC, seq DESC);
CREATE INDEX events_time                 ON events (occurred_at DESC, tenant_id DESC, seq DESC);
CREATE INDEX events_tenant_resource_type ON events (tenant_id, resource_type, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_resource_id   ON events (tenant_id, resource_id, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_ip            ON events (tenant_id, ip, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_actor_email   ON events (tenant_id, actor_email, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_actor_name    ON events (tenant_id, actor_name, occurred_at DESC, seq DESC);

-- A tag page reads tagged events in the same order, so a note keeps its
-- event's chain position beside its time (the event never changes, so
-- neither does the copy). Existing notes get theirs once, here.
ALTER TABLE event_notes ADD COLUMN event_seq INTEGER;

DROP TRIGGER event_notes_no_update;
UPDATE event_notes
SET event_seq = (SELECT e.seq FROM events e WHERE e.id = event_notes.event_id);
CREATE TRIGGER event_notes_no_update BEFORE UPDATE ON event_notes
BEGIN
    SELECT RAISE(ABORT, 'notes are append-only: UPDATE is not allowed');
END;

DROP INDEX event_notes_tag_time;
CREATE INDEX event_notes_tag_time
    ON event_notes (tenant_id, body, event_occurred_at DESC, event_seq DESC)
    WHERE kind = 'tag';
