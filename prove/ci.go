package prove

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/prodproof/prodproof/internal/report"
	"github.com/prodproof/prodproof/proofs/evidence"
)

// CI-native output of a run: a JUnit XML file (--junit) that CI systems
// turn into test results, and a Markdown table appended to the file named
// by GITHUB_STEP_SUMMARY, which GitHub Actions shows on the run's page.
// Both are written from the report, like every other view of it.

// junitSuites is the JUnit XML root. The shape is the one Jenkins, GitLab
// and GitHub test reporters read: a testcase per proof; a failure carries
// the first failed assertion, an error the harness's reason, a skip why.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure"`
	Error     *junitProblem `xml:"error"`
	Skipped   *junitProblem `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// junitXML renders run as JUnit XML.
func junitXML(run report.Run) ([]byte, error) {
	p := run.Provenance
	total := p.FinishedAt.Sub(p.StartedAt).Milliseconds()
	suite := junitSuite{
		Name:      "proofs",
		Tests:     len(run.Scenarios),
		Failures:  run.Summary.Failed,
		Errors:    run.Summary.Errored,
		Skipped:   run.Summary.Skipped,
		Time:      seconds(total),
		Timestamp: p.StartedAt.UTC().Format("2006-01-02T15:04:05"),
		Properties: []junitProperty{
			{"commit", p.Commit}, {"dirty", fmt.Sprint(p.Dirty)}, {"go_version", p.GoVersion},
			{"postgres_version", p.PostgresVersion}, {"db_source", p.DBSource}, {"run_id", run.RunID},
		},
	}
	for _, s := range run.Scenarios {
		c := junitCase{Name: s.Name, Classname: "proofs", Time: seconds(s.DurationMS), SystemOut: s.Claim + "\nreproduce: " + s.Reproduce}
		switch s.Verdict {
		case report.Pass:
		case report.Fail:
			msg, text := s.Reason, s.Reason
			if f := s.FirstFailure; f != nil {
				msg = f.Name
				text = fmt.Sprintf("%s\nexpected: %s\nobserved: %s", f.Name, f.Expected, f.Observed)
			}
			c.Failure = &junitProblem{Message: msg, Type: "assertion", Text: text}
		case report.Skip:
			c.Skipped = &junitProblem{Message: s.Reason}
		default:
			c.Error = &junitProblem{Message: s.Reason, Type: "harness", Text: s.Reason}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{
		Name: "proofs", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode JUnit XML: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// writeJUnit writes run as JUnit XML to path, redacted.
func writeJUnit(path string, run report.Run, red *evidence.Redactor) error {
	data, err := junitXML(run)
	if err != nil {
		return err
	}
	return report.WriteFile(filepath.Clean(path), data, red)
}

// verdictMark is the verdict as a summary cell.
func verdictMark(v report.Verdict) string {
	switch v {
	case report.Pass:
		return "✅ pass"
	case report.Fail:
		return "❌ fail"
	case report.Skip:
		return "⏭️ skip"
	}
	return "⚠️ error"
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return s
}

// stepSummary renders run as the Markdown a GitHub step summary shows.
func stepSummary(run report.Run) string {
	var b strings.Builder
	commit := run.Provenance.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if run.Provenance.Dirty {
		commit += " (dirty)"
	}
	fmt.Fprintf(&b, "### Proofs: %s\n\n", verdictMark(run.Verdict))
	fmt.Fprintf(&b, "%d passed, %d failed, %d errored, %d skipped on commit `%s`, Postgres %s (%s).\n\n",
		run.Summary.Passed, run.Summary.Failed, run.Summary.Errored, run.Summary.Skipped, cell(commit), cell(run.Provenance.PostgresVersion), cell(run.Provenance.DBSource))
	b.WriteString("| proof | verdict | time | first failure or reason |\n| --- | --- | ---: | --- |\n")
	for _, s := range run.Scenarios {
		why := s.Reason
		if f := s.FirstFailure; f != nil {
			why = fmt.Sprintf("%s (expected %s, observed %s)", f.Name, clip(f.Expected), clip(f.Observed))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %.2f s | %s |\n", s.Name, verdictMark(s.Verdict), float64(s.DurationMS)/1000, cell(why))
	}
	b.WriteString("\n")
	return b.String()
}

// appendStepSummary appends run's table to the file GitHub names, redacted.
func appendStepSummary(path string, run report.Run, red *evidence.Redactor) error {
	return report.AppendFile(path, []byte(stepSummary(run)), red)
}

// clip shortens s to one line of at most 160 bytes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
