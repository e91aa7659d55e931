-- User agents stored once. An event's user agent took ~96 of the row's
-- ~460 bytes (`bench --load`), though a platform's events carry a few
-- dozen distinct ones. Each distinct text is now a row of `user_agents`,
-- and an event holds its number; reads turn it back into the text, so
-- nothing a reader sees changes and the chain's hashes (taken over the
-- event, not the row) verify as before.
--
-- The dictionary is found by a 16-byte digest of the text (SHA-256's
-- first half), not by the text: an index on the text would store every
-- text twice, so a flood of distinct user agents would cost double what
-- storing them inline did. SQLite has no SHA-256, so rows made here get
-- their digest from the server on its next start
-- (`store::events::user_agents::fill_digests`), before any append.
CREATE TABLE user_agents (
    id     INTEGER PRIMARY KEY,
    digest BLOB UNIQUE,
    text   TEXT NOT NULL
);

ALTER TABLE events ADD COLUMN user_agent_id INTEGER;

-- Existing events: one UPDATE, with the append-only trigger lifted for it
-- alone. The emptied `user_agent` column stays (dropping it would rewrite
-- every row a second time); nothing writes or reads it any more, and an
-- empty column costs a row one byte.
INSERT INTO user_agents (text)
SELECT DISTINCT user_agent FROM events WHERE user_agent IS NOT NULL;
CREATE INDEX user_agents_text_once ON user_agents (text);
DROP TRIGGER events_no_update;
UPDATE events
SET user_agent_id = (SELECT u.id FROM user_agents u WHERE u.text = events.user_agent),
    user_agent = NULL
WHERE user_agent IS NOT NULL;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
DROP INDEX user_agents_text_once;
