package soak

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/prodproof/prodproof/proofs/cli"
)

func TestScheduleReplaysFromItsSeed(t *testing.T) {
	take := func(seed int64) []Action {
		s := NewSchedule(seed, 3)
		var out []Action
		for range 40 {
			out = append(out, s.Next())
		}
		return out
	}
	a, b := take(7), take(7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave two schedules")
	}
	if reflect.DeepEqual(a, take(8)) {
		t.Fatal("seeds 7 and 8 gave the same schedule")
	}
}

func TestScheduleCoversEveryKindEachRound(t *testing.T) {
	s := NewSchedule(42, 2)
	for round := range 25 {
		var kinds []string
		for range len(ChaosKinds) {
			a := s.Next()
			kinds = append(kinds, a.Kind)
			if a.Gap < chaosMinGap || a.Gap >= chaosMaxGap {
				t.Errorf("gap %s outside [%s, %s)", a.Gap, chaosMinGap, chaosMaxGap)
			}
			if a.Slot < 0 || a.Slot >= 2 {
				t.Errorf("slot %d outside a fleet of 2", a.Slot)
			}
			switch a.Kind {
			case ChaosCut:
				if a.Cut < cutMin || a.Cut >= cutMax {
					t.Errorf("cut %s outside [%s, %s)", a.Cut, cutMin, cutMax)
				}
			case ChaosPause:
				if a.Cut < pauseMin || a.Cut >= pauseMax || a.Cut <= leaseMS*time.Millisecond {
					t.Errorf("pause %s outside [%s, %s) or within the lease", a.Cut, pauseMin, pauseMax)
				}
			case ChaosCrash:
				if a.Count < 1 || a.Count > 2 {
					t.Errorf("crash count %d", a.Count)
				}
			}
		}
		slices.Sort(kinds)
		want := slices.Sorted(slices.Values(ChaosKinds))
		if !slices.Equal(kinds, want) {
			t.Fatalf("round %d: kinds %v, want each of %v once", round, kinds, want)
		}
	}
}

func TestPayloadsAreValidAndSeeded(t *testing.T) {
	const n = 5000
	payloads, faults := Payloads(3, n)
	again, _ := Payloads(3, n)
	if !slices.Equal(payloads, again) {
		t.Fatal("the same seed gave different payloads")
	}
	counts := map[string]int{}
	overLease := 0
	for i, p := range payloads {
		var v struct {
			Seq    int64  `json:"seq"`
			Fault  string `json:"fault"`
			HoldMS int    `json:"hold_ms"`
		}
		if err := json.Unmarshal([]byte(p), &v); err != nil {
			t.Fatalf("payload %d %q: %v", i, p, err)
		}
		if v.Seq != int64(i) || v.Fault != faults[i] {
			t.Fatalf("payload %d %q: seq %d fault %q, want seq %d fault %q", i, p, v.Seq, v.Fault, i, faults[i])
		}
		if v.Fault == FaultHold && (v.HoldMS < 50 || v.HoldMS > holdMaxMS) {
			t.Errorf("payload %d holds %d ms", i, v.HoldMS)
		}
		if v.Fault == FaultHold && v.HoldMS > leaseMS {
			overLease++
		}
		counts[v.Fault]++
	}
	// The shares are 3% each; a seeded draw of 5,000 lands well within 2-4%.
	for _, kind := range []string{FaultHold, FaultFail} {
		if c := counts[kind]; c < n*2/100 || c > n*4/100 {
			t.Errorf("%d %s payloads of %d", c, kind, n)
		}
	}
	if overLease < counts[FaultHold]/3 {
		t.Errorf("%d of %d holds outlast the %d ms lease; about half should", overLease, counts[FaultHold], leaseMS)
	}
	if counts[FaultCrash] != 0 {
		t.Errorf("%d crash payloads: crashes come from the chaos schedule only", counts[FaultCrash])
	}
}

func TestSoakFlags(t *testing.T) {
	_, fs, err := cli.Tool().Parse([]string{"soak", "--jobs", "500", "--seed", "9", "--instances", "2", "--rate", "80", "--settle", "30s", "--db", "local"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := cli.ParseSoakOptions(fs)
	if o.Jobs != 500 || o.Seed != 9 || o.Instances != 2 || o.Rate != 80 || o.Settle.String() != "30s" || o.DB != "local" || o.ReportDir != cli.DefaultReportDir {
		t.Fatalf("parsed %+v", o)
	}
	if err := validate(o); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []cli.SoakOptions{
		{Jobs: 0, Instances: 3, Rate: 50, Settle: 1},
		{Jobs: 1, Instances: 1, Rate: 50, Settle: 1},
		{Jobs: 1, Instances: 3, Rate: 0, Settle: 1},
		{Jobs: 1, Instances: 3, Rate: 50, Settle: 0},
	} {
		if validate(bad) == nil {
			t.Errorf("validate(%+v) accepted it", bad)
		}
	}
}
