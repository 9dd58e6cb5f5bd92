-- An optional client-chosen key that makes POST /jobs safe to retry: a
-- second insert with the same key returns the first job instead of creating
-- another. Partial, so jobs posted without a key cost no index entry.
ALTER TABLE jobs ADD COLUMN idempotency_key text;

CREATE UNIQUE INDEX jobs_idempotency_key_idx ON jobs (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
