// Package finding holds what docscheck reports and writes it in the three
// output formats: plain text, JSON and GitHub workflow annotations.
package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
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
}

// String is the text form: "path:line:col: rule: message".
func (f Finding) String() string {
	msg := f.Message
	if f.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", f.Suggestion)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", f.Path, f.Line, f.Col, f.Rule, msg)
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

// Format names an output format.
type Format string

const (
	Text   Format = "text"
	JSON   Format = "json"
	GitHub Format = "github"
)

// ParseFormat accepts text, json or github.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case Text, JSON, GitHub:
		return Format(s), nil
	}
	return "", fmt.Errorf("unknown format %q (want text, json or github)", s)
}

// Report is the JSON document --format json writes.
type Report struct {
	// Version changes when a field changes meaning or goes away.
	Version  int       `json:"version"`
	Files    int       `json:"files"`
	Findings []Finding `json:"findings"`
}

// Write prints findings in the format. files is how many Markdown files
// were checked.
func Write(w io.Writer, format Format, findings []Finding, files int) error {
	switch format {
	case JSON:
		if findings == nil {
			findings = []Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(Report{Version: 1, Files: files, Findings: findings})
	case GitHub:
		for _, f := range findings {
			msg := f.Message
			if f.Suggestion != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", f.Suggestion)
			}
			if _, err := fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=%s::%s\n",
				escapeProperty(f.Path), f.Line, f.Col, escapeProperty("docscheck "+f.Rule), escapeData(msg)); err != nil {
				return err
			}
		}
		return nil
	default:
		for _, f := range findings {
			if _, err := fmt.Fprintln(w, f.String()); err != nil {
				return err
			}
		}
		return nil
	}
}

// escapeData escapes a workflow command message as the runner expects.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
