package job

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseIDRoundTrip(t *testing.T) {
	for range 100 {
		id := NewID()
		s := id.String()
		if s[14] != '7' || !strings.ContainsRune("89ab", rune(s[19])) {
			t.Fatalf("%s is not a version 7 UUID", s)
		}
		back, err := ParseID(strings.ToUpper(s))
		if err != nil || back != id {
			t.Fatalf("ParseID(%s) = %v, %v", s, back, err)
		}
	}
	// Ids of any version stay valid: jobs stored before ids were
	// time-ordered have version 4 ids, and a client may hold them.
	for _, old := range []string{"6ba7b810-9dad-41d1-80b4-00c04fd430c8", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"} {
		if id, err := ParseID(old); err != nil || !strings.EqualFold(id.String(), old) {
			t.Errorf("ParseID(%s) = %v, %v", old, id, err)
		}
	}
	for _, bad := range []string{"", "x", "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}",
		"urn:uuid:00000000-0000-0000-0000-000000000000", "0000000g-0000-0000-0000-000000000000", "00000000_0000-0000-0000-000000000000"} {
		if _, err := ParseID(bad); err != ErrInvalidID {
			t.Errorf("ParseID(%q) err = %v", bad, err)
		}
	}
}

// TestNewIDSortsByCreation: ids made one after another sort in the order
// they were made, as bytes (how Postgres orders a uuid column) and as text,
// also when many are made within one tick of the clock.
func TestNewIDSortsByCreation(t *testing.T) {
	prev := NewID()
	for i := range 100000 {
		id := NewID()
		if bytes.Compare(prev[:], id[:]) >= 0 || prev.String() >= id.String() {
			t.Fatalf("id %d, %s, does not sort after the one made before it, %s", i, id, prev)
		}
		prev = id
	}
}

// TestIDClock: the first 48 bits are the Unix milliseconds, the next 12
// (after the version) the fraction of the millisecond; ids made at the same
// instant, or with the clock stepped back, still increase.
func TestIDClock(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 750_000_000+500_000, time.UTC) // 0.5 ms into a millisecond
	var c idClock
	first := c.at(at)
	if got := int64(binary.BigEndian.Uint64(first[0:8]) >> 16); got != at.UnixMilli() {
		t.Fatalf("%s: milliseconds %d, want %d", first, got, at.UnixMilli())
	}
	if got := binary.BigEndian.Uint16(first[6:8]); got != 0x7000|2048 {
		t.Fatalf("%s: version and fraction %#x, want %#x", first, got, 0x7000|2048)
	}
	if first[8]&0xc0 != 0x80 {
		t.Fatalf("%s: variant bits %#x", first, first[8]>>6)
	}
	prev := first
	for i, next := range []time.Time{at, at, at.Add(-time.Second), at.Add(time.Microsecond), at.Add(time.Millisecond)} {
		id := c.at(next)
		if bytes.Compare(prev[:], id[:]) >= 0 {
			t.Fatalf("id %d (at %v), %s, does not sort after %s", i, next, id, prev)
		}
		prev = id
	}
	later := c.at(at.Add(time.Hour))
	if got := int64(binary.BigEndian.Uint64(later[0:8]) >> 16); got != at.Add(time.Hour).UnixMilli() {
		t.Fatalf("%s: milliseconds %d, want %d: the clock moved on, the stamp must follow it", later, got, at.Add(time.Hour).UnixMilli())
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
