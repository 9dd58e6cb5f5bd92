package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The exact texts a user scripts against (the --help output, each refusal
// line, each error answer) are written once, in the "Exact texts" section
// of docs/reference-backend.md, and read from there: a proof that kept its
// own copy could drift from the page, and one that read the backend's code
// would move its expectation with a mutant.

// exactTextsPage is where the exact texts are documented.
const exactTextsPage = "docs/reference-backend.md"

// documented parses the section under the heading `### title` of the
// exact texts page with parse, and stops the proof when the page cannot be
// read or the section is missing or does not parse.
func documented[R any](t *T, title string, parse func(lines []string) (R, error)) R {
	data, err := os.ReadFile(filepath.Join(t.Root(), exactTextsPage))
	if err != nil {
		t.Fatal("read the exact texts: %v", err)
	}
	r, err := parseSection(string(data), title, parse)
	if err != nil {
		t.Fatal("%s: %v", exactTextsPage, err)
	}
	return r
}

// parseSection parses the section under the heading `### title` of page.
func parseSection[R any](page, title string, parse func(lines []string) (R, error)) (R, error) {
	lines, err := sectionLines(page, title)
	if err != nil {
		var zero R
		return zero, err
	}
	r, err := parse(lines)
	if err != nil {
		return r, fmt.Errorf("%s: %w", title, err)
	}
	return r, nil
}

func sectionLines(page, title string) ([]string, error) {
	var out []string
	in, fenced := false, false
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(l, "#") {
			if in {
				break
			}
			in = l == "### "+title
			continue
		}
		if in {
			out = append(out, l)
		}
	}
	if out == nil {
		return nil, fmt.Errorf("no section ### %s", title)
	}
	return out, nil
}

// tableRows is the cells of each row of the first Markdown table in lines,
// header and separator left out, each cell's surrounding backticks removed;
// a table without rows is an error.
func tableRows(lines []string) ([][]string, error) {
	var rows [][]string
	seen := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "| ") || !strings.HasSuffix(l, " |") {
			if seen > 0 {
				break
			}
			continue
		}
		seen++
		if seen <= 2 {
			continue
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(l, "| "), " |"), " | ")
		for i, c := range cells {
			cells[i] = strings.TrimSuffix(strings.TrimPrefix(c, "`"), "`")
		}
		rows = append(rows, cells)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no table rows")
	}
	return rows, nil
}

func fencedBlock(lines []string) (string, error) {
	var b strings.Builder
	in := false
	for _, l := range lines {
		switch {
		case !in && strings.HasPrefix(l, "```"):
			in = true
		case in && l == "```":
			return b.String(), nil
		case in:
			b.WriteString(l + "\n")
		}
	}
	return "", fmt.Errorf("no closed ``` block")
}

// documentedRefusal is one row of the refusal lines: an environment that
// differs from a valid one in one variable, and the one line it prints.
type documentedRefusal struct {
	startupCase
	line string
}

func refusalRows(lines []string) ([]documentedRefusal, error) {
	var out []documentedRefusal
	rows, err := tableRows(lines)
	if err != nil {
		return nil, err
	}
	for _, cells := range rows {
		if len(cells) != 2 {
			return nil, fmt.Errorf("row %q: want 2 cells", cells)
		}
		env, line := cells[0], cells[1]
		var c startupCase
		if name, ok := strings.CutSuffix(env, "` unset"); ok {
			c = startupCase{variable: name}
		} else if name, value, ok := strings.Cut(env, "="); ok {
			c = startupCase{variable: name, value: ptr(value)}
		} else {
			return nil, fmt.Errorf("environment %q: want `NAME` unset or `NAME=value`", env)
		}
		out = append(out, documentedRefusal{c, line})
	}
	return out, nil
}

// documentedAnswer is one row of the error answers: a request to a running
// backend and the exact answer.
type documentedAnswer struct {
	method, path string
	body         []byte
	status       int
	answer       string
}

func (a documentedAnswer) String() string {
	return fmt.Sprintf("%s %s %q", a.method, a.path, a.body)
}

func answerRows(lines []string) ([]documentedAnswer, error) {
	var out []documentedAnswer
	rows, err := tableRows(lines)
	if err != nil {
		return nil, err
	}
	for _, cells := range rows {
		if len(cells) != 4 {
			return nil, fmt.Errorf("row %q: want 4 cells", cells)
		}
		method, path, ok := strings.Cut(cells[0], " ")
		if !ok {
			return nil, fmt.Errorf("request %q: want METHOD /path", cells[0])
		}
		body, err := strconv.Unquote(cells[1])
		if err != nil {
			return nil, fmt.Errorf("body %s: not a Go string literal: %v", cells[1], err)
		}
		status, err := strconv.Atoi(cells[2])
		if err != nil {
			return nil, fmt.Errorf("status %q: %v", cells[2], err)
		}
		out = append(out, documentedAnswer{method: method, path: path, body: []byte(body), status: status, answer: cells[3]})
	}
	return out, nil
}

// documentedUsage is one row of the usage errors: a command line run with
// no environment, its exit status and its exact stderr.
type documentedUsage struct {
	args   []string
	status int
	stderr string
}

func usageRows(lines []string) ([]documentedUsage, error) {
	var out []documentedUsage
	rows, err := tableRows(lines)
	if err != nil {
		return nil, err
	}
	for _, cells := range rows {
		if len(cells) != 3 {
			return nil, fmt.Errorf("row %q: want 3 cells", cells)
		}
		status, err := strconv.Atoi(cells[1])
		if err != nil {
			return nil, fmt.Errorf("exit status %q: %v", cells[1], err)
		}
		stderr, err := strconv.Unquote(cells[2])
		if err != nil {
			return nil, fmt.Errorf("stderr %s: not a Go string literal: %v", cells[2], err)
		}
		out = append(out, documentedUsage{args: strings.Fields(cells[0]), status: status, stderr: stderr})
	}
	return out, nil
}
