-- A password an admin set (a new member's, or a reset): it lets its owner
-- do nothing but choose their own.
ALTER TABLE accounts ADD COLUMN password_temporary BOOLEAN NOT NULL DEFAULT FALSE;
