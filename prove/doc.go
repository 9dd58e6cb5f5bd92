// Package prove checks a service's claims end to end, with real processes
// and a real Postgres, and leaves evidence a reader can follow.
//
// A proof is a named claim and a function. The function starts the
// service as ordinary OS processes (each the leader of its own process
// group, known only by its command line and environment), sends them
// signals (SIGKILL for a crash, SIGSTOP and SIGCONT for a freeze, SIGTERM
// for a graceful stop), reads the rows they wrote, and records steps and
// assertions:
//
//	func crashRecovers(t *prove.T) {
//		w := t.Start(prove.Command{Name: "worker", Path: bin, Env: env})
//		t.Step("crash the worker while it holds the job")
//		w.Kill()
//		t.RequireEventually("the job runs again", "state=completed", time.Minute, probe)
//	}
//
// Run runs a list of proofs one after another, each on a freshly created
// database of one Postgres server it provisions (a throwaway local server,
// a Docker container, or a URL you give it), and writes the report:
// results.json (versioned), each proof's events, health timeline, rows and
// process log as NDJSON and text, optionally JUnit XML and a GitHub step
// summary. Every proof ends in one of three verdicts: pass (the claim
// held), fail (an assertion did not: the service is wrong) or error (the
// harness could not tell, e.g. a process would not start). The proofs
// website renders such a report folder claim by claim.
//
// Everything a started process prints, every health body and every body a
// proof scans is checked for the database URL and its password before any
// redaction; a proof fails when a secret leaked, and the report never
// holds one.
//
// The package is called prove because that is what a caller does with it:
// prove.Run(ctx, prove.Params{...}) reads as the sentence it performs. The
// API is Run with its Params, Proof, T (the running proof) and Process
// (a started command); the process control, the evidence writer and the
// report format behind it are this module's own packages, not part of the
// API. github.com/prodproof/prodproof/proofs/river is a second module that
// proves River with this API alone.
package prove
