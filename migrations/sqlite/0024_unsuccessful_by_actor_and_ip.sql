-- Who failed, and from where: an actor's or an address's events that did
-- not succeed, per tenant, newest first. With only `events_tenant_actor`
-- and `events_tenant_ip`, `actor:X outcome:failure` walked every one of X's
-- successes in range to find a page of failures: for an integration that
-- sends a burst of millions (one failure in a thousand) that took 29 ms a
-- page at 10,000,000 events, and so did its address with
-- `-outcome:success`; the tenant's unsuccessful events alone
-- (`events_tenant_unsuccessful`) are no better when the actor's are rare
-- among them. These hold only the few percent that did not succeed, and
-- serve the two questions an investigation asks first. The store writes
-- the predicate with the same literal (`store::events::filter`).
CREATE INDEX events_tenant_actor_unsuccessful ON events (tenant_id, actor_id, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
CREATE INDEX events_tenant_ip_unsuccessful ON events (tenant_id, ip, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
