-- Free-text search through its GIN index under row-level security.
--
-- The app's connections read events as `logbook_app`, which the tenant
-- policy (0004) applies to. PostgreSQL evaluates a query's own conditions
-- after a policy's unless their function is LEAKPROOF, and only then may it
-- use them as index conditions: `search @@ query` (ts_match_vq) is not
-- marked so, so every search walked the tenant's time index and tested
-- each row's tsvector (a rare word over 30 days of a 10,000,000-event log:
-- 10 s instead of a few milliseconds).
--
-- ts_match_vq is leakproof in fact: it reads the tsvector and the query and
-- returns a boolean; the errors it can raise depend on the query alone (its
-- size), never on a row's content, so evaluating it on a row the policy
-- hides reveals nothing. Marking it changes this database's catalog only.
-- Only a superuser may mark a function LEAKPROOF: another login gets a
-- notice here, search stays correct but slow, and the server says so at
-- start (the README gives the one statement a superuser runs).
DO $$
BEGIN
    ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'ts_match_vq not marked LEAKPROOF (%): free-text search will not use its index', SQLERRM;
END
$$;
