// Package catalog names the proofs and the claims they check. It is the one
// list of proofs: the runner's registry is built from it (proofs/scenario
// only adds each proof's code), and docscheck and the website read it. It
// imports nothing, so docscheck can read it without the harness.
package catalog

// Proof is one named, public claim.
type Proof struct {
	Name  string
	Claim string
	// Guards names the mutants (package proofs/mutant) this proof must
	// catch: changes to the backend that break its claim. `proofs
	// mutants` fails when the proof passes against one of them.
	Guards []string
}

// Reproduce is the command that runs this proof alone.
func (p Proof) Reproduce() string { return "go run ./proofs run " + p.Name }

// Proofs lists every proof in the order `proofs run` runs them.
var Proofs = []Proof{
	{
		Name:   "migration_status_and_apply",
		Claim:  "migrate status lists every migration as pending, migrate up applies them all once, a second up is a no-op, a changed applied file is refused, and a read of schema_migrations cut part-way is an error, never a shorter list; --help (-h, help) names every documented variable as required or optional, and the exit statuses.",
		Guards: []string{"migrate_ignores_changed_checksum"},
	},
	{
		Name:   "deploy_artifact_smoke",
		Claim:  "The staged deploy bundle builds outside the source tree, applies its own migrations, starts, and its smoke check passes; the smoke check fails closed on bad input.",
		Guards: []string{"smoke_accepts_malformed_base_url"},
	},
	{
		Name:   "worker_crash_recovers_job",
		Claim:  "A worker that crashes, after claiming a job or inside a job's handler, is restarted by its supervisor and the job is processed exactly once more, with the crash and recovery visible in /health; a panic in an HTTP handler is a JSON 500 that stores nothing and crashes nothing.",
		Guards: []string{"predecessor_recovery_unrecorded"},
	},
	{
		Name:   "worker_restart_is_visible_in_health",
		Claim:  "While a crashed worker's job is being recovered, /health reports degraded/recovering, then returns to ok/healthy once the job is done.",
		Guards: []string{"recovery_reported_healthy"},
	},
	{
		Name:   "process_restart_recovers_inflight_job",
		Claim:  "A job in flight when the whole backend process is killed is recovered and processed by the next process, visible in its /health.",
		Guards: []string{"lease_recovery_unrecorded"},
	},
	{
		Name:   "startup_validation_fails_closed",
		Claim:  "A missing or invalid DATABASE_URL (URL or key=value form), PORT or JOB_POLL_MS, or any knob one past either end of its documented range, stops the backend with exit status 2 and one clear line, never printing the database URL; every range's last accepted values start, and a port already taken stops it with exit status 1 and one line naming the address.",
		Guards: []string{"poll_ms_zero_accepted", "key_value_dsn_unchecked"},
	},
	{
		Name:   "job_flow_updates_health_and_db",
		Claim:  "A posted job is processed; the API, the database row and the /health counters agree; a worker loop that stands still while HTTP answers is reported stale (degraded, 200), then healthy once it moves.",
		Guards: []string{"processed_at_never_set"},
	},
	{
		Name:   "multi_instance_claims_once",
		Claim:  "Two backend processes on one database process every job exactly once between them, and neither runs more jobs at once than its JOB_CONCURRENCY.",
		Guards: []string{"claim_without_row_locks", "completion_claim_not_reserved"},
	},
	{
		Name:   "db_outage_recovers",
		Claim:  "When the database goes away the backend stays up, reports it in /health and answers 503; when it comes back every job is processed and none is lost.",
		Guards: []string{"outage_answers_500"},
	},
	{
		Name:   "bad_input_is_rejected",
		Claim:  "Malformed JSON, oversize bodies, bad ids, unknown ids and wrong methods get their documented 4xx and write nothing.",
		Guards: []string{"body_limit_ignored"},
	},
	{
		Name:   "heartbeat_keeps_long_job_leased",
		Claim:  "A job held for several leases on a live worker keeps its lease by heartbeat: the lease never lapses, no rescuer takes it, it runs once.",
		Guards: []string{"heartbeat_never_renews", "rescuer_takes_live_jobs"},
	},
	{
		Name:   "stalled_worker_cannot_complete_taken_job",
		Claim:  "A worker frozen (SIGSTOP) past its lease loses the job to another instance; woken (SIGCONT), its late completion is refused and logged, and the job takes effect once.",
		Guards: []string{"completion_ignores_owner"},
	},
	{
		Name:   "graceful_shutdown_finishes_or_hands_back",
		Claim:  "On SIGTERM the HTTP listener closes at once, a job that fits in SHUTDOWN_GRACE_MS finishes, one that does not is handed back at once without counting the attempt, the process exits 0, and the next process runs it at the same attempt; with nothing in flight a process exits at once, not at the end of its grace; a stopping process claims nothing new (a job still waiting stays pending, never claimed) and writes the outcome of every job that finished before it exits.",
		Guards: []string{"release_counts_attempt", "shutdown_ignores_grace", "stopping_worker_claims_on_completion", "drain_ends_before_outcomes_written"},
	},
	{
		Name:   "failing_job_ends_failed",
		Claim:  "A job that fails every attempt ends failed after JOB_MAX_ATTEMPTS attempts with last_error set, and /health failed_jobs counts it; the retention sweeper runs every quarter of the shorter retention, here the failed one.",
		Guards: []string{"attempt_limit_off_by_one"},
	},
	{
		Name:   "crash_loop_trips_guard",
		Claim:  "A worker that crashes on every claim is restarted WORKER_MAX_CRASHES times, each restart in a row waiting twice as long as the one before, then reported failed: /health 503 error, /readyz and /livez 503 (both 200 with their documented bodies before); the process stays up and no job is lost.",
		Guards: []string{"crash_guard_never_trips", "readyz_ignores_failed_worker"},
	},
	{
		Name:   "fault_payloads_are_plain_data",
		Claim:  "Without FAULT_INJECTION=1 fault fields are plain data: no crash, hold or failure, and the payload is stored as posted.",
		Guards: []string{"fault_injection_on_by_default"},
	},
	{
		Name:   "secrets_stay_out_of_output",
		Claim:  "The database URL and password never reach the backend's raw output or any HTTP body, on the error paths too (bad requests, an outage, a refused login, migrate); checked before any redaction.",
		Guards: []string{"startup_logs_database_url", "startup_prints_password"},
	},
	{
		Name:   "concurrent_migrate_up_applies_once",
		Claim:  "Several migrate up that overlap on an empty database all succeed and apply every migration file exactly once between them.",
		Guards: []string{"migrate_without_lock"},
	},
	{
		Name:   "outage_resumes_unwoken_jobs",
		Claim:  "After a database outage the worker claims again within about a second, also jobs nobody woke it for: posted to another instance, or inserted directly.",
		Guards: []string{"outage_poll_not_shortened"},
	},
	{
		Name:   "finished_jobs_are_retained_then_deleted",
		Claim:  "Finished jobs older than their retention are deleted, each exactly once, by two instances sweeping one database one at a time, and then answer 404; pending, processing and recently finished jobs stay; with no retention knob set, processed jobs are kept 24 hours and failed ones 7 days.",
		Guards: []string{"retention_deletes_unfinished", "retention_deletes_nothing"},
	},
}

// Lookup returns the proof with this name.
func Lookup(name string) (Proof, bool) {
	for _, p := range Proofs {
		if p.Name == name {
			return p, true
		}
	}
	return Proof{}, false
}

// Names returns the proof names in catalog order.
func Names() []string {
	names := make([]string, len(Proofs))
	for i, p := range Proofs {
		names[i] = p.Name
	}
	return names
}
