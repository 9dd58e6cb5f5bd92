package mutant

// All is the curated set, in the order `proofs mutants` runs it: at least
// one change per catalog claim. Which proofs must catch each one is said by
// the catalog (catalog.Proof.Guards).
var All = []Mutant{
	// The ten headline claims.
	{
		Name: "migrate_ignores_changed_checksum", Breaks: "migration_status_and_apply",
		Change: "migrate up applies on top of an applied file whose checksum changed instead of refusing",
		File:   "migrations/migrations.go",
		Edits:  []Edit{{Old: "if r.checksum != m.Checksum {\n\t\t\treturn nil, &ChecksumError{", New: "if false && r.checksum != m.Checksum {\n\t\t\treturn nil, &ChecksumError{"}},
	},
	{
		Name: "smoke_accepts_malformed_base_url", Breaks: "deploy_artifact_smoke",
		Change: "deploy-smoke.sh goes on with a malformed BASE_URL instead of failing closed",
		File:   "scripts/deploy-smoke.sh",
		Edits:  []Edit{{Old: `die "BASE_URL is malformed: want http(s)://host[:port] with no path, user or query"`, New: `: # malformed, accepted anyway`}},
	},
	{
		Name: "predecessor_recovery_unrecorded", Breaks: "worker_crash_recovers_job",
		Change: "a restarted worker requeues its predecessor's jobs but records no recovery in /health or the log",
		File:   "backend/worker/worker.go",
		Edits:  []Edit{{Old: `recordRecovery(w.cfg.State, w.cfg.Logger, SourcePredecessor, requeued, "dead_boot_id", dead.String())`, New: `_, _ = requeued, dead`}},
	},
	{
		Name: "recovery_reported_healthy", Breaks: "worker_restart_is_visible_in_health",
		Change: "/health reports liveness healthy and status ok while a recovery window is open",
		File:   "backend/health/health.go",
		Edits:  []Edit{{Old: "w.Liveness = LivenessRecovering", New: "w.Liveness = LivenessHealthy"}},
	},
	{
		Name: "lease_recovery_unrecorded", Breaks: "process_restart_recovers_inflight_job",
		Change: "the rescuer requeues a dead process's jobs but records no recovery in /health or the log",
		File:   "backend/worker/rescuer.go",
		Edits:  []Edit{{Old: "recordRecovery(r.State, r.Logger, SourceLeaseExpired, requeued)", New: "_ = requeued"}},
	},
	{
		Name: "poll_ms_zero_accepted", Breaks: "startup_validation_fails_closed",
		Change: "JOB_POLL_MS=0 passes validation, so the backend fails later, with another status",
		File:   "backend/config/config.go",
		Edits:  []Edit{{Old: `requiredInt(get, "JOB_POLL_MS", 1,`, New: `requiredInt(get, "JOB_POLL_MS", 0,`}},
	},
	{
		Name: "processed_at_never_set", Breaks: "job_flow_updates_health_and_db",
		Change: "a completion leaves processed_at null",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "processed_at = CASE WHEN ($3::text[])[array_position($1::uuid[], j.id)] IS NULL THEN now() END,", New: "processed_at = NULL,"}},
	},
	{
		Name: "claim_without_row_locks", Breaks: "multi_instance_claims_once",
		Change: "the claim query takes no row locks (no FOR UPDATE SKIP LOCKED), so two instances can claim one job",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "LIMIT $2\n\t\tFOR UPDATE SKIP LOCKED", New: "LIMIT $2"}},
	},
	{
		Name: "outage_answers_500", Breaks: "db_outage_recovers",
		Change: "a request during a database outage gets 500 instead of 503",
		File:   "backend/api/api.go",
		Edits:  []Edit{{Old: `writeError(w, http.StatusServiceUnavailable, "database unavailable")`, New: `writeError(w, http.StatusInternalServerError, "database unavailable")`}},
	},
	{
		Name: "body_limit_ignored", Breaks: "bad_input_is_rejected",
		Change: "POST /jobs reads bodies up to 1 GiB instead of MAX_BODY_BYTES",
		File:   "backend/api/api.go",
		Edits:  []Edit{{Old: "http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)", New: "http.MaxBytesReader(w, r.Body, 1<<30)"}},
	},

	// The further guarantees.
	{
		Name: "heartbeat_never_renews", Breaks: "heartbeat_keeps_long_job_leased",
		Change: "the heartbeat runs but leaves the lease where it was",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "UPDATE jobs SET lease_expires_at = now() + $2 * interval '1 millisecond'", New: "UPDATE jobs SET lease_expires_at = lease_expires_at"}},
	},
	{
		Name: "rescuer_takes_live_jobs", Breaks: "heartbeat_keeps_long_job_leased",
		Change: "the rescuer requeues every processing job, expired lease or not",
		File:   "backend/postgres/query/query.go",
		Edits: []Edit{
			{Old: "WHERE status = 'processing' AND lease_expires_at < now()", New: "WHERE status = 'processing'"},
			{Old: "AND j.status = 'processing' AND j.lease_expires_at < now()", New: "AND j.status = 'processing'"},
		},
	},
	{
		Name: "completion_ignores_owner", Breaks: "stalled_worker_cannot_complete_taken_job",
		Change: "a completion applies by job id alone, whoever holds the job now and at whatever attempt",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "\t\tAND j.attempts = ($2::int4[])[array_position($1::uuid[], j.id)]\n\t\tAND j.locked_by = $4\n", New: ""}},
	},
	{
		Name: "completion_claim_not_reserved", Breaks: "multi_instance_claims_once",
		Change: "a claim that rides on a completion does not reserve its slots, so other claims take them too and a worker runs more than JOB_CONCURRENCY jobs",
		File:   "backend/worker/worker.go",
		Edits:  []Edit{{Old: "claiming++\n\t\t\t\treserved += n\n", New: "claiming++\n"}},
	},
	{
		Name: "release_counts_attempt", Breaks: "graceful_shutdown_finishes_or_hands_back",
		Change: "a job handed back at shutdown keeps the attempt it did not finish",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "attempts = j.attempts - 1,", New: "attempts = j.attempts,"}},
	},
	{
		Name: "shutdown_ignores_grace", Breaks: "graceful_shutdown_finishes_or_hands_back",
		Change: "SIGTERM hands every in-flight job back at once instead of letting it finish within SHUTDOWN_GRACE_MS",
		File:   "backend/app/app.go",
		Edits:  []Edit{{Old: "context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownGrace)", New: "context.WithTimeout(context.WithoutCancel(ctx), 0)"}},
	},
	{
		Name: "stopping_worker_claims_on_completion", Breaks: "graceful_shutdown_finishes_or_hands_back",
		Change: "after SIGTERM a completion still claims a waiting job along with it (then hands it back unrun)",
		File:   "backend/worker/worker.go",
		Edits:  []Edit{{Old: "case <-w.claimsStopped:\n\t\treturn 0", New: "case <-w.claimsStopped:\n\t\treturn 1"}},
	},
	{
		Name: "drain_ends_before_outcomes_written", Breaks: "graceful_shutdown_finishes_or_hands_back",
		Change: "the shutdown drain ends once the outcomes are handed to the writers, before they are written",
		File:   "backend/worker/worker.go",
		Edits:  []Edit{{Old: "close(batches)\n\t\twriters.Wait()", New: "close(batches)"}},
	},
	{
		Name: "attempt_limit_off_by_one", Breaks: "failing_job_ends_failed",
		Change: "a failing job gets one attempt more than JOB_MAX_ATTEMPTS",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "WHEN j.attempts >= $5 THEN 'failed'", New: "WHEN j.attempts > $5 THEN 'failed'"}},
	},
	{
		Name: "crash_guard_never_trips", Breaks: "crash_loop_trips_guard",
		Change: "the supervisor restarts a crash-looping worker for ever",
		File:   "backend/worker/supervisor.go",
		Edits:  []Edit{{Old: "if crashes > s.cfg.MaxCrashes {", New: "if crashes > s.cfg.MaxCrashes*1000 {"}},
	},
	{
		Name: "readyz_ignores_failed_worker", Breaks: "crash_loop_trips_guard",
		Change: "/readyz answers 200 although the worker has failed",
		File:   "backend/api/api.go",
		Edits:  []Edit{{Old: "if h.cfg.State.Snapshot().Status == worker.StatusFailed {", New: "if false && h.cfg.State.Snapshot().Status == worker.StatusFailed {"}},
	},
	{
		Name: "fault_injection_on_by_default", Breaks: "fault_payloads_are_plain_data",
		Change: "fault injection is on unless FAULT_INJECTION says 0",
		File:   "backend/config/config.go",
		Edits: []Edit{
			{Old: `case "", "0", "false":`, New: `case "0", "false":`},
			{Old: `case "1", "true":`, New: `case "", "1", "true":`},
		},
	},
	{
		Name: "startup_logs_database_url", Breaks: "secrets_stay_out_of_output",
		Change: "serve logs DATABASE_URL at start-up (the logger still blanks the password)",
		File:   "backend/command.go",
		Edits:  []Edit{{Old: "logger := app.NewLogger(stderr, cfg.LogLevel, password)\n", New: "logger := app.NewLogger(stderr, cfg.LogLevel, password)\n\tlogger.Info(\"config loaded\", \"database_url\", cfg.DatabaseURL)\n"}},
	},
	{
		Name: "startup_prints_password", Breaks: "secrets_stay_out_of_output",
		Change: "serve prints the database password to stderr, past the logger's redaction",
		File:   "backend/command.go",
		Edits:  []Edit{{Old: "password := app.PasswordOf(cfg.DatabaseURL)\n", New: "password := app.PasswordOf(cfg.DatabaseURL)\n\tfmt.Fprintln(stderr, \"database password:\", password)\n"}},
	},
	{
		Name: "migrate_without_lock", Breaks: "concurrent_migrate_up_applies_once",
		Change: "migrate up does not wait for the advisory lock another applier holds",
		File:   "migrations/migrations.go",
		Edits:  []Edit{{Old: "`SELECT pg_advisory_lock($1)`", New: "`SELECT pg_try_advisory_lock($1)`"}},
	},
	{
		Name: "outage_poll_not_shortened", Breaks: "outage_resumes_unwoken_jobs",
		Change: "during an outage the worker keeps its JOB_POLL_MS instead of looking every second",
		File:   "backend/worker/worker.go",
		Edits:  []Edit{{Old: "wait = min(wait, time.Second)", New: "wait = min(wait, time.Hour)"}},
	},
	{
		Name: "retention_deletes_unfinished", Breaks: "finished_jobs_are_retained_then_deleted",
		Change: "the retention sweep deletes old pending and processing jobs too, not only finished ones",
		File:   "backend/postgres/query/query.go",
		Edits: []Edit{
			{Old: "WHERE status = $1 AND status IN ('processed', 'failed')", New: "WHERE (status = $1 OR status IN ('pending', 'processing'))"},
			{Old: "\tAND status IN ('processed', 'failed')`", New: "\t`"},
		},
	},
	{
		Name: "retention_deletes_nothing", Breaks: "finished_jobs_are_retained_then_deleted",
		Change: "the retention sweep runs, and reports, but its delete matches no row",
		File:   "backend/postgres/query/query.go",
		Edits:  []Edit{{Old: "\tAND status IN ('processed', 'failed')`", New: "\tAND status IN ('processed', 'failed') AND false`"}},
	},
	{
		Name: "key_value_dsn_unchecked", Breaks: "startup_validation_fails_closed",
		Change: "a key=value DATABASE_URL is not parsed at start-up, so a malformed one fails later, with another status",
		File:   "backend/config/config.go",
		Edits:  []Edit{{Old: "if _, err := pgxpool.ParseConfig(raw); err != nil {", New: "if _, err := pgxpool.ParseConfig(raw); err != nil && strings.Contains(raw, \"://\") {"}},
	},
}
