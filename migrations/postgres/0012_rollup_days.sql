-- The rollups again per UTC day (`day`: its first microsecond), kept in the
-- same transactions. A 30-day page reads about a tenth of the rows the
-- hourly tables hold for it; ranges longer than two days are counted in
-- whole UTC days so that these answer them (the hourly tables still draw
-- the activity chart, whose bars follow the viewer's zone).
CREATE TABLE rollup_days (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    day         BIGINT NOT NULL,
    action      TEXT    COLLATE "C" NOT NULL,
    category    TEXT    COLLATE "C" NOT NULL,
    event_type  TEXT    COLLATE "C" NOT NULL,
    outcome     TEXT    COLLATE "C" NOT NULL,
    severity    TEXT    COLLATE "C" NOT NULL,
    actor_type  TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, action, category, event_type, outcome, severity, actor_type)
);

CREATE TABLE rollup_actor_days (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    day         BIGINT NOT NULL,
    actor_id    TEXT    COLLATE "C" NOT NULL,
    action      TEXT    COLLATE "C" NOT NULL,
    outcome     TEXT    COLLATE "C" NOT NULL,
    ip          TEXT    COLLATE "C" NOT NULL,
    actor_name  TEXT    COLLATE "C" NOT NULL,
    actor_email TEXT    COLLATE "C" NOT NULL,
    actor_type  TEXT    COLLATE "C" NOT NULL,
    category    TEXT    COLLATE "C" NOT NULL,
    event_type  TEXT    COLLATE "C" NOT NULL,
    severity    TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, actor_id, action, outcome, ip, actor_name, actor_email,
                 actor_type, category, event_type, severity)
);

ALTER TABLE rollup_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_days FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days FORCE ROW LEVEL SECURITY;
CREATE POLICY rollup_days_scope ON rollup_days USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
CREATE POLICY rollup_actor_days_scope ON rollup_actor_days USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON rollup_days, rollup_actor_days TO logbook_app;
    END IF;
END
$$;

SELECT set_config('logbook.scope', '*', true);
ALTER TABLE rollup_hours NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actors NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_days NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days NO FORCE ROW LEVEL SECURITY;
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

ALTER TABLE rollup_hours FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actors FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_days FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days FORCE ROW LEVEL SECURITY;
