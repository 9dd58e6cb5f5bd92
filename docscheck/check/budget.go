package check

import (
	"bytes"
	"fmt"
	"time"

	"github.com/yuin/goldmark/ast"
)

const ruleTooComplex = "too-complex"

// Budget bounds the work spent on one file, so that a pathological page
// (a few MB of list nested two thousand deep keeps the Markdown parser
// busy for minutes) is reported as skipped instead of stalling CI.
type Budget struct {
	// MaxBytes is the largest file read; default 8 MiB.
	MaxBytes int
	// MaxNesting is the deepest container nesting (list items, block
	// quotes, indentation steps) allowed; default 100. Real docs nest a
	// handful deep; the parser's cost grows with depth times lines.
	MaxNesting int
	// ParseTimeout is the backstop for anything the two limits miss;
	// default 20 s. A parse that overruns is abandoned (its goroutine
	// finishes in the background) and the file is reported.
	ParseTimeout time.Duration
}

func (b Budget) withDefaults() Budget {
	if b.MaxBytes <= 0 {
		b.MaxBytes = 8 << 20
	}
	if b.MaxNesting <= 0 {
		b.MaxNesting = 100
	}
	if b.ParseTimeout <= 0 {
		b.ParseTimeout = 20 * time.Second
	}
	return b
}

// overBudget says why src is too complex to parse, or "".
func (b Budget) overBudget(src []byte) string {
	if len(src) > b.MaxBytes {
		return fmt.Sprintf("%d bytes, more than the %d allowed", len(src), b.MaxBytes)
	}
	if d, line := nestingDepth(src, b.MaxNesting); d > b.MaxNesting {
		return fmt.Sprintf("nesting deeper than %d levels at line %d", b.MaxNesting, line)
	}
	return ""
}

// nestingDepth estimates the deepest container nesting of a Markdown
// source without parsing it: per line outside fenced code, the block
// quote and list markers it opens plus its indentation in steps of two.
// It stops at the first line deeper than limit and returns that line.
func nestingDepth(src []byte, limit int) (int, int) {
	deepest, fence := 0, []byte(nil)
	for n := 1; len(src) > 0; n++ {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		trimmed := bytes.TrimLeft(line, " \t>")
		if fence != nil {
			if bytes.HasPrefix(trimmed, fence) {
				fence = nil
			}
			continue
		}
		if bytes.HasPrefix(trimmed, []byte("```")) || bytes.HasPrefix(trimmed, []byte("~~~")) {
			fence = trimmed[:3]
			continue
		}
		d, i := 0, 0
		for i < len(line) {
			switch c := line[i]; {
			case c == ' ':
				if i+1 < len(line) && line[i+1] == ' ' {
					d++
					i++
				}
				i++
			case c == '\t':
				d += 2
				i++
			case c == '>':
				d++
				i++
			case (c == '-' || c == '*' || c == '+') && i+1 < len(line) && line[i+1] == ' ':
				d++
				i += 2
			case c >= '0' && c <= '9':
				j := i
				for j < len(line) && line[j] >= '0' && line[j] <= '9' {
					j++
				}
				if j+1 < len(line) && (line[j] == '.' || line[j] == ')') && line[j+1] == ' ' {
					d++
					i = j + 2
					continue
				}
				i = len(line)
			default:
				i = len(line)
			}
		}
		deepest = max(deepest, d)
		if deepest > limit {
			return deepest, n
		}
	}
	return deepest, 0
}

// boundedParseBytes is the size up to which a page is parsed in the
// calling goroutine, without the timeout. The parser's worst inputs grow
// with the square of the size (a table header of thousands of columns,
// thousands of unclosed brackets); at this size the worst one known takes
// about a second on a loaded machine (TestSmallPagesParseQuickly), far from
// the 20 s backstop. A goroutine and a timer per page cost a tenth of a
// run's CPU time on pages of a few KB: the parse goroutine wakes the idle
// processor each time.
const boundedParseBytes = 8 << 10

// parseWithin parses src with the budget's timeout; ok is false when the
// parse overran. A page of at most boundedParseBytes cannot overrun the
// default timeout and is parsed directly.
func parseWithin(path string, src []byte, c *Checker) (*page, bool) {
	if len(src) <= boundedParseBytes {
		return parsePage(path, src, c.slugFor(path), c.indentedBodies(path)), true
	}
	start := time.Now()
	done := make(chan *page, 1)
	go func() { done <- parsePage(path, src, c.slugFor(path), c.indentedBodies(path)) }()
	timer := time.NewTimer(c.budget.ParseTimeout)
	defer timer.Stop()
	select {
	case p := <-done:
		// When the parse ends as the timer fires, select picks either:
		// the time taken decides, so the verdict does not depend on
		// how the goroutines were scheduled.
		if time.Since(start) > c.budget.ParseTimeout {
			return nil, false
		}
		return p, true
	case <-timer.C:
		return nil, false
	}
}

// loadWithin reads and parses one page within the budget; a page over it
// comes back empty with tooComplex saying why.
func (c *Checker) loadWithin(path string, src []byte) *page {
	if reason := c.budget.overBudget(src); reason != "" {
		return skippedPage(path, src, reason)
	}
	p, ok := parseWithin(path, src, c)
	if !ok {
		return skippedPage(path, src, fmt.Sprintf("parsing took longer than %s", c.budget.ParseTimeout))
	}
	return p
}

func skippedPage(path string, src []byte, reason string) *page {
	return &page{path: path, source: src, doc: ast.NewDocument(), anchors: map[string]bool{}, lineStarts: []int{0}, tooComplex: reason}
}
