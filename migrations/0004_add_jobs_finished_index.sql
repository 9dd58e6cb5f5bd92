-- Retention deletes finished jobs oldest first, a bounded batch at a time.
-- Finished jobs never change again, so updated_at is when they finished.
-- Partial: pending and processing jobs, the ones claims touch, are not in it.
CREATE INDEX jobs_finished_updated_at_idx ON jobs (status, updated_at)
    WHERE status IN ('processed', 'failed');
