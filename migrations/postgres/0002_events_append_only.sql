-- Events are append-only. UPDATE and TRUNCATE are always refused. DELETE is
-- refused unless the retention job has set `logbook.retention_job = on` for
-- its own transaction (SET LOCAL). The hash chain detects anything that
-- bypasses this with owner rights.

CREATE FUNCTION logbook_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('logbook.retention_job', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION logbook_events_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION logbook_events_append_only();
