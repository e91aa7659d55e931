-- The days an address failed often: the candidates for the top failing
-- addresses (see app/src/store/failing_ips.rs). Only rows with n >= 8 are
-- indexed, so most rows (one-off addresses) cost nothing here.
CREATE INDEX rollup_failing_ips_heavy ON rollup_failing_ips (category, day) WHERE n >= 8;
