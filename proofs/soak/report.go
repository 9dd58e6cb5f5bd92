package soak

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
)

// Files the soak writes into REPORT/soak/.
const (
	Dir        = report.SoakDir
	ReportFile = report.SoakReportFile
	EventsFile = report.SoakEventsFile
	LogFile    = report.SoakLogFile
)

func newReport(o Options) *report.SoakReport {
	return &report.SoakReport{
		SchemaVersion: report.SoakSchemaVersion,
		Seed:          o.Seed,
		Replay:        fmt.Sprintf("make soak JOBS=%d SEED=%d", o.Jobs, o.Seed),
		Config:        report.SoakConfig{Jobs: o.Jobs, Instances: o.Instances, Rate: o.Rate, SettleMS: o.Settle.Milliseconds(), BackendEnv: map[string]string{}},
		Faults:        map[string]int{},
		Checks:        []report.SoakCheck{},
		Chaos:         []report.SoakEvent{},
		Health:        map[string]*report.HealthStat{},
		Resources:     report.SoakResources{Instances: map[string][]report.ProcSample{}, Summary: map[string]report.ResourceSummary{}},
		Files:         map[string]string{},
	}
}

func healthStats(r *report.SoakReport, instance string) *report.HealthStat {
	st, ok := r.Health[instance]
	if !ok {
		st = &report.HealthStat{ByStatus: map[string]int{}}
		r.Health[instance] = st
	}
	return st
}

func summarize(res *report.SoakResources) {
	for name, samples := range res.Instances {
		if len(samples) == 0 {
			continue
		}
		sum := report.ResourceSummary{Samples: len(samples), FirstRSS: samples[0].RSSKiB, LastRSS: samples[len(samples)-1].RSSKiB}
		for _, p := range samples {
			sum.MaxRSS = max(sum.MaxRSS, p.RSSKiB)
			sum.MaxFDs = max(sum.MaxFDs, p.FDs)
			sum.MaxThreads = max(sum.MaxThreads, p.Threads)
		}
		res.Summary[name] = sum
	}
	for _, c := range res.DBConnections {
		res.MaxDBConns = max(res.MaxDBConns, c.Count)
	}
}

// Write replaces reportDir/soak/ with soak.json, events.ndjson and
// backend.log, every byte passed through red.
func Write(reportDir string, r *report.SoakReport, events []report.SoakEvent, log string, red *evidence.Redactor) error {
	dir := filepath.Join(reportDir, Dir)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	r.Files = map[string]string{
		"events": filepath.ToSlash(filepath.Join(Dir, EventsFile)),
		"log":    filepath.ToSlash(filepath.Join(Dir, LogFile)),
	}
	var buf bytes.Buffer
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b report.SoakEvent) int { return a.At.Compare(b.At) })
	for _, e := range events {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := evidence.WriteFile(filepath.Join(dir, EventsFile), buf.Bytes(), red); err != nil {
		return err
	}
	if err := evidence.WriteFile(filepath.Join(dir, LogFile), []byte(log), red); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", ReportFile, err)
	}
	return evidence.WriteFile(filepath.Join(dir, ReportFile), append(data, '\n'), red)
}
