// Package finding holds what docscheck reports and writes it in the four
// output formats: plain text, JSON, GitHub workflow annotations and SARIF
// 2.1.0 for code-scanning UIs.
package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Finding is one problem in one Markdown file.
type Finding struct {
	// Path is slash-separated and relative to the repository root.
	Path string `json:"path"`
	// Line and Col are 1-based; Col counts bytes.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Rule names the check, e.g. "link", "anchor", "make-target".
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// Suggestion is the nearest existing name, when there is one.
	Suggestion string `json:"suggestion,omitempty"`
	// NotCertain is set on a case the rule saw but could not call certain
	// (docs/docscheck.md, "Certain, or not judged"): why the page may
	// still work. Such cases are findings only in strict mode.
	NotCertain string `json:"not_certain,omitempty"`
	// Misspelt is, on a command's finding whose name is one typo from
	// Suggestion (the repository's own name in the same place), that name
	// as the command writes it: evidence that holds wherever the reader
	// stands (check's standing). It is not written out.
	Misspelt string `json:"-"`
}

// String is the text form: "path:line:col: rule: message".
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", f.Path, f.Line, f.Col, f.Rule, f.text())
}

// text is the message with its suggestion.
func (f Finding) text() string {
	s := f.Message
	if f.Suggestion != "" {
		s += fmt.Sprintf(" (did you mean %s?)", f.Suggestion)
	}
	if f.NotCertain != "" {
		s += " [not certain: " + f.NotCertain + "]"
	}
	return s
}

// Sort orders findings by path, line, column, rule and message, and drops
// exact duplicates, so that output never depends on scheduling.
func Sort(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.Suggestion, b.Suggestion),
		)
	})
	return slices.Compact(fs)
}

// EscapeInvalidUTF8 writes every byte that is not part of valid UTF-8 as
// \xNN, so a page with a stray Latin-1 byte cannot corrupt a terminal, a
// workflow command or a JSON consumer, and the byte stays visible. A
// backslash is left alone: docs are full of them.
func EscapeInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// escaped is f with every text field made valid UTF-8.
func (f Finding) escaped() Finding {
	f.Path = EscapeInvalidUTF8(f.Path)
	f.Message = EscapeInvalidUTF8(f.Message)
	f.Suggestion = EscapeInvalidUTF8(f.Suggestion)
	f.NotCertain = EscapeInvalidUTF8(f.NotCertain)
	return f
}

// Format names an output format.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	GitHub Format = "github"
	SARIF  Format = "sarif"
)

// Formats lists every format, for help texts.
var Formats = []Format{Text, JSON, GitHub, SARIF}

// ParseFormat accepts text, json, github or sarif.
func ParseFormat(s string) (Format, error) {
	if slices.Contains(Formats, Format(s)) {
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json, github or sarif)", s)
}

// Stats count what a run looked at.
type Stats struct {
	// Files is how many Markdown files were read.
	Files int `json:"files"`
	// Checks is how many links, images, commands and contract rules were
	// judged.
	Checks int `json:"checks"`
	// NotChecked counts, by program name, the commands quoted in shell
	// blocks that docscheck cannot judge (curl, psql, ...).
	NotChecked map[string]int `json:"not_checked"`
	// Skipped counts files not checked because they exceeded a budget;
	// each is also a finding.
	Skipped int `json:"skipped,omitempty"`
	// NotJudged counts, by reason, what a rule saw but could not call
	// certainly broken (a path with no part in the repository, a site
	// rule docscheck does not model): not findings, unless --strict.
	NotJudged map[string]int `json:"not_judged,omitempty"`
}

// NotJudgedTotal is the number of cases not judged.
func (s Stats) NotJudgedTotal() int {
	n := 0
	for _, v := range s.NotJudged {
		n += v
	}
	return n
}

// NotCheckedTotal is the number of commands not judged.
func (s Stats) NotCheckedTotal() int {
	n := 0
	for _, v := range s.NotChecked {
		n += v
	}
	return n
}

// Summary is the one line printed after every run, e.g.
// "docscheck: 8 files, 412 checks, 0 findings, 23 commands not checked (curl 12, psql 6, git 5)".
func (s Stats) Summary(findings int) string {
	line := fmt.Sprintf("docscheck: %s, %s, %s, %s not checked",
		plural(s.Files, "file"), plural(s.Checks, "check"), plural(findings, "finding"), plural(s.NotCheckedTotal(), "command"))
	if len(s.NotChecked) > 0 {
		line += " (" + topCounts(s.NotChecked) + ")"
	}
	if n := s.NotJudgedTotal(); n > 0 {
		line += fmt.Sprintf(", %d not judged (%s)", n, topCounts(s.NotJudged))
	}
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped as too complex", s.Skipped)
	}
	return line
}

// topCounts lists the five largest counts, largest first: "curl 2, git 1".
func topCounts(counts map[string]int) string {
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	var parts []string
	for i, k := range keys {
		if i == 5 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", EscapeInvalidUTF8(k), counts[k]))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Report is the JSON document --format json writes.
type Report struct {
	// Version changes when a field changes meaning or goes away; fields
	// may be added within a version.
	Version  int       `json:"version"`
	Files    int       `json:"files"`
	Stats    Stats     `json:"stats"`
	Findings []Finding `json:"findings"`
}

// Output says how to write a run's findings.
type Output struct {
	Format Format
	// Prefix is joined in front of every path in the github and sarif
	// formats, whose consumers want paths relative to the checkout, not to
	// --root. Empty when the root is the checkout.
	Prefix string
	// Version is docscheck's version, for the SARIF tool record.
	Version string
	// Source returns a file's content by root-relative path, so SARIF
	// columns can be given in UTF-16 code units; nil leaves them as bytes.
	Source func(path string) ([]byte, error)
}

// Write prints findings in the output's format.
func (o Output) Write(w io.Writer, findings []Finding, stats Stats) error {
	clean := make([]Finding, len(findings))
	for i, f := range findings {
		clean[i] = f.escaped()
	}
	switch o.Format {
	case JSON:
		if stats.NotChecked == nil {
			stats.NotChecked = map[string]int{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(Report{Version: 1, Files: stats.Files, Stats: stats, Findings: clean})
	case GitHub:
		for _, f := range clean {
			if _, err := fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n",
				escapeProperty(o.path(f.Path)), f.Line, f.Col, escapeProperty("docscheck "+f.Rule), escapeData(f.text())); err != nil {
				return err
			}
		}
		return nil
	case SARIF:
		return o.writeSARIF(w, clean, findings)
	default:
		for _, f := range clean {
			if _, err := fmt.Fprintln(w, f.String()); err != nil {
				return err
			}
		}
		return nil
	}
}

func (o Output) path(p string) string {
	if o.Prefix == "" || o.Prefix == "." {
		return p
	}
	return path.Join(o.Prefix, p)
}

// escapeData escapes a workflow command message as the runner expects.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
