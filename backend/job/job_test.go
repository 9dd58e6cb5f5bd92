package job

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseIDRoundTrip(t *testing.T) {
	for range 100 {
		id := NewID()
		s := id.String()
		if s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
			t.Fatalf("%s is not a version 4 UUID", s)
		}
		back, err := ParseID(strings.ToUpper(s))
		if err != nil || back != id {
			t.Fatalf("ParseID(%s) = %v, %v", s, back, err)
		}
	}
	for _, bad := range []string{"", "x", "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}",
		"urn:uuid:00000000-0000-0000-0000-000000000000", "0000000g-0000-0000-0000-000000000000", "00000000_0000-0000-0000-000000000000"} {
		if _, err := ParseID(bad); err != ErrInvalidID {
			t.Errorf("ParseID(%q) err = %v", bad, err)
		}
	}
}

func FuzzParseID(f *testing.F) {
	f.Add("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
	f.Add("6BA7B810-9DAD-41D1-80B4-00C04FD430C8")
	f.Add("6ba7b810-9dad-41d1-80b4-00c04fd430c")
	f.Add("--------------------------------------")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(id.String(), s) {
			t.Fatalf("ParseID(%q) = %s: not the same id", s, id)
		}
	})
}

func TestParseFault(t *testing.T) {
	tests := []struct {
		payload string
		ok      bool
		want    Fault
	}{
		{`{"fault":"worker_crash_after_claim"}`, true, Fault{Kind: FaultWorkerCrash, Attempt: 1}},
		{`{"fault":"hold_after_claim","fault_attempt":2,"hold_ms":1500}`, true, Fault{Kind: FaultHold, Attempt: 2, Hold: 1500 * time.Millisecond}},
		{`{"fault":"fail","hold_ms":-4}`, true, Fault{Kind: FaultFail, Attempt: 1}},
		{`{"fault":"hold_after_claim","hold_ms":999999999999}`, true, Fault{Kind: FaultHold, Attempt: 1, Hold: maxHold}},
		{`{"fault":"fail","fault_every_attempt":true}`, true, Fault{Kind: FaultFail, Attempt: 1, EveryAttempt: true}},
		{`{"fault":"panic_in_handler","fault_attempt":2}`, true, Fault{Kind: FaultHandlerPanic, Attempt: 2}},
		{`{"fault":"stall_worker_loop","hold_ms":6000}`, true, Fault{Kind: FaultStallLoop, Attempt: 1, Hold: 6 * time.Second}},
		{`{"fault":"panic_in_request"}`, true, Fault{Kind: FaultRequestPanic, Attempt: 1}},
		{`{"fault":"unknown"}`, false, Fault{}},
		{`{"fault":1}`, false, Fault{}},
		{`["fault"]`, false, Fault{}},
		{`"worker_crash_after_claim"`, false, Fault{}},
	}
	for _, tt := range tests {
		got, ok := ParseFault(json.RawMessage(tt.payload))
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseFault(%s) = %+v, %v; want %+v, %v", tt.payload, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFaultOn(t *testing.T) {
	once := Fault{Kind: FaultFail, Attempt: 2}
	every := Fault{Kind: FaultFail, Attempt: 1, EveryAttempt: true}
	for attempt := 1; attempt <= 4; attempt++ {
		if got := once.On(attempt); got != (attempt == 2) {
			t.Errorf("fault on attempt 2: On(%d) = %t", attempt, got)
		}
		if !every.On(attempt) {
			t.Errorf("fault on every attempt: On(%d) = false", attempt)
		}
	}
}

func TestJobJSONShape(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", 3600))
	j := Job{ID: ID{1}, Status: Pending, Payload: json.RawMessage(`{"a":1}`), CreatedAt: Time{at}, UpdatedAt: Time{at}}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"01000000-0000-0000-0000-000000000000","status":"pending","attempts":0,"last_error":null,"payload":{"a":1},"created_at":"2026-01-02T02:04:05.006Z","updated_at":"2026-01-02T02:04:05.006Z","processed_at":null}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}
