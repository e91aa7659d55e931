-- An event's hash and its predecessor's were kept as 64 hex characters; they
-- are now the digests' 32 bytes each (`bench --load`: 128 of the row's
-- bytes were these two). The store reads them back as the same lower-case
-- hex, so nothing a reader sees changes. ALTER ... TYPE rewrites the table
-- without firing the append-only row trigger; the values are the same
-- digests, so every chain verifies as before.
ALTER TABLE events
    ALTER COLUMN prev_hash TYPE BYTEA USING decode(prev_hash, 'hex'),
    ALTER COLUMN hash TYPE BYTEA USING decode(hash, 'hex');
