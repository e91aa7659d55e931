-- Work that must run on one server at a time when several share a
-- database (retention, scheduled checkpoints): each job's lease names its
-- holder until a time, and a fence that grows by one whenever the lease
-- changes hands. A job's writes check, in their own transaction, that
-- their holder and fence still hold the lease, so a server that stalled
-- past its lease cannot write after another took over
-- (`store::leases`).
CREATE TABLE job_leases (
    job      TEXT    PRIMARY KEY,
    holder   TEXT    NOT NULL,
    fence    INTEGER NOT NULL,
    until_us INTEGER NOT NULL
);
