package site

import (
	"errors"
	"fmt"
	"html/template"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// The chaos soak (`proofs soak`) and the load-hygiene run (`make load`)
// write their reports beside results.json; the pages decode them with
// internal/report's types and readers, the very ones proofs/soak and
// proofs/load write with.

// Where the soak and the load run write, relative to the report folder, and
// their pages.
var (
	soakReportFile = path.Join(report.SoakDir, report.SoakReportFile)
	loadReportFile = path.Join(report.LoadDir, report.LoadReportFile)
)

const (
	soakPage = "soak.html"
	loadPage = "load.html"
)

// loadStress reads soak.json and load.json when they are there. A file
// that cannot be read is a warning and gets no page, so nothing links to it.
func (b *builder) loadStress() {
	soak, err := report.LoadSoak(b.cfg.ReportDir)
	switch {
	case errors.Is(err, report.ErrNoReport):
	case err != nil:
		b.warn("soak page not built: %v", err)
	default:
		b.soak = soak
	}
	load, err := report.LoadLoad(b.cfg.ReportDir)
	switch {
	case errors.Is(err, report.ErrNoReport):
	case err != nil:
		b.warn("load page not built: %v", err)
	default:
		b.load = load
	}
}

// stressItem is a link to the soak or the load page, for the navigation
// and the index.
type stressItem struct {
	Title, Path, Verdict, VerdictLabel, Summary string
}

func (b *builder) stressItems() []stressItem {
	var out []stressItem
	if r := b.soak; r != nil {
		out = append(out, stressItem{Title: "Chaos soak", Path: soakPage, Verdict: verdictClass(string(r.Verdict)), VerdictLabel: verdictLabel(string(r.Verdict)), Summary: r.Line()})
	}
	if r := b.load; r != nil {
		v, label := loadVerdict(r)
		out = append(out, stressItem{Title: "Load hygiene", Path: loadPage, Verdict: v, VerdictLabel: label,
			Summary: fmt.Sprintf("%d requests in %s; POST p99 %s; /health max %s", r.Requests, formatDuration(time.Duration(r.DurationMS)*time.Millisecond), formatMS(r.PostP99MS), formatMS(r.HealthMaxMS))})
	}
	return out
}

func loadVerdict(r *report.LoadReport) (class, label string) {
	if r.Verdict == "" {
		return "unknown", "not recorded"
	}
	return verdictClass(string(r.Verdict)), verdictLabel(string(r.Verdict))
}

func formatMS(ms float64) string { return fmt.Sprintf("%.1f ms", ms) }

func formatKiB(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// soakView is everything the soak page shows.
type soakView struct {
	Verdict, VerdictLabel string
	Reason                string
	Seed                  int64
	Replay, Summary       string
	Started, Finished     string
	Commit                string
	Dirty                 bool
	GoVersion, Postgres   string
	DBSource, Command     string
	Config                []factView
	Durations             []factView
	Checks                []checkView
	Failure               *checkView
	Faults                []countRow
	FaultsTotal           int
	Client                []countRow
	Instances             []instanceView
	DBSessions            template.HTML
	MaxDBConns            int
	SessionSamples        int
	Chaos                 []eventRow
	Events                []eventRow
	LogLines              []logLine
	LogShown, LogTotal    int
	LogHref               string
	Evidence              []evidenceLink
}

type factView struct{ Label, Value string }

type checkView struct {
	Name, Expected, Observed string
	OK, First                bool
}

type countRow struct {
	Label string
	N     int
}

// instanceView is one backend process of the soak: its /health record and
// its resource samples.
type instanceView struct {
	Name                           string
	Samples                        int
	FirstRSS, MaxRSS, LastRSS      string
	MaxThreads, MaxFDs             string
	Spark                          template.HTML
	HealthSamples                  string
	HealthByStatus                 string
	HealthMaxLatency, HealthOver50 string
}

type eventRow struct {
	Offset, Clock, Type, Kind, Instance, Detail, Duration string
}

// clientLabels names the soak client's counters.
var clientLabels = []string{
	"requests sent", "accepted (201)", "retries", "503 answers (retried)", "other 5xx answers",
	"valid jobs rejected (4xx)", "unanswered requests (retried)", "jobs given up", "retries recognised by their idempotency key",
}

func (b *builder) writeSoak() error {
	r := b.soak
	start := r.Provenance.StartedAt
	v := soakView{
		Verdict: verdictClass(string(r.Verdict)), VerdictLabel: verdictLabel(string(r.Verdict)), Reason: r.Reason,
		Seed: r.Seed, Replay: r.Replay, Summary: r.Line(),
		Started: formatTime(start), Finished: formatTime(r.Provenance.FinishedAt),
		Commit: shortCommit(r.Provenance.Commit), Dirty: r.Provenance.Dirty,
		GoVersion: r.Provenance.GoVersion, Postgres: r.Provenance.PostgresVersion,
		DBSource: r.Provenance.DBSource, Command: r.Provenance.Command,
		FaultsTotal: r.FaultsTotal, MaxDBConns: r.Resources.MaxDBConns, SessionSamples: len(r.Resources.DBConnections),
	}
	if v.Commit == "" {
		v.Commit = "—"
	}
	v.Config = []factView{
		{"Jobs asked for", fmt.Sprint(r.Config.Jobs)},
		{"Accepted / rows", fmt.Sprintf("%d / %d", r.Accepted, r.Jobs)},
		{"Instances", fmt.Sprint(r.Config.Instances)},
		{"Post rate", fmt.Sprintf("%d/s", r.Config.Rate)},
		{"Settle limit", formatDuration(time.Duration(r.Config.SettleMS) * time.Millisecond)},
	}
	for _, k := range sortedKeys(r.Config.BackendEnv) {
		v.Config = append(v.Config, factView{k, r.Config.BackendEnv[k]})
	}
	ms := func(n int64) string { return formatDuration(time.Duration(n) * time.Millisecond) }
	v.Durations = []factView{{"Posting", ms(r.Durations.PostMS)}, {"Chaos", ms(r.Durations.ChaosMS)}, {"Settling", ms(r.Durations.SettleMS)}, {"Total", ms(r.Durations.TotalMS)}}

	for _, c := range r.Checks {
		cv := checkView{Name: c.Name, Expected: c.Expected, Observed: c.Observed, OK: c.OK}
		if !c.OK && v.Failure == nil {
			cv.First = true
			failure := cv
			v.Failure = &failure
		}
		v.Checks = append(v.Checks, cv)
	}
	for _, k := range sortedKeys(r.Faults) {
		v.Faults = append(v.Faults, countRow{k, r.Faults[k]})
	}
	c := r.Client
	for i, n := range []int{c.Requests, c.Accepted, c.Retries, c.Status503, c.Status5xx, c.Rejected, c.TransportErrors, c.GaveUp, c.Replayed} {
		v.Client = append(v.Client, countRow{clientLabels[i], n})
	}

	// One row per instance that started, in start order, then any other
	// name the figures mention.
	names := append([]string{}, r.InstancesStarted...)
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for _, m := range []map[string]bool{keySet(r.Resources.Instances), keySet(r.Health)} {
		for _, n := range sortedKeys(m) {
			if !known[n] {
				known[n] = true
				names = append(names, n)
			}
		}
	}
	span := sparkSpan(r.Resources.Instances)
	lo, hi := rssRange(r.Resources.Instances)
	for _, n := range names {
		iv := instanceView{Name: n, FirstRSS: "—", MaxRSS: "—", LastRSS: "—", MaxThreads: "—", MaxFDs: "—",
			HealthSamples: "—", HealthByStatus: "—", HealthMaxLatency: "—", HealthOver50: "—"}
		if s, ok := r.Resources.Summary[n]; ok {
			iv.Samples = s.Samples
			iv.FirstRSS, iv.MaxRSS, iv.LastRSS = formatKiB(s.FirstRSS), formatKiB(s.MaxRSS), formatKiB(s.LastRSS)
			iv.MaxThreads, iv.MaxFDs = fmt.Sprint(s.MaxThreads), fmt.Sprint(s.MaxFDs)
		}
		if samples := r.Resources.Instances[n]; len(samples) > 0 {
			pts := make([]sparkPoint, len(samples))
			for i, s := range samples {
				pts[i] = sparkPoint{At: s.At, Value: float64(s.RSSKiB)}
			}
			iv.Spark = template.HTML(sparkline(pts, span, lo, hi, fmt.Sprintf("%s resident memory: %s at first, %s at most, %s at last (%d samples)", n, iv.FirstRSS, iv.MaxRSS, iv.LastRSS, len(samples))))
		}
		if h, ok := r.Health[n]; ok {
			iv.HealthSamples = fmt.Sprint(h.Samples)
			var parts []string
			for _, st := range sortedKeys(h.ByStatus) {
				parts = append(parts, fmt.Sprintf("%s %d", st, h.ByStatus[st]))
			}
			iv.HealthByStatus = strings.Join(parts, ", ")
			iv.HealthMaxLatency, iv.HealthOver50 = formatMS(h.MaxLatencyMS), fmt.Sprint(h.Over50MS)
		}
		v.Instances = append(v.Instances, iv)
	}
	if conns := r.Resources.DBConnections; len(conns) > 0 {
		pts := make([]sparkPoint, len(conns))
		for i, s := range conns {
			pts[i] = sparkPoint{At: s.At, Value: float64(s.Count)}
		}
		v.DBSessions = template.HTML(sparkline(pts, span.union(pts), 0, float64(r.Resources.MaxDBConns), fmt.Sprintf("database sessions of the backends: at most %d (%d samples)", r.Resources.MaxDBConns, len(conns))))
	}
	for _, e := range r.Chaos {
		v.Chaos = append(v.Chaos, newEventRow(e, start))
	}

	files := r.Files
	if len(files) == 0 {
		files = map[string]string{"events": "soak/events.ndjson", "log": "soak/backend.log"}
	}
	files = withEntry(files, "report", soakReportFile)
	evidence, warnings := reportFiles(b.cfg.ReportDir, files)
	switch commit := r.Provenance.Commit; {
	case commit == "":
		warnings = append(warnings, "The soak report does not say which commit it ran on; it may not match this checkout.")
	case b.cfg.HeadCommit != "" && b.cfg.HeadCommit != commit:
		warnings = append(warnings, fmt.Sprintf("This soak ran on commit %s, but the checkout is at %s: its results may not hold for the current code.", shortCommit(commit), shortCommit(b.cfg.HeadCommit)))
	}
	if ev, ok := evidence["events"]; ok {
		events, err := report.LoadSoakEvents(ev.Src)
		if err != nil {
			warnings = append(warnings, "soak events partly unreadable: "+err.Error())
		}
		for _, e := range events {
			v.Events = append(v.Events, newEventRow(e, start))
		}
	}
	if ev, ok := evidence["log"]; ok {
		lines, total, err := logTail(ev.Src, b.cfg.LogLines)
		if err != nil {
			warnings = append(warnings, "soak backend log unreadable: "+err.Error())
		}
		for _, l := range lines {
			v.LogLines = append(v.LogLines, newLogLine(l))
		}
		v.LogShown, v.LogTotal, v.LogHref = len(lines), total, "soak/"+ev.Name
	}
	for _, kind := range sortedKeys(evidence) {
		ev := evidence[kind]
		if err := b.copyInto("soak/"+ev.Name, ev.Src); err != nil {
			return err
		}
		v.Evidence = append(v.Evidence, evidenceLink{Label: soakEvidenceLabel(kind), Href: "soak/" + ev.Name, Size: formatSize(ev.Size)})
	}
	return b.render(soakPage, "soak", "Chaos soak", v, warnings)
}

var soakEvidenceLabels = map[string]string{
	"report": "soak report (soak.json)",
	"events": "event stream",
	"log":    "backend log of every instance",
}

func soakEvidenceLabel(kind string) string {
	if l, ok := soakEvidenceLabels[kind]; ok {
		return l
	}
	return kind
}

func newEventRow(e report.SoakEvent, start time.Time) eventRow {
	r := eventRow{Offset: offsetFrom(start, e.At), Clock: formatClock(e.At), Type: e.Type, Kind: e.Kind, Instance: e.Instance, Detail: e.Detail}
	if e.DurationMS > 0 {
		r.Duration = formatDuration(time.Duration(e.DurationMS) * time.Millisecond)
	}
	return r
}

// reportFiles finds the files a soak or load report names, relative to the
// report folder; a path that leaves the folder is ignored with a warning.
func reportFiles(reportDir string, files map[string]string) (map[string]evidenceFile, []string) {
	out := map[string]evidenceFile{}
	var warnings []string
	names := map[string]string{}
	for _, kind := range sortedKeys(files) {
		p := filepath.FromSlash(files[kind])
		if !filepath.IsLocal(p) {
			warnings = append(warnings, fmt.Sprintf("evidence %q path %q leaves the report folder; ignored", kind, files[kind]))
			continue
		}
		src := filepath.Join(reportDir, p)
		info, err := os.Stat(src)
		if err != nil || !info.Mode().IsRegular() {
			warnings = append(warnings, fmt.Sprintf("evidence %q (%s) is missing", kind, files[kind]))
			continue
		}
		name := path.Base(filepath.ToSlash(p))
		if other, dup := names[name]; dup {
			warnings = append(warnings, fmt.Sprintf("evidence %q and %q share a file name; %q renamed", other, kind, kind))
			name = kind + "-" + name
		}
		names[name] = kind
		out[kind] = evidenceFile{Kind: kind, Src: src, Name: name, Size: info.Size()}
	}
	return out, warnings
}

func withEntry(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		out[key] = val
	}
	return out
}

func keySet[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// loadView is everything the load page shows.
type loadView struct {
	Verdict, VerdictLabel string
	Failures              []string
	Strict                string
	Figures               []factView
	Hygiene               []hygieneRow
	ErrorExamples         []string
	RSSSpark              template.HTML
	SessionsSpark         template.HTML
	Evidence              []evidenceLink
}

// hygieneRow compares the middle third of the run (warm) with the last.
type hygieneRow struct {
	Label, Warm, End string
}

func (b *builder) writeLoad() error {
	r := b.load
	v := loadView{Failures: r.Failures, ErrorExamples: r.ErrorExamples}
	v.Verdict, v.VerdictLabel = loadVerdict(r)
	switch {
	case r.HealthStrict == nil:
		v.Strict = "not recorded"
	case *r.HealthStrict:
		v.Strict = "yes: p95 under /livez p95 + 50 ms (p99 and max are reported, not judged)"
	default:
		v.Strict = "no: latency reported, not judged"
	}
	non200 := 0
	for _, h := range r.Health {
		if h.Status != 200 {
			non200++
		}
	}
	p95, livez := "not recorded", "not recorded"
	if r.HealthP95MS > 0 {
		p95 = formatMS(r.HealthP95MS)
	}
	if r.LivezP95MS > 0 {
		livez = formatMS(r.LivezP95MS)
	}
	v.Figures = []factView{
		{"Duration", formatDuration(time.Duration(r.DurationMS) * time.Millisecond)},
		{"Rate", fmt.Sprintf("%d posts/s, each read back", r.Rate)},
		{"Requests", fmt.Sprint(r.Requests)},
		{"Failed requests", fmt.Sprint(r.Errors)},
		{"POST /jobs p50", formatMS(r.PostP50MS)},
		{"POST /jobs p99", formatMS(r.PostP99MS)},
		{"/health probes", fmt.Sprint(len(r.Health))},
		{"/health not 200", fmt.Sprint(non200)},
		{"/health max", formatMS(r.HealthMaxMS)},
		{"/health p95", p95},
		{"/livez p95 (same moments)", livez},
		{"/health p99", formatMS(r.HealthP99MS)},
		{"/health over 50 ms", fmt.Sprint(r.HealthOver50)},
		{"/health judged strictly", v.Strict},
	}
	f := r.Flatness
	v.Hygiene = []hygieneRow{
		{"Resident memory (median)", formatKiB(f.RSSWarmKiB), formatKiB(f.RSSEndKiB)},
		{"Open files (max)", fmt.Sprint(f.FDsWarmMax), fmt.Sprint(f.FDsEndMax)},
		{"OS threads (max)", fmt.Sprint(f.ThreadsWarmMax), fmt.Sprint(f.ThreadsEndMax)},
		{"Database sessions (max)", fmt.Sprint(f.ConnsWarmMax), fmt.Sprint(f.ConnsEndMax)},
	}
	if len(r.Proc) > 0 {
		pts := make([]sparkPoint, len(r.Proc))
		var lo, hi float64
		for i, s := range r.Proc {
			pts[i] = sparkPoint{At: s.At, Value: float64(s.RSSKiB)}
			if i == 0 || pts[i].Value < lo {
				lo = pts[i].Value
			}
			hi = max(hi, pts[i].Value)
		}
		v.RSSSpark = template.HTML(sparkline(pts, sparkBounds{}.union(pts), lo, hi, fmt.Sprintf("backend resident memory over the run: %s to %s (%d samples)", formatKiB(int64(lo)), formatKiB(int64(hi)), len(pts))))
	}
	if len(r.Conns) > 0 {
		pts := make([]sparkPoint, len(r.Conns))
		for i, s := range r.Conns {
			pts[i] = sparkPoint{At: s.At, Value: float64(s.Count)}
		}
		v.SessionsSpark = template.HTML(sparkline(pts, sparkBounds{}.union(pts), 0, float64(max(f.ConnsMax, 1)), fmt.Sprintf("backend database sessions over the run: at most %d (%d samples)", f.ConnsMax, len(pts))))
	}
	evidence, warnings := reportFiles(b.cfg.ReportDir, map[string]string{"report": loadReportFile})
	if ev, ok := evidence["report"]; ok {
		if err := b.copyInto("load/"+ev.Name, ev.Src); err != nil {
			return err
		}
		v.Evidence = append(v.Evidence, evidenceLink{Label: "load report with every sample (load.json)", Href: "load/" + ev.Name, Size: formatSize(ev.Size)})
	}
	return b.render(loadPage, "load", "Load hygiene", v, warnings)
}
