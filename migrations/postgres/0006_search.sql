-- Free-text search over an event's description, actor, resource and
-- metadata: a generated tsvector with a GIN index. Every run of characters
-- other than letters and digits becomes a space first, so the words are the
-- ones SQLite's FTS5 index holds and both backends find the same rows.
ALTER TABLE events ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(lower(
        description || ' ' || actor_id || ' ' || coalesce(actor_name, '') || ' ' ||
        coalesce(actor_email, '') || ' ' || coalesce(resource_id, '') || ' ' ||
        coalesce(resource_name, '') || ' ' || coalesce(metadata_json::text, '')
    ), '[^[:alnum:]]+', ' ', 'g'))
) STORED;

CREATE INDEX events_search ON events USING gin (search);
