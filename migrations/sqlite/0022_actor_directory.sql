-- Every actor a tenant's events name, once per (id, name, email) as the
-- events spell them, with how many events say so: a rollup over the whole
-- log (`since` is always 0), kept exact by the statements that keep the
-- other rollups exact (counted in at append, out at retention, gone at 0).
--
-- An actor filter (`actor:X` matches an event's actor id, email or name)
-- looks X up here first and then reads each named actor id's events from
-- `events_tenant_actor` (`store::events::branches`). So the events need no
-- index of their own on the actor's email or name: those two were 160 of
-- the 1,245 bytes an event took (`bench --load`) and a third of the cost
-- of the filter indexes at insert; this table holds a row per actor.
CREATE TABLE rollup_actor_names (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    since       INTEGER NOT NULL,
    actor_id    TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    actor_email TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, since, actor_id, actor_name, actor_email)
) WITHOUT ROWID;
-- Staff look actors up across every tenant, so no index leads with one.
CREATE INDEX rollup_actor_names_id    ON rollup_actor_names (actor_id);
CREATE INDEX rollup_actor_names_email ON rollup_actor_names (actor_email);
CREATE INDEX rollup_actor_names_name  ON rollup_actor_names (actor_name);

INSERT INTO rollup_actor_names (tenant_id, since, actor_id, actor_name, actor_email, n, last_at)
SELECT tenant_id, 0, actor_id, COALESCE(actor_name, ''), COALESCE(actor_email, ''),
       COUNT(*), MAX(occurred_at)
FROM events GROUP BY 1, 2, 3, 4, 5;

DROP INDEX events_tenant_actor_email;
DROP INDEX events_tenant_actor_name;
