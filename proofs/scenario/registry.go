package scenario

import (
	"fmt"
	"os"

	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/prove"
)

// runs holds the code of each proof, keyed by its catalog name. It is not a
// list: which proofs exist, and in which order they run, is catalog.Proofs
// alone. A proof is added by writing its catalog entry and its function
// here; building the registry refuses a catalog entry without code and code
// without a catalog entry, so neither can be forgotten.
var runs = map[string]func(*T){
	"migration_status_and_apply":               migrationStatusAndApply,
	"deploy_artifact_smoke":                    deployArtifactSmoke,
	"worker_crash_recovers_job":                workerCrashRecoversJob,
	"worker_restart_is_visible_in_health":      workerRestartIsVisibleInHealth,
	"process_restart_recovers_inflight_job":    processRestartRecoversInflightJob,
	"startup_validation_fails_closed":          startupValidationFailsClosed,
	"job_flow_updates_health_and_db":           jobFlowUpdatesHealthAndDB,
	"multi_instance_claims_once":               multiInstanceClaimsOnce,
	"db_outage_recovers":                       dbOutageRecovers,
	"bad_input_is_rejected":                    badInputIsRejected,
	"heartbeat_keeps_long_job_leased":          heartbeatKeepsLongJobLeased,
	"stalled_worker_cannot_complete_taken_job": stalledWorkerCannotCompleteTakenJob,
	"graceful_shutdown_finishes_or_hands_back": gracefulShutdownFinishesOrHandsBack,
	"failing_job_ends_failed":                  failingJobEndsFailed,
	"crash_loop_trips_guard":                   crashLoopTripsGuard,
	"fault_payloads_are_plain_data":            faultPayloadsArePlainData,
	"secrets_stay_out_of_output":               secretsStayOutOfOutput,
	"concurrent_migrate_up_applies_once":       concurrentMigrateUpAppliesOnce,
	"outage_resumes_unwoken_jobs":              outageResumesUnwokenJobs,
	"finished_jobs_are_retained_then_deleted":  finishedJobsAreRetainedThenDeleted,
}

// registry is built once from the catalog; building it checks that the
// catalog and runs name the same proofs.
var registry = mustBuild(catalog.Proofs, runs)

// build pairs each catalog proof, in catalog order, with its code.
func build(proofs []catalog.Proof, code map[string]func(*T)) ([]Scenario, error) {
	out := make([]Scenario, 0, len(proofs))
	named := map[string]bool{}
	for _, p := range proofs {
		run := code[p.Name]
		if run == nil {
			return nil, fmt.Errorf("proof %q is in the catalog but has no code in proofs/scenario", p.Name)
		}
		if named[p.Name] {
			return nil, fmt.Errorf("proof %q is in the catalog twice", p.Name)
		}
		named[p.Name] = true
		out = append(out, Scenario{Proof: p, Run: run})
	}
	for name := range code {
		if !named[name] {
			return nil, fmt.Errorf("proofs/scenario has code for %q, which the catalog does not list", name)
		}
	}
	return out, nil
}

func mustBuild(proofs []catalog.Proof, code map[string]func(*T)) []Scenario {
	reg, err := build(proofs, code)
	if err != nil {
		// A programming error in this package: every binary and test that
		// imports it stops at once, naming the proof.
		panic("scenario registry: " + err.Error())
	}
	return reg
}

// Scenario is one named proof of the reference backend: its catalog entry
// (name, claim, guards) and its code.
type Scenario struct {
	catalog.Proof
	Run func(t *T)
}

// Registry lists every scenario in catalog order, the order `proofs run`
// runs them.
func Registry() []Scenario { return append([]Scenario(nil), registry...) }

// Lookup returns the scenario with this name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range registry {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Bind is the scenario as the framework runs it: its catalog claim and
// guards, its code bound to env.
func (s Scenario) Bind(env *Env) prove.Proof {
	return prove.Proof{
		Name: s.Name, Claim: s.Claim, Reproduce: s.Reproduce(), Mutants: s.Guards,
		Run: func(pt *prove.T) {
			t := &T{T: pt, env: env}
			if cover := env.CoverDirFor(s.Name); cover != "" {
				if err := os.MkdirAll(cover, 0o755); err != nil {
					t.Fatal("coverage folder: %v", err)
				}
			}
			// Deferred, so it runs before the framework's cleanup kills
			// the processes, also after a failed Require.
			defer t.flushCoverage()
			s.Run(t)
			// Every proof checks the documented invariants on what it saw.
			t.checkInvariants()
		},
	}
}
