package soak

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Chaos kinds: what the soak does to the system at its seeded times.
const (
	ChaosKill  = "kill"  // SIGKILL an instance, start a replacement
	ChaosTerm  = "term"  // SIGTERM an instance (graceful), then restart it
	ChaosCut   = "cut"   // cut the database proxy for 1-3 s
	ChaosCrash = "crash" // post jobs that crash the worker that claims them
	ChaosPause = "pause" // SIGSTOP an instance past its lease, then SIGCONT
)

// ChaosKinds lists every kind in a fixed order.
var ChaosKinds = []string{ChaosKill, ChaosTerm, ChaosCut, ChaosCrash, ChaosPause}

// Payload fault kinds (the backend's names).
const (
	FaultCrash = "worker_crash_after_claim"
	FaultHold  = "hold_after_claim"
	FaultFail  = "fail"
)

// Shares of the client's jobs that carry a payload fault. Crashes come from
// the chaos schedule instead, a few at a time: a worker that crashes more
// than ten times within ten seconds each is given up on by its supervisor,
// which is the backend working as designed, not what the soak tests.
const (
	holdShare = 0.03
	failShare = 0.03
)

// Chaos timing.
const (
	chaosMinGap = 500 * time.Millisecond
	chaosMaxGap = 2500 * time.Millisecond
	cutMin      = time.Second
	cutMax      = 3 * time.Second
	// A pause outlasts the lease, so the paused instance's jobs are
	// rescued and run elsewhere while it sleeps: when it wakes, its late
	// completions must be refused.
	pauseMin = leaseMS*time.Millisecond + 500*time.Millisecond
	pauseMax = leaseMS*time.Millisecond + 1500*time.Millisecond
	// Holds reach twice the lease: a live worker's heartbeat must keep
	// such a job from being rescued and run twice.
	holdMaxMS = 2 * leaseMS
)

// Action is one chaos step: wait Gap, then do Kind to instance Slot.
type Action struct {
	Gap   time.Duration
	Kind  string
	Slot  int
	Cut   time.Duration // ChaosCut and ChaosPause: how long
	Count int           // ChaosCrash only: crash jobs posted
}

// Schedule yields the chaos actions of a seed, in order. The kinds come in
// rounds, each a seeded permutation of all four, so every kind happens once
// in any four consecutive actions.
type Schedule struct {
	rng       *rand.Rand
	instances int
	round     []string
}

// NewSchedule returns the schedule of seed for a fleet of instances.
func NewSchedule(seed int64, instances int) *Schedule {
	return &Schedule{rng: rand.New(rand.NewPCG(uint64(seed), 0x636861_6f73)), instances: instances}
}

// Next returns the next action.
func (s *Schedule) Next() Action {
	if len(s.round) == 0 {
		s.round = append([]string(nil), ChaosKinds...)
		s.rng.Shuffle(len(s.round), func(i, j int) { s.round[i], s.round[j] = s.round[j], s.round[i] })
	}
	a := Action{Kind: s.round[0]}
	s.round = s.round[1:]
	a.Gap = chaosMinGap + time.Duration(s.rng.Int64N(int64(chaosMaxGap-chaosMinGap)))
	a.Slot = s.rng.IntN(s.instances)
	switch a.Kind {
	case ChaosCut:
		a.Cut = cutMin + time.Duration(s.rng.Int64N(int64(cutMax-cutMin)))
	case ChaosPause:
		a.Cut = pauseMin + time.Duration(s.rng.Int64N(int64(pauseMax-pauseMin)))
	case ChaosCrash:
		a.Count = 1 + s.rng.IntN(2)
	}
	return a
}

// Payloads returns the client's n job payloads for seed: {"seq":N} plus, for
// a seeded share, a hold or fail fault on the first attempt. It also returns
// which fault, if any, each carries.
func Payloads(seed int64, n int) (payloads []string, faults []string) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6a6f6273))
	payloads, faults = make([]string, n), make([]string, n)
	for i := range n {
		switch r := rng.Float64(); {
		case r < holdShare:
			faults[i] = FaultHold
			payloads[i] = fmt.Sprintf(`{"seq":%d,"fault":%q,"hold_ms":%d}`, i, FaultHold, 50+rng.IntN(holdMaxMS-50))
		case r < holdShare+failShare:
			faults[i] = FaultFail
			payloads[i] = fmt.Sprintf(`{"seq":%d,"fault":%q}`, i, FaultFail)
		default:
			payloads[i] = fmt.Sprintf(`{"seq":%d}`, i)
		}
	}
	return payloads, faults
}

// crashPayload is a job that crashes the worker that first claims it.
func crashPayload(seq int64) string {
	return fmt.Sprintf(`{"seq":%d,"fault":%q}`, seq, FaultCrash)
}
