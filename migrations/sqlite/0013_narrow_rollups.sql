-- Narrow rollups for the analytics page as it first opens: a month of one
-- busy tenant is about 100,000 rows in `rollup_hours` and 200,000 in
-- `rollup_actor_days`, but a few thousand in these. Queries take the
-- narrowest table that holds what they filter and group by.

-- The activity chart: events per hour by category and outcome.
CREATE TABLE rollup_activity (
    tenant_id   INTEGER NOT NULL,
    hour        INTEGER NOT NULL,
    category    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, hour, category, outcome)
) WITHOUT ROWID;

-- Addresses of events that did not succeed, per day.
CREATE TABLE rollup_failing_ips (
    tenant_id   INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    ip          TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, ip, category, outcome)
) WITHOUT ROWID;

-- Each actor's events per day, by category and outcome only.
CREATE TABLE rollup_actor_totals (
    tenant_id   INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    actor_id    TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    actor_email TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, day, actor_id, actor_name, actor_email, category, outcome)
) WITHOUT ROWID;

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
