-- The last one-time-code time step (unix seconds / 30) accepted for an
-- account: a code is good once, never replayed within its 90-second window.
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;
