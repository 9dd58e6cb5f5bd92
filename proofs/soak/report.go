package soak

import (
	"fmt"

	"github.com/prodproof/prodproof/internal/report"
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
