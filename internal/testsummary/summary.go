package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output and build-fail events
}

// skip is one skipped test and the reason it logged.
type skip struct {
	Package, Test, Reason string
}

// summarize copies the plain-go-test view of the stream in to out, ends it
// with the skipped-tests line, and reports whether anything failed.
func summarize(in io.Reader, out io.Writer) (failed bool, err error) {
	type key struct{ pkg, test string }
	pending := map[key][]string{} // a running test's output, until its verdict
	var skips []skip
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			// Not an event: go test itself speaking (a build error before
			// any test ran, a panic of the runner). Pass it on.
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		switch {
		case e.Action == "build-output":
			io.WriteString(out, e.Output)
		case e.Action == "build-fail":
			failed = true
		case e.Test == "":
			// Package-level: the ok/FAIL/"no test files" lines and what
			// TestMain printed. Plain go test prints no bare PASS line.
			if e.Action == "output" && e.Output != "PASS\n" {
				io.WriteString(out, e.Output)
			}
			if e.Action == "fail" {
				failed = true
			}
		default:
			k := key{e.Package, e.Test}
			switch e.Action {
			case "output":
				pending[k] = append(pending[k], e.Output)
			case "pass":
				delete(pending, k)
			case "fail":
				failed = true
				for _, o := range pending[k] {
					if !strings.HasPrefix(o, "=== ") {
						io.WriteString(out, o)
					}
				}
				delete(pending, k)
			case "skip":
				skips = append(skips, skip{e.Package, e.Test, skipReason(pending[k])})
				delete(pending, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return true, fmt.Errorf("read go test -json: %w", err)
	}
	fmt.Fprintln(out, skippedLine(skips))
	return failed, nil
}

// skipReason is what a skipped test logged, without the runner's own
// "=== RUN" and "--- SKIP" lines: normally the t.Skip message.
func skipReason(output []string) string {
	var parts []string
	for _, o := range output {
		t := strings.TrimSpace(o)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "no reason given"
	}
	return strings.Join(parts, " ")
}

// skippedLine is the closing line: every skipped test, with its reason.
func skippedLine(skips []skip) string {
	if len(skips) == 0 {
		return "skipped: none"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "skipped: %d test", len(skips))
	if len(skips) > 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	for i, s := range skips {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s %s (%s)", s.Package, s.Test, s.Reason)
	}
	return b.String()
}
