-- The rollups again per UTC day (`day`: its first microsecond), kept in the
-- same transactions. A 30-day page reads about a tenth of the rows the
-- hourly tables hold for it; ranges longer than two days are counted in
-- whole UTC days so that these answer them (the hourly tables still draw
-- the activity chart, whose bars follow the viewer's zone).
CREATE TABLE rollup_days (
    tenant_id   INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    actor_type  TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, action, category, event_type, outcome, severity, actor_type)
) WITHOUT ROWID;

CREATE TABLE rollup_actor_days (
    tenant_id   INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    actor_id    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    ip          TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    actor_email TEXT    NOT NULL,
    actor_type  TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, actor_id, action, outcome, ip, actor_name, actor_email,
                 actor_type, category, event_type, severity)
) WITHOUT ROWID;

-- From the hourly rollups, which already count every event.
INSERT INTO rollup_days (tenant_id, day, action, category, event_type, outcome, severity,
                         actor_type, n)
SELECT tenant_id, hour - (((hour % 86400000000) + 86400000000) % 86400000000),
       action, category, event_type, outcome, severity, actor_type, SUM(n)
FROM rollup_hours WHERE 1 = 1
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO rollup_actor_days (tenant_id, day, actor_id, action, outcome, ip, actor_name,
                               actor_email, actor_type, category, event_type, severity, n, last_at)
SELECT tenant_id, hour - (((hour % 86400000000) + 86400000000) % 86400000000),
       actor_id, action, outcome, ip, actor_name, actor_email, actor_type, category,
       event_type, severity, SUM(n), MAX(last_at)
FROM rollup_actors WHERE 1 = 1
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
