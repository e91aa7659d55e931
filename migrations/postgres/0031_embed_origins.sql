-- The origins (scheme://host[:port]) allowed to frame a tenant's embedded
-- viewer, as a JSON list: they become its Content-Security-Policy
-- frame-ancestors. Empty: no site may embed it.
ALTER TABLE tenants ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '[]';
