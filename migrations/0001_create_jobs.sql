-- Jobs: one row per posted job. payload is `json`, not `jsonb`, so a job is
-- returned exactly as it was posted (key order, spacing and duplicates kept).
CREATE TABLE jobs (
    id               uuid        PRIMARY KEY,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
    payload          json        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error       text,
    locked_by        uuid,
    lease_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    claimed_at       timestamptz,
    processed_at     timestamptz,
    -- a job is owned and leased exactly while it is processing
    CONSTRAINT jobs_lease_matches_status CHECK (
        (status = 'processing') = (locked_by IS NOT NULL AND lease_expires_at IS NOT NULL)
    )
);

-- The claim query walks pending jobs oldest first.
CREATE INDEX jobs_pending_created_at_idx ON jobs (created_at, id) WHERE status = 'pending';
-- The rescuer looks only at processing jobs. Heartbeats, releases and the
-- predecessor requeue select processing jobs by owner through this index
-- too: the processing set is small (at most the workers' concurrency), and
-- one index less is one index write less on every claim.
CREATE INDEX jobs_processing_lease_idx ON jobs (lease_expires_at) WHERE status = 'processing';
