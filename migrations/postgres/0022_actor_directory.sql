-- Every actor a tenant's events name, once per (id, name, email) as the
-- events spell them, with how many events say so: a rollup over the whole
-- log (`since` is always 0), kept exact by the statements that keep the
-- other rollups exact (counted in at append, out at retention, gone at 0).
--
-- An actor filter (`actor:X` matches an event's actor id, email or name)
-- looks X up here first and then reads each named actor id's events from
-- `events_tenant_actor` (`store::events::branches`). So the events need no
-- index of their own on the actor's email or name; this table holds a row
-- per actor.
CREATE TABLE rollup_actor_names (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    since       BIGINT NOT NULL,
    actor_id    TEXT    COLLATE "C" NOT NULL,
    actor_name  TEXT    COLLATE "C" NOT NULL,
    actor_email TEXT    COLLATE "C" NOT NULL,
    n           BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, since, actor_id, actor_name, actor_email)
);
-- Staff look actors up across every tenant, so no index leads with one.
CREATE INDEX rollup_actor_names_id    ON rollup_actor_names (actor_id);
CREATE INDEX rollup_actor_names_email ON rollup_actor_names (actor_email);
CREATE INDEX rollup_actor_names_name  ON rollup_actor_names (actor_name);

SELECT set_config('logbook.scope', '*', true);
INSERT INTO rollup_actor_names (tenant_id, since, actor_id, actor_name, actor_email, n, last_at)
SELECT tenant_id, 0, actor_id, COALESCE(actor_name, ''), COALESCE(actor_email, ''),
       COUNT(*), MAX(occurred_at)
FROM events GROUP BY 1, 2, 3, 4, 5;

ALTER TABLE rollup_actor_names ENABLE ROW LEVEL SECURITY;
ALTER TABLE rollup_actor_names FORCE ROW LEVEL SECURITY;
CREATE POLICY rollup_actor_names_scope ON rollup_actor_names USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON rollup_actor_names TO logbook_app;
    END IF;
END
$$;

DROP INDEX events_tenant_actor_email;
DROP INDEX events_tenant_actor_name;
