-- job_executions records each time the reference handler ran a job, written
-- in a transaction of its own before the job's completion, like an external
-- side effect (an email sent) that a later rollback cannot take back. The
-- backend writes it only with JOB_RECORD_EXECUTIONS=1 (the chaos soak), so a
-- job run twice is countable even when the owner guard refuses the second
-- completion. No unique constraint, on purpose: a re-execution must be
-- counted, not hidden behind an error.
CREATE TABLE job_executions (
    job_id       uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      integer     NOT NULL,
    pid          integer     NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX job_executions_job_id_idx ON job_executions (job_id);
