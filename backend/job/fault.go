package job

import (
	"encoding/json"
	"time"
)

// Fault kinds a payload can name when fault injection is on. They exist so
// that the proofs can cause real crashes and real in-flight work on demand;
// without FAULT_INJECTION=1 the backend treats these fields as plain data.
const (
	// FaultWorkerCrash makes the worker panic right after it claims the job
	// on the fault attempt. With hold_ms it also holds the job on the next
	// attempt, so the recovery window stays open long enough to observe.
	FaultWorkerCrash = "worker_crash_after_claim"
	// FaultHold keeps the claimed job, heartbeating its lease, for hold_ms
	// on the fault attempt, then processes it.
	FaultHold = "hold_after_claim"
	// FaultFail makes the handler return an error on the fault attempt.
	FaultFail = "fail"
	// FaultHandlerPanic makes the job's handler panic on the fault attempt,
	// while the job runs: the worker crash a bug in a handler causes, as
	// opposed to FaultWorkerCrash in the claim loop.
	FaultHandlerPanic = "panic_in_handler"
	// FaultStallLoop stops the worker's claim loop itself for hold_ms on
	// the fault attempt, right after the claim, while HTTP, the heartbeat
	// and the other goroutines run on: the frozen loop /health reports as
	// stale. Then the job runs as usual.
	FaultStallLoop = "stall_worker_loop"
	// FaultRequestPanic makes the HTTP handler of the POST /jobs that
	// carries it panic before it stores anything: the bug in a request
	// handler that the API's recoverer answers with a 500. It is no job
	// fault: the job is never stored.
	FaultRequestPanic = "panic_in_request"
)

// Fault is the fault-injection instruction carried by a payload:
//
//	{"fault": "worker_crash_after_claim", "fault_attempt": 1, "hold_ms": 1500}
//
// fault_attempt defaults to 1. "fault_every_attempt": true makes a crash or
// a failure happen on every attempt instead (a crash loop, a job that can
// never succeed).
type Fault struct {
	Kind         string
	Attempt      int
	EveryAttempt bool
	Hold         time.Duration
}

// On reports whether the fault fires on this attempt.
func (f Fault) On(attempt int) bool { return f.EveryAttempt || attempt == f.Attempt }

type faultFields struct {
	Fault        string `json:"fault"`
	FaultAttempt int    `json:"fault_attempt"`
	EveryAttempt bool   `json:"fault_every_attempt"`
	HoldMS       int64  `json:"hold_ms"`
}

// maxHold bounds a hold so a typo cannot park a worker slot for days.
const maxHold = time.Hour

// ParseFault reads the fault fields from a payload. ok is false when the
// payload is not an object or names no known fault.
func ParseFault(payload json.RawMessage) (f Fault, ok bool) {
	if len(payload) == 0 || payload[0] != '{' {
		// Cheap exit for the common case; the decoder below would also
		// reject non-objects, but that costs an allocation per job.
		return Fault{}, false
	}
	var fields faultFields
	if err := json.Unmarshal(payload, &fields); err != nil {
		return Fault{}, false
	}
	switch fields.Fault {
	case FaultWorkerCrash, FaultHold, FaultFail, FaultHandlerPanic, FaultStallLoop, FaultRequestPanic:
	default:
		return Fault{}, false
	}
	f = Fault{Kind: fields.Fault, Attempt: fields.FaultAttempt, EveryAttempt: fields.EveryAttempt}
	if f.Attempt <= 0 {
		f.Attempt = 1
	}
	if fields.HoldMS > 0 {
		f.Hold = min(time.Duration(fields.HoldMS)*time.Millisecond, maxHold)
	}
	return f, true
}
