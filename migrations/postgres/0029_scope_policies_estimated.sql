-- The tenant-scope policies, written so the planner counts on them keeping
-- the rows they keep.
--
-- The policies read `(setting = '*' OR tenant_id::text = setting)`. The
-- planner cannot know the setting, so it priced each side as a rare
-- equality (0.5%) and the policy as keeping 1% of rows: every estimate
-- under row-level security was a hundred times too small. Believing that a
-- filter on a common value (30 days of one tenant's denied sign-ins: 58,000
-- events) matched 37 rows, it read them all and sorted them (5 s at
-- 10,000,000 events) instead of walking the time index until 50 matched.
--
-- The condition is the same, phrased as `CASE WHEN … THEN true END IS NOT
-- NULL`: an IS NOT NULL over an expression without statistics is priced as
-- keeping 99.5% of rows, which is what a scope that names the query's own
-- tenant (or every tenant) does.
DO $$
DECLARE
    p RECORD;
BEGIN
    FOR p IN
        SELECT tablename, policyname FROM pg_policies
        WHERE schemaname = current_schema()
          AND qual LIKE '%current_setting(''logbook.scope''%'
    LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I USING ((CASE WHEN '
            'current_setting(''logbook.scope'', true) = ''*'' '
            'OR tenant_id::text = current_setting(''logbook.scope'', true) '
            'THEN true END) IS NOT NULL)',
            p.policyname, p.tablename);
    END LOOP;
END
$$;
