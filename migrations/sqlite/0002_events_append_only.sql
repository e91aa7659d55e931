-- Events are append-only. UPDATE is always refused. DELETE is refused unless
-- the retention job has raised its guard, which it does and undoes inside its
-- own transaction (SQLite has one writer, so nothing else runs in between).
-- Anyone with the file can still bypass this; the hash chain is what detects it.

CREATE TABLE retention_guard (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    active  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO retention_guard (id, active) VALUES (1, 0);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN (SELECT active FROM retention_guard WHERE id = 1) = 0
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: only the retention job may DELETE');
END;
