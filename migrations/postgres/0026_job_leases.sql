-- Work that must run on one server at a time when several share a
-- database (retention, scheduled checkpoints): each job's lease names its
-- holder until a time, and a fence that grows by one whenever the lease
-- changes hands. A job's writes check, in their own transaction and with
-- the lease's row locked, that their holder and fence still hold it, so a
-- server that stalled past its lease cannot write after another took over
-- (`store::leases`).
CREATE TABLE job_leases (
    job      TEXT   PRIMARY KEY,
    holder   TEXT   NOT NULL,
    fence    BIGINT NOT NULL,
    until_us BIGINT NOT NULL
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON job_leases TO logbook_app;
    END IF;
END
$$;
