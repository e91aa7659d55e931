-- The events that did not succeed, per tenant, newest first: a few percent
-- of the log. A filter that excludes successes (`-outcome:success`,
-- `outcome:failure`) reads them here instead of walking every success in
-- its range along another index: through a two-day burst of one
-- integration's successes that walk took 30 ms a page at 10,000,000 events.
-- The store writes the predicate with the same literal so the planner can
-- match it (`store::events::filter`).
CREATE INDEX events_tenant_unsuccessful ON events (tenant_id, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
