-- Narrow rollups for the analytics page as it first opens: a month of one
-- busy tenant is about 100,000 rows in `rollup_hours` and 200,000 in
-- `rollup_actor_days`, but a few thousand in these. Queries take the
-- narrowest table that holds what they filter and group by.

-- The activity chart: events per hour by category and outcome.
CREATE TABLE rollup_activity (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    hour        BIGINT NOT NULL,
    category    TEXT    COLLATE "C" NOT NULL,
    outcome     TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, hour, category, outcome)
);

-- Addresses of events that did not succeed, per day.
CREATE TABLE rollup_failing_ips (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    day         BIGINT NOT NULL,
    ip          TEXT    COLLATE "C" NOT NULL,
    category    TEXT    COLLATE "C" NOT NULL,
    outcome     TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, ip, category, outcome)
);

-- Each actor's events per day, by category and outcome only.
CREATE TABLE rollup_actor_totals (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    day         BIGINT NOT NULL,
    actor_id    TEXT    COLLATE "C" NOT NULL,
    actor_name  TEXT    COLLATE "C" NOT NULL,
    actor_email TEXT    COLLATE "C" NOT NULL,
    category    TEXT    COLLATE "C" NOT NULL,
    outcome     TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, actor_id, actor_name, actor_email, category, outcome)
);

ALTER TABLE rollup_activity ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_activity FORCE ROW LEVEL SECURITY;
CREATE POLICY rollup_activity_scope ON rollup_activity USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
ALTER TABLE rollup_failing_ips ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_failing_ips FORCE ROW LEVEL SECURITY;
CREATE POLICY rollup_failing_ips_scope ON rollup_failing_ips USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
ALTER TABLE rollup_actor_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY rollup_actor_totals_scope ON rollup_actor_totals USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE
            ON rollup_activity, rollup_failing_ips, rollup_actor_totals TO logbook_app;
    END IF;
END
$$;

SELECT set_config('logbook.scope', '*', true);
ALTER TABLE rollup_activity NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_failing_ips NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_totals NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_hours NO FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days NO FORCE ROW LEVEL SECURITY;
-- From the wide rollups, which already count every event.
INSERT INTO rollup_activity (tenant_id, hour, category, outcome, n)
SELECT tenant_id, hour, category, outcome, SUM(n)
FROM rollup_hours WHERE 1 = 1 GROUP BY 1, 2, 3, 4;

INSERT INTO rollup_failing_ips (tenant_id, day, ip, category, outcome, n)
SELECT tenant_id, day, ip, category, outcome, SUM(n)
FROM rollup_actor_days WHERE outcome <> 'success' GROUP BY 1, 2, 3, 4, 5;

INSERT INTO rollup_actor_totals (tenant_id, day, actor_id, actor_name, actor_email, category,
                                 outcome, n, last_at)
SELECT tenant_id, day, actor_id, actor_name, actor_email, category, outcome, SUM(n), MAX(last_at)
FROM rollup_actor_days WHERE 1 = 1 GROUP BY 1, 2, 3, 4, 5, 6, 7;
ALTER TABLE rollup_activity FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_failing_ips FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_totals FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_hours FORCE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_days FORCE ROW LEVEL SECURITY;
