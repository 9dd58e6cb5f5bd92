package healthdoc

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/prodproof/prodproof/backend/health"
	"github.com/prodproof/prodproof/backend/job"
	"github.com/prodproof/prodproof/backend/worker"
)

// TestBackendDocumentDecodes builds /health documents with the backend's
// own writer (health.Build), a fresh process and one with every optional
// field set, and decodes them with Decode: no field is missing, and
// re-encoding the decoded document gives the backend's JSON back, so
// neither side has a field the other lacks or names differently.
func TestBackendDocumentDecodes(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	reason, lastErr := "panic: boom", "claim job: timeout"
	lastJob, recoveryJob := job.NewID(), job.NewID()
	recoveredAt := now.Add(-time.Second)
	tests := []struct {
		name  string
		snap  worker.Snapshot
		dbErr error
	}{
		{name: "fresh process", snap: worker.Snapshot{Status: worker.StatusStarting, PollInterval: time.Second}},
		{name: "every field set", dbErr: errors.New("connection refused"), snap: worker.Snapshot{
			Status: worker.StatusRunning, PollInterval: 500 * time.Millisecond, BootID: job.NewID(),
			StartedAt: now.Add(-time.Minute), LastTickAt: now.Add(-20 * time.Millisecond), RestartCount: 2,
			LastExitReason: &reason, LastJobID: &lastJob, LastError: &lastErr, ProcessedJobs: 7, FailedJobs: 1,
			RecoveredJobs: 3, LastRecoveryAt: &recoveredAt, LastRecoveryJobID: &recoveryJob, LastRecoveryCount: 3,
			RecoveryActive: true, LastCleanupAt: &recoveredAt, LastCleanupCount: 4, CleanedJobs: 9,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(health.Build(tt.snap, tt.dbErr, now))
			if err != nil {
				t.Fatal(err)
			}
			if m := Missing(body); len(m) > 0 {
				t.Errorf("the backend's document lacks %v", m)
			}
			d, err := Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(again, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("decoded and re-encoded:\n got %s\nwant %s", again, body)
			}
		})
	}
}

func TestDecodeRefusesWhatIsNotHealth(t *testing.T) {
	for _, body := range []string{``, `[1]`, `{"error":"job not found"}`, `"ok"`} {
		if _, err := Decode([]byte(body)); !errors.Is(err, ErrNotHealth) {
			t.Errorf("Decode(%q) = %v, want ErrNotHealth", body, err)
		}
	}
}

func TestMissing(t *testing.T) {
	all := Fields()
	tests := []struct {
		body string
		want []string
	}{
		{`not json`, all},
		{`{"status":"ok","db":null}`, slices.DeleteFunc(slices.Clone(all), func(p string) bool { return p == "status" || p == "db" })},
		{`{"status":"ok","db":{"status":"ok","error":null},"worker":{"status":"running","liveness":"healthy","poll_ms":1,"tick_age_ms":null,"boot_id":null,"started_at":null,"last_tick_at":null,"last_exit_reason":null,"last_job_id":null,"last_error":null,"processed_jobs":0,"failed_jobs":0,"recovered_jobs":0,"last_recovery_at":null,"last_recovery_job_id":null,"last_recovery_count":0,"recovery_active":false,"last_cleanup_at":null,"last_cleanup_count":0,"cleaned_jobs":0}}`,
			[]string{"worker.restart_count"}},
	}
	for _, tt := range tests {
		if got := Missing([]byte(tt.body)); !slices.Equal(got, tt.want) {
			t.Errorf("Missing(%.40q) = %v, want %v", tt.body, got, tt.want)
		}
	}
	if len(all) != 3+2+21 || all[0] != "status" || all[len(all)-1] != "worker.cleaned_jobs" {
		t.Errorf("Fields() = %v", all)
	}
}
