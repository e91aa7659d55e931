-- Free-text search over an event's description, actor, resource and
-- metadata. Contentless: the index holds only words, not a second copy of the
-- text. Rows are keyed (tenant_id << 40) + seq, which stays fixed where a
-- plain rowid of `events` may change under VACUUM. Tokens are lower-case runs
-- of letters and digits, as PostgreSQL's index cuts them.
CREATE VIRTUAL TABLE events_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);

CREATE TRIGGER events_fts_insert AFTER INSERT ON events
BEGIN
    INSERT INTO events_fts (rowid, body) VALUES (
        (new.tenant_id << 40) + new.seq,
        new.description || ' ' || new.actor_id || ' ' || coalesce(new.actor_name, '') || ' ' ||
        coalesce(new.actor_email, '') || ' ' || coalesce(new.resource_id, '') || ' ' ||
        coalesce(new.resource_name, '') || ' ' || coalesce(new.metadata_json, '')
    );
END;

-- Retention's deletes take the words with them.
CREATE TRIGGER events_fts_delete AFTER DELETE ON events
BEGIN
    DELETE FROM events_fts WHERE rowid = (old.tenant_id << 40) + old.seq;
END;

INSERT INTO events_fts (rowid, body)
SELECT (tenant_id << 40) + seq,
       description || ' ' || actor_id || ' ' || coalesce(actor_name, '') || ' ' ||
       coalesce(actor_email, '') || ' ' || coalesce(resource_id, '') || ' ' ||
       coalesce(resource_name, '') || ' ' || coalesce(metadata_json, '')
FROM events;
