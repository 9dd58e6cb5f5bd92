package jobdoc

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/job"
)

// TestBackendJobDecodes writes jobs with the backend's own type (job.Job),
// a fresh one and a finished one with every nullable field set, decodes them
// with Decode and re-encodes: the JSON comes back the same, so neither side
// has a field the other lacks or names differently, and the times parse
// back to the instants the backend wrote.
func TestBackendJobDecodes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 123_000_000, time.UTC)
	lastErr := "handler: boom"
	done := job.Time{Time: now.Add(time.Second)}
	tests := []struct {
		name string
		job  job.Job
	}{
		{"pending", job.Job{ID: job.NewID(), Status: job.Pending, Payload: json.RawMessage(`{"n":1}`),
			CreatedAt: job.Time{Time: now}, UpdatedAt: job.Time{Time: now}}},
		{"every field set", job.Job{ID: job.NewID(), Status: job.Processed, Attempts: 2, LastError: &lastErr,
			Payload: json.RawMessage(`[1,"two",null]`), CreatedAt: job.Time{Time: now}, UpdatedAt: done, ProcessedAt: &done}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(tt.job)
			if err != nil {
				t.Fatal(err)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(body, &fields); err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 0, len(fields))
			for k := range fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			want := Fields()
			sort.Strings(want)
			if !slices.Equal(keys, want) {
				t.Errorf("the backend writes fields %v, the document has %v", keys, want)
			}
			d, err := Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(body) {
				t.Errorf("round trip changed the job:\n backend %s\n    ours %s", body, again)
			}
			if c, err := d.Created(); err != nil || !c.Equal(now) {
				t.Errorf("Created() = %v, %v; want %v", c, err, now)
			}
			p, err := d.Processed()
			if err != nil || (tt.job.ProcessedAt == nil) != p.IsZero() || (tt.job.ProcessedAt != nil && !p.Equal(done.Time)) {
				t.Errorf("Processed() = %v, %v; backend wrote %v", p, err, tt.job.ProcessedAt)
			}
		})
	}
}

func TestDecodeRefusesWhatIsNotAJob(t *testing.T) {
	for _, body := range []string{``, `[1]`, `{"error":"job not found"}`, `"ok"`, `{"id":7}`} {
		if _, err := Decode([]byte(body)); !errors.Is(err, ErrNotJob) {
			t.Errorf("Decode(%q) = %v, want ErrNotJob", body, err)
		}
	}
}

func TestTimesMustBeUTC(t *testing.T) {
	d := Document{CreatedAt: "2026-03-01T12:00:00+01:00", UpdatedAt: "yesterday"}
	if _, err := d.Created(); err == nil {
		t.Error("a created_at with an offset was accepted")
	}
	if _, err := d.Updated(); err == nil {
		t.Error("an unparseable updated_at was accepted")
	}
}

// TestShortIDTellsTimeOrderedIDsApart: ids the backend makes one after the
// other share their first digits; their short forms must still differ.
func TestShortIDTellsTimeOrderedIDsApart(t *testing.T) {
	a, b := "01a23a6a-1b2c-7d3e-8f40-123456789abc", "01a23a6a-1b2c-7d3f-a041-fedcba987654"
	if ShortID(a) == ShortID(b) {
		t.Fatalf("ShortID(%s) = ShortID(%s) = %s", a, b, ShortID(a))
	}
	if got := ShortID(a); got != "56789abc" {
		t.Errorf("ShortID(%s) = %s, want its last 8 digits", a, got)
	}
	if got := ShortID("abc"); got != "abc" {
		t.Errorf("ShortID(abc) = %s", got)
	}
}
