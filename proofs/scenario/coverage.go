package scenario

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/prodproof/prodproof/internal/await"
)

// flushWait bounds how long the end of a proof waits for its covered
// backends to write their counters (a SIGSTOPped one never will).
const flushWait = 2 * time.Second

// flushCoverage asks every live backend of the run's covered build to
// write its coverage counters now (SIGUSR1, see backend/coverflush.go) and
// waits until each has said so, before the cleanup SIGKILLs them: what a
// proof's last requests ran is then counted too.
func (t *T) flushCoverage() {
	dir := t.env.CoverDirFor(t.Name)
	if dir == "" {
		return
	}
	t.mu.Lock()
	backends := append([]*Backend(nil), t.backends...)
	t.mu.Unlock()
	var markers []string
	for _, b := range backends {
		if !b.covered || !b.Alive() {
			continue
		}
		marker := filepath.Join(dir, "flushed."+strconv.Itoa(b.proc.PID()))
		os.Remove(marker)
		if b.proc.Signal(syscall.SIGUSR1) == nil {
			markers = append(markers, marker)
		}
	}
	// A backend that does not answer in time (SIGSTOPped) loses what it
	// ran since its last periodic flush; nothing else depends on it.
	_ = await.Condition(flushWait, "coverage flushed", func() (bool, string) {
		for _, m := range markers {
			if _, err := os.Stat(m); err != nil {
				return false, "waiting for " + filepath.Base(m)
			}
		}
		return true, ""
	})
}
