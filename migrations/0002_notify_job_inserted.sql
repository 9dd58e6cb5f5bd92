-- Wake idle workers when jobs are inserted. A statement-level trigger sends one
-- notification per INSERT statement (a bulk insert of 100,000 rows sends one),
-- and Postgres folds identical notifications within a transaction.
CREATE FUNCTION jobs_notify_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('jobs_inserted', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER jobs_notify_inserted
    AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify_inserted();
