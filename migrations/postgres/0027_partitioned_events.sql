-- Events partitioned by the time they were received (a month each unless
-- the server is configured otherwise), so that retention drops a whole
-- expired partition instead of deleting its rows one by one, and each
-- partition's indexes stop growing once its month is over.
--
-- The partition key is the event's id. Ids are ULIDs the server mints as
-- it receives an event: their first 48 bits are that moment in
-- milliseconds, so a range of ids is a range of receive times (month M is
-- the ids from the ULID of M's first millisecond to the next month's).
-- Keying on the id keeps it the table's own primary key, unique across
-- every partition, and a look-up by id opens one partition. A page needs
-- no pruning: within each partition its time range is an index range, so a
-- partition with nothing in the range costs one index descent. The chain
-- position is unique together with the id (a partitioned table's unique
-- keys must hold its key); two events of one tenant never share a seq
-- anyway, since appends queue on the tenant's chain-head row, and the
-- chain's hashes would show it if they did.
--
-- The existing table is renamed `events_unpartitioned`. Empty (a new
-- database), it is dropped here; holding events, it stays until
-- `logbook migrate` has copied them across in batches (store::partitions),
-- and the server will not serve until then.

-- The first id minted at `us` (microseconds since 1970): a partition bound.
CREATE FUNCTION logbook_ulid_floor(us BIGINT) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    ms BIGINT := us / 1000;
    digits TEXT := '';
BEGIN
    FOR i IN 1..10 LOOP
        digits := substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (ms % 32)::INT + 1, 1) || digits;
        ms := ms / 32;
    END LOOP;
    RETURN digits || '0000000000000000';
END
$$;

-- When an id was minted, in microseconds (its ULID time, to the millisecond).
CREATE FUNCTION logbook_ulid_us(id TEXT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT 1000 * (
          (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 1, 1)) - 1)::BIGINT * 35184372088832
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 2, 1)) - 1)::BIGINT * 1099511627776
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 3, 1)) - 1)::BIGINT * 34359738368
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 4, 1)) - 1)::BIGINT * 1073741824
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 5, 1)) - 1)::BIGINT * 33554432
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 6, 1)) - 1)::BIGINT * 1048576
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 7, 1)) - 1)::BIGINT * 32768
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 8, 1)) - 1)::BIGINT * 1024
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 9, 1)) - 1)::BIGINT * 32
        + (strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(id, 10, 1)) - 1)::BIGINT)
$$;

-- Row-level security applies to the owner too (FORCE): see every tenant.
SELECT set_config('logbook.scope', '*', true);

ALTER TABLE events RENAME TO events_unpartitioned;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_tenant_id_seq_key TO events_unpartitioned_seq;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_tenant_id_fkey TO events_unpartitioned_tenant;
-- The copy walks (tenant_id, seq); the other indexes only cost disk now.
DROP INDEX events_search, events_tenant_action, events_tenant_actor,
    events_tenant_actor_unsuccessful, events_tenant_ip, events_tenant_ip_unsuccessful,
    events_tenant_resource_id, events_tenant_resource_type, events_tenant_time,
    events_tenant_unsuccessful, events_time;
-- Notes outlive no event: retention deletes an event's notes with it
-- (a foreign key into a partitioned table would have to carry its time).
ALTER TABLE event_notes DROP CONSTRAINT event_notes_event_id_fkey;

CREATE TABLE events (
    id             TEXT   COLLATE "C" NOT NULL,
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    seq            BIGINT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    actor_id       TEXT   NOT NULL,
    actor_name     TEXT,
    actor_email    TEXT,
    actor_type     TEXT   NOT NULL,
    action         TEXT   COLLATE "C" NOT NULL,
    category       TEXT   NOT NULL,
    event_type     TEXT   NOT NULL,
    outcome        TEXT   NOT NULL,
    severity       TEXT   NOT NULL,
    resource_type  TEXT,
    resource_id    TEXT,
    resource_name  TEXT,
    targets_json   JSONB,
    ip             TEXT,
    user_agent_id  BIGINT,
    request_id     TEXT,
    before_json    JSONB,
    after_json     JSONB,
    description    TEXT   NOT NULL,
    metadata_json  JSONB,
    prev_hash      BYTEA  NOT NULL,
    hash           BYTEA  NOT NULL,
    search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', regexp_replace(lower(
            description || ' ' || actor_id || ' ' || coalesce(actor_name, '') || ' ' ||
            coalesce(actor_email, '') || ' ' || coalesce(resource_id, '') || ' ' ||
            coalesce(resource_name, '') || ' ' || coalesce(metadata_json::text, '')
        ), '[^[:alnum:]]+', ' ', 'g'))
    ) STORED,
    PRIMARY KEY (id),
    UNIQUE (tenant_id, seq, id)
) PARTITION BY RANGE (id);

CREATE INDEX events_search ON events USING gin (search);
CREATE INDEX events_tenant_action ON events (tenant_id, action, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_actor ON events (tenant_id, actor_id, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_actor_unsuccessful ON events (tenant_id, actor_id, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
CREATE INDEX events_tenant_ip ON events (tenant_id, ip, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_ip_unsuccessful ON events (tenant_id, ip, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
CREATE INDEX events_tenant_resource_id ON events (tenant_id, resource_id, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_resource_type ON events (tenant_id, resource_type, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_time ON events (tenant_id, occurred_at DESC, seq DESC);
CREATE INDEX events_tenant_unsuccessful ON events (tenant_id, occurred_at DESC, seq DESC)
    WHERE outcome <> 'success';
CREATE INDEX events_time ON events (occurred_at DESC, tenant_id DESC, seq DESC);

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION logbook_events_append_only();
CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION logbook_events_append_only();

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_read ON events FOR SELECT USING (
    current_setting('logbook.scope', true) = '*'
    OR tenant_id::text = current_setting('logbook.scope', true)
);
CREATE POLICY events_append ON events FOR INSERT WITH CHECK (true);
CREATE POLICY events_retention ON events FOR DELETE USING (
    current_setting('logbook.retention_job', true) = 'on'
);

-- The partitions, as the server made them, by the receive times their ids
-- span: read by retention to find the expired ones without parsing
-- PostgreSQL's bound expressions.
CREATE TABLE event_partitions (
    name TEXT   PRIMARY KEY,
    lo   BIGINT NOT NULL UNIQUE,
    hi   BIGINT NOT NULL
);

-- The application's role may not create or drop tables; these two functions
-- do it for it, as the owner, and nothing else. Creating covers `t` with
-- [lo, hi) narrowed to the gap between the partitions around it, so a
-- change of interval never overlaps what exists; it returns the new
-- partition's name, or NULL when `t` was covered already.
CREATE FUNCTION logbook_add_events_partition(t BIGINT, lo BIGINT, hi BIGINT) RETURNS TEXT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    name TEXT;
BEGIN
    -- Servers starting together would race to create the same partition.
    PERFORM pg_advisory_xact_lock(hashtext('logbook_add_events_partition'));
    IF EXISTS (SELECT 1 FROM event_partitions p WHERE p.lo <= t AND t < p.hi) THEN
        RETURN NULL;
    END IF;
    lo := GREATEST(lo, COALESCE((SELECT max(p.hi) FROM event_partitions p WHERE p.hi <= t), lo));
    hi := LEAST(hi, COALESCE((SELECT min(p.lo) FROM event_partitions p WHERE p.lo > t), hi));
    name := 'events_' || to_char(to_timestamp(lo / 1000000.0) AT TIME ZONE 'UTC', 'YYYYMMDD');
    IF to_regclass(name) IS NOT NULL THEN
        name := name || '_' || lo;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
        name, logbook_ulid_floor(lo), logbook_ulid_floor(hi));
    INSERT INTO event_partitions (name, lo, hi) VALUES (name, lo, hi);
    RETURN name;
END
$$;

-- Drops a whole partition, refusing unless the retention job's transaction
-- asks and every event in it is at or behind its tenant's retention cut
-- (the signed checkpoint retention records first). A tenant under a legal
-- hold has no cut, so a partition holding any of its events stays. The
-- caller has already counted the events out of the rollups and deleted
-- their notes. Returns the rows the partition held, as last analysed.
CREATE FUNCTION logbook_drop_events_partition(part TEXT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    beyond BIGINT;
    held BIGINT;
BEGIN
    IF current_setting('logbook.retention_job', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION 'events are append-only: dropping % is not allowed', part
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM event_partitions p WHERE p.name = part) THEN
        RAISE EXCEPTION '% is not a partition of events', part;
    END IF;
    EXECUTE format(
        'SELECT t.id FROM tenants t WHERE EXISTS '
        '(SELECT 1 FROM %I e WHERE e.tenant_id = t.id AND e.seq > t.cut_seq) LIMIT 1', part)
        INTO beyond;
    IF beyond IS NOT NULL THEN
        RAISE EXCEPTION 'partition % holds events of tenant % beyond its retention cut', part, beyond
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT GREATEST(c.reltuples, 0)::BIGINT INTO held FROM pg_class c WHERE c.oid = to_regclass(part);
    EXECUTE format('ALTER TABLE events DETACH PARTITION %I', part);
    EXECUTE format('DROP TABLE %I', part);
    DELETE FROM event_partitions p WHERE p.name = part;
    RETURN held;
END
$$;

REVOKE ALL ON FUNCTION logbook_add_events_partition(BIGINT, BIGINT, BIGINT) FROM PUBLIC;
REVOKE ALL ON FUNCTION logbook_drop_events_partition(TEXT) FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, DELETE ON events TO logbook_app;
        GRANT SELECT ON event_partitions TO logbook_app;
        -- Retention now deletes notes itself (its policy allows only that).
        GRANT DELETE ON event_notes TO logbook_app;
        GRANT SELECT ON events_unpartitioned TO logbook_app;
        GRANT EXECUTE ON FUNCTION logbook_add_events_partition(BIGINT, BIGINT, BIGINT) TO logbook_app;
        GRANT EXECUTE ON FUNCTION logbook_drop_events_partition(TEXT) TO logbook_app;
        GRANT EXECUTE ON FUNCTION logbook_ulid_floor(BIGINT), logbook_ulid_us(TEXT) TO logbook_app;
    END IF;
END
$$;

-- Copies the next `batch` events of the unpartitioned table, in (tenant,
-- seq) order, making the partitions (of `span`: month, week or day) they
-- need; the position reached is saved in the same transaction, so a copy
-- that stops resumes where it was. Returns how many it copied; once none
-- are left it drops the old table and returns 0.
CREATE TABLE events_copy (tenant_id BIGINT NOT NULL, seq BIGINT NOT NULL);
INSERT INTO events_copy VALUES (0, 0);

CREATE FUNCTION logbook_copy_unpartitioned(batch INT, span TEXT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    from_tenant BIGINT;
    from_seq BIGINT;
    upto_tenant BIGINT;
    upto_seq BIGINT;
    copied BIGINT;
    first_at BIGINT;
    last_at BIGINT;
    step INTERVAL := ('1 ' || span)::INTERVAL;
    t TIMESTAMP;
BEGIN
    IF to_regclass('events_unpartitioned') IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM set_config('logbook.scope', '*', true);
    SELECT c.tenant_id, c.seq INTO from_tenant, from_seq FROM events_copy c FOR UPDATE;
    SELECT u.tenant_id, u.seq INTO upto_tenant, upto_seq FROM (
        SELECT e.tenant_id, e.seq FROM events_unpartitioned e
        WHERE (e.tenant_id, e.seq) > (from_tenant, from_seq)
        ORDER BY e.tenant_id, e.seq LIMIT batch
    ) u ORDER BY u.tenant_id DESC, u.seq DESC LIMIT 1;
    IF upto_tenant IS NULL THEN
        DROP TABLE events_unpartitioned;
        DROP TABLE events_copy;
        RETURN 0;
    END IF;
    SELECT logbook_ulid_us(min(e.id)), logbook_ulid_us(max(e.id)) INTO first_at, last_at
    FROM events_unpartitioned e
    WHERE (e.tenant_id, e.seq) > (from_tenant, from_seq)
      AND (e.tenant_id, e.seq) <= (upto_tenant, upto_seq);
    t := date_trunc(span, to_timestamp(first_at / 1000000.0) AT TIME ZONE 'UTC');
    WHILE t <= to_timestamp(last_at / 1000000.0) AT TIME ZONE 'UTC' LOOP
        PERFORM logbook_add_events_partition(
            (extract(epoch FROM t) * 1000000)::BIGINT,
            (extract(epoch FROM t) * 1000000)::BIGINT,
            (extract(epoch FROM t + step) * 1000000)::BIGINT);
        t := t + step;
    END LOOP;
    INSERT INTO events (id, tenant_id, seq, occurred_at, received_at, actor_id, actor_name,
        actor_email, actor_type, action, category, event_type, outcome, severity,
        resource_type, resource_id, resource_name, targets_json, ip, user_agent_id,
        request_id, before_json, after_json, description, metadata_json, prev_hash, hash)
    SELECT id, tenant_id, seq, occurred_at, received_at, actor_id, actor_name,
        actor_email, actor_type, action, category, event_type, outcome, severity,
        resource_type, resource_id, resource_name, targets_json, ip, user_agent_id,
        request_id, before_json, after_json, description, metadata_json, prev_hash, hash
    FROM events_unpartitioned e
    WHERE (e.tenant_id, e.seq) > (from_tenant, from_seq)
      AND (e.tenant_id, e.seq) <= (upto_tenant, upto_seq);
    GET DIAGNOSTICS copied = ROW_COUNT;
    UPDATE events_copy SET tenant_id = upto_tenant, seq = upto_seq;
    RETURN copied;
END
$$;

REVOKE ALL ON FUNCTION logbook_copy_unpartitioned(INT, TEXT) FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT ON events_copy TO logbook_app;
        GRANT EXECUTE ON FUNCTION logbook_copy_unpartitioned(INT, TEXT) TO logbook_app;
    END IF;
END
$$;

-- A new database starts with the current month's partition (the server
-- keeps making them ahead of time) and has nothing to copy.
SELECT logbook_add_events_partition(t, lo, hi) FROM (
    SELECT (extract(epoch FROM now()) * 1000000)::BIGINT AS t,
           (extract(epoch FROM date_trunc('month', now() AT TIME ZONE 'UTC')) * 1000000)::BIGINT AS lo,
           (extract(epoch FROM date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') * 1000000)::BIGINT AS hi
) m;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events_unpartitioned) THEN
        DROP TABLE events_unpartitioned;
        DROP TABLE events_copy;
    END IF;
END
$$;
