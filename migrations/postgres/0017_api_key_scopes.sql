-- What a key may do: 'ingest' (send events), 'read' (export and read the
-- tenant's log), or both, comma-separated. Keys made before scopes existed
-- did both and keep doing so; new keys ingest only unless given 'read'.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'ingest,read';
