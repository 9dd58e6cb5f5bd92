-- job_effects is the reference handler's side effect: one row written in the
-- same statement, and so the same transaction, as the job's move to
-- 'processed'. There is deliberately no unique constraint on job_id: a job
-- that took effect twice must be countable, not hidden behind an error.
CREATE TABLE job_effects (
    job_id       uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      integer     NOT NULL,
    worker_boot  uuid        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX job_effects_job_id_idx ON job_effects (job_id);
