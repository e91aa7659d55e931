-- One index per filterable column with many values, each ending in
-- (occurred_at, id) so a first page is the first rows of one index range,
-- however rare the value (measured with `logbook bench` on 10,000,000
-- events: without them a rare IP or an actor's email read the whole range).
-- The resource index splits in two so a type alone or an id alone is a
-- range in page order too; columns with a handful of values (outcome,
-- severity, category, event type, actor type) are filtered along the time
-- index, where the benchmark's figures show their first pages stay fast.
DROP INDEX events_tenant_resource;
CREATE INDEX events_tenant_resource_type ON events (tenant_id, resource_type, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_resource_id   ON events (tenant_id, resource_id, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_ip            ON events (tenant_id, ip, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_actor_email   ON events (tenant_id, actor_email, occurred_at DESC, id DESC);
CREATE INDEX events_tenant_actor_name    ON events (tenant_id, actor_name, occurred_at DESC, id DESC);
