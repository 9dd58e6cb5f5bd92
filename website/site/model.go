package site

import (
	"fmt"
	"html/template"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

// notRun is the verdict shown for a proof that has no result in the report.
const notRun = "notrun"

// historyLen is how many past runs the flakiness strips show.
const historyLen = 20

func verdictLabel(v string) string {
	switch v {
	case notRun:
		return "not run"
	case string(report.Pass), string(report.Fail), string(report.Error), string(report.Skip):
		return v
	default:
		return "unknown (" + v + ")"
	}
}

// verdictClass maps a verdict to one of a fixed set of CSS classes.
func verdictClass(v string) string {
	switch v {
	case string(report.Pass), string(report.Fail), string(report.Error), string(report.Skip), notRun:
		return v
	default:
		return "unknown"
	}
}

// runView is the provenance of the report's run.
type runView struct {
	ID, Verdict, VerdictLabel string
	Started, Finished         string
	Duration                  string
	Commit, CommitShort       string
	Dirty                     bool
	GoVersion, Postgres       string
	DBSource, Host, Command   string
	Summary                   report.Summary
	Proofs                    int // how many proofs the run ran
}

func newRunView(r *report.Run) *runView {
	p := r.Provenance
	return &runView{
		ID:           r.RunID,
		Verdict:      verdictClass(string(r.Verdict)),
		VerdictLabel: verdictLabel(string(r.Verdict)),
		Started:      formatTime(p.StartedAt),
		Finished:     formatTime(p.FinishedAt),
		Duration:     formatDuration(p.FinishedAt.Sub(p.StartedAt)),
		Commit:       p.Commit,
		CommitShort:  shortCommit(p.Commit),
		Dirty:        p.Dirty,
		GoVersion:    p.GoVersion,
		Postgres:     p.PostgresVersion,
		DBSource:     p.DBSource,
		Host:         p.Host,
		Command:      p.Command,
		Summary:      r.Summary,
		Proofs:       len(r.Scenarios),
	}
}

// coverageView is the backend coverage of one proof or of the whole run,
// with a link to the listing of the lines it ran ("" when the report has
// no listing).
type coverageView struct {
	Percent             string
	Covered, Statements int
	Href                string
}

func newCoverageView(c *report.Coverage, href string) *coverageView {
	return &coverageView{Percent: fmt.Sprintf("%.1f %%", c.Percent()), Covered: c.Covered, Statements: c.Statements, Href: href}
}

// historyCell is one run in a proof's history strip.
type historyCell struct {
	Verdict string // CSS class; "none" when the proof was not in that run
	Label   string
}

// proofHistory is a proof's record over the last runs, oldest first.
type proofHistory struct {
	Cells    []historyCell
	Flaky    bool   // both passed and failed within the strip
	LastSeen string // when it last had a verdict: time, commit, verdict
	Runs     []historyRun
}

type historyRun struct {
	RunID, When, Commit, Verdict, VerdictLabel string
}

func buildHistory(history []report.HistoryEntry, name string) proofHistory {
	var h proofHistory
	if len(history) > historyLen {
		history = history[len(history)-historyLen:]
	}
	passed, failed := false, false
	for _, e := range history {
		commit := shortCommit(e.Commit)
		if e.Dirty {
			commit += " (dirty)"
		}
		v, ok := e.Verdicts[name]
		cell := historyCell{Verdict: "none", Label: fmt.Sprintf("%s · %s · not in this run", formatTime(e.StartedAt), commit)}
		if ok {
			cell = historyCell{Verdict: verdictClass(string(v)), Label: fmt.Sprintf("%s · %s · %s", formatTime(e.StartedAt), commit, verdictLabel(string(v)))}
			h.LastSeen = fmt.Sprintf("%s on %s (%s)", formatTime(e.StartedAt), commit, verdictLabel(string(v)))
			h.Runs = append(h.Runs, historyRun{RunID: e.RunID, When: formatTime(e.StartedAt), Commit: commit, Verdict: verdictClass(string(v)), VerdictLabel: verdictLabel(string(v))})
			passed = passed || v == report.Pass
			failed = failed || v == report.Fail
		}
		h.Cells = append(h.Cells, cell)
	}
	h.Flaky = passed && failed
	// Newest first reads best in a table.
	for i, j := 0, len(h.Runs)-1; i < j; i, j = i+1, j-1 {
		h.Runs[i], h.Runs[j] = h.Runs[j], h.Runs[i]
	}
	return h
}

// withCurrentRun appends the report's run to the history when the runner
// has not recorded it there, so the strip always ends with what the page shows.
func withCurrentRun(history []report.HistoryEntry, run *report.Run) []report.HistoryEntry {
	if run == nil {
		return history
	}
	for _, e := range history {
		if e.RunID == run.RunID {
			return history
		}
	}
	e := report.HistoryEntry{RunID: run.RunID, Commit: run.Provenance.Commit, Dirty: run.Provenance.Dirty,
		StartedAt: run.Provenance.StartedAt, FinishedAt: run.Provenance.FinishedAt, Verdicts: map[string]report.Verdict{}}
	for _, s := range run.Scenarios {
		e.Verdicts[s.Name] = s.Verdict
	}
	return append(history, e)
}

// proofRow is one line of the index's claims table.
type proofRow struct {
	Name, Path, Claim         string
	Verdict, VerdictLabel     string
	Reason, Duration, Started string
	Commit                    string
	InCatalog                 bool
	History                   proofHistory
	FirstFailure              string

	// RunID is the run this claim's verdict came from; InLatestRun is
	// whether that is the report's latest run. OlderCommit, when set, is
	// the commit the site speaks for, which this verdict is not from.
	RunID       string
	InLatestRun bool
	OlderCommit string
}

// stepView is one step of a scenario.
type stepView struct {
	N             int
	Offset, Clock string
	Name, Detail  string
}

type assertionView struct {
	Offset, Clock      string
	Name               string
	Expected, Observed string
	OK, First          bool
}

type healthRow struct {
	Offset, Clock, Instance string
	HTTP                    string
	Status, StatusClass     string
	Liveness                string
	Restarts, Recovered     string
	Processed, Recovering   string
	Error                   string
}

type logLine struct {
	Instance string // the "[a]" prefix the runner puts on each line, if any
	Text     string
	Class    string // "", "log-warn" or "log-error"
}

// newLogLine splits off the runner's instance prefix so it can be shown apart.
func newLogLine(line string) logLine {
	l := logLine{Text: line, Class: logLineClass(line)}
	if end := strings.Index(line, "] "); strings.HasPrefix(line, "[") && end > 0 && end < 24 {
		l.Instance, l.Text = line[:end+1], line[end+2:]
	}
	return l
}

type evidenceLink struct {
	Label, Href, Size string
}

// proofView is everything a proof page shows.
type proofView struct {
	proofRow
	Reproduce  string
	HasResult  bool
	StartedAt  string
	Steps      []stepView
	Assertions []assertionView
	Failure    *assertionView
	Chart      template.HTML
	HealthRows []healthRow
	Instances  []string
	DBTables   []dbTable
	DBRaw      string
	LogLines   []logLine
	LogShown   int
	LogTotal   int
	LogHref    string
	Evidence   []evidenceLink
	Warnings   []string
	// Guards are the mutants this proof must catch, with what the last
	// `proofs mutants` run made of each; MutantRun says when it ran.
	Guards    []guardView
	MutantRun string
	// Coverage is the backend code this proof's processes ran, or nil.
	Coverage *coverageView
}

// guardView is one mutant a proof must catch.
type guardView struct {
	Name, Change, File string
	Outcome            string // caught, survived, stale, error, or "not run"
	Class              string // verdict class for the badge
	Detail             string // this proof's first failure on the mutant, or the reason
}

func newAssertionView(a report.Assertion, start time.Time) assertionView {
	return assertionView{Offset: offsetFrom(start, a.At), Clock: formatClock(a.At), Name: a.Name,
		Expected: a.Expected, Observed: a.Observed, OK: a.OK}
}

func offsetFrom(start, t time.Time) string {
	if start.IsZero() || t.IsZero() {
		return ""
	}
	return formatOffset(t.Sub(start))
}

func newHealthRow(p healthPoint, start time.Time) healthRow {
	r := healthRow{Offset: offsetFrom(start, p.At), Clock: formatClock(p.At), Instance: p.Instance,
		HTTP: "—", Status: p.Status, StatusClass: "st-unknown", Liveness: "—", Restarts: "—",
		Recovered: "—", Processed: "—", Recovering: "—", Error: p.Error}
	if knownStatus[p.Status] {
		r.StatusClass = "st-" + p.Status
	}
	if p.HTTP != 0 {
		r.HTTP = fmt.Sprint(p.HTTP)
	}
	if p.Liveness != "" {
		r.Liveness = p.Liveness
	}
	if w := p.Worker; w != nil {
		shown := func(field string, v any) string {
			if p.Missing[field] {
				return "missing"
			}
			return fmt.Sprint(v)
		}
		r.Restarts = shown("worker.restart_count", w.RestartCount)
		r.Recovered = shown("worker.recovered_jobs", w.RecoveredJobs)
		r.Processed = shown("worker.processed_jobs", w.ProcessedJobs)
		r.Recovering = shown("worker.recovery_active", w.RecoveryActive)
	}
	return r
}

// logLineClass marks warning and error lines of slog's JSON or text output.
func logLineClass(line string) string {
	switch {
	case strings.Contains(line, `"level":"ERROR"`), strings.Contains(line, "level=ERROR"):
		return "log-error"
	case strings.Contains(line, `"level":"WARN"`), strings.Contains(line, "level=WARN"):
		return "log-warn"
	}
	return ""
}

func formatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
	}
}

var evidenceLabels = map[string]string{
	"events":  "event stream",
	"health":  "/health samples",
	"db_rows": "database rows",
	"log":     "backend log",
}

func evidenceLabel(kind string) string {
	if l, ok := evidenceLabels[kind]; ok {
		return l
	}
	return kind
}

// safeName reports whether a scenario name can be used as a file name.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, ".") || !filepath.IsLocal(name) {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func proofPath(name string) string { return "proofs/" + name + ".html" }

func sortHealth(points []healthPoint) {
	sort.SliceStable(points, func(i, j int) bool {
		if !points[i].At.Equal(points[j].At) {
			return points[i].At.Before(points[j].At)
		}
		return points[i].Instance < points[j].Instance
	})
}
