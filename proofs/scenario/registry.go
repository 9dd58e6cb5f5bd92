package scenario

// Registry lists every scenario in the order `proofs run` runs them. It must
// name exactly the proofs of package catalog, in the same order; a test
// holds the two together.
func Registry() []Scenario {
	return []Scenario{
		{Name: "migration_status_and_apply", Run: migrationStatusAndApply},
		{Name: "deploy_artifact_smoke", Run: deployArtifactSmoke},
		{Name: "worker_crash_recovers_job", Run: workerCrashRecoversJob},
		{Name: "worker_restart_is_visible_in_health", Run: workerRestartIsVisibleInHealth},
		{Name: "process_restart_recovers_inflight_job", Run: processRestartRecoversInflightJob},
		{Name: "startup_validation_fails_closed", Run: startupValidationFailsClosed},
		{Name: "job_flow_updates_health_and_db", Run: jobFlowUpdatesHealthAndDB},
		{Name: "multi_instance_claims_once", Run: multiInstanceClaimsOnce},
		{Name: "db_outage_recovers", Run: dbOutageRecovers},
		{Name: "bad_input_is_rejected", Run: badInputIsRejected},
	}
}

// Lookup returns the scenario with this name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range Registry() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}
