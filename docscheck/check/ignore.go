package check

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/yuin/goldmark/ast"
)

// ruleUnusedIgnore reports an ignore that silenced nothing: a stale
// ignore hides the next real breakage at that spot.
const ruleUnusedIgnore = "unused-ignore"

// Ignore is one config entry that silences findings. Every field that is
// set must match; at least one must be set.
type Ignore struct {
	// Path is a page ("docs/x.md"), a folder ("vendor/") or a glob
	// ("docs/*/README.md", path.Match syntax).
	Path string `json:"path,omitempty"`
	// Rule is a rule name, such as "script" or "anchor".
	Rule string `json:"rule,omitempty"`
	// Pattern is a regular expression the finding's message must contain a
	// match of.
	Pattern string `json:"pattern,omitempty"`
	// Reason says why, for the next reader; it is not interpreted.
	Reason string `json:"reason,omitempty"`

	re *regexp.Regexp
}

func (ig *Ignore) compile() error {
	if ig.Path == "" && ig.Rule == "" && ig.Pattern == "" {
		return errors.New("needs a path, a rule or a pattern")
	}
	if ig.Path != "" {
		ig.Path = strings.TrimPrefix(ig.Path, "./")
		if _, err := path.Match(ig.Path, ""); err != nil {
			return fmt.Errorf("path %q: %w", ig.Path, err)
		}
	}
	if ig.Pattern != "" {
		re, err := regexp.Compile(ig.Pattern)
		if err != nil {
			return fmt.Errorf("pattern %q: %w", ig.Pattern, err)
		}
		ig.re = re
	}
	return nil
}

func (ig *Ignore) matchesPath(p string) bool {
	switch {
	case ig.Path == "":
		return true
	case strings.HasSuffix(ig.Path, "/"):
		return strings.HasPrefix(p, ig.Path)
	}
	ok, _ := path.Match(ig.Path, p)
	return ok || p == ig.Path
}

func (ig *Ignore) matches(f finding.Finding) bool {
	if ig.re == nil && ig.Pattern != "" {
		_ = ig.compile() // built in code rather than parsed
	}
	return ig.matchesPath(f.Path) &&
		(ig.Rule == "" || ig.Rule == f.Rule) &&
		(ig.re == nil || ig.re.MatchString(f.Message))
}

// describe names the entry in an unused-ignore message.
func (ig *Ignore) describe() string {
	var parts []string
	for _, kv := range [][2]string{{"path", ig.Path}, {"rule", ig.Rule}, {"pattern", ig.Pattern}} {
		if kv[1] != "" {
			parts = append(parts, fmt.Sprintf("%s %q", kv[0], kv[1]))
		}
	}
	return strings.Join(parts, ", ")
}

// applyConfigIgnores drops the findings a config entry matches and reports
// the entries that matched nothing, for the files that were checked.
func (c *Checker) applyConfigIgnores(findings []finding.Finding, files []string) []finding.Finding {
	if len(c.opts.Ignore) == 0 {
		return findings
	}
	used := make([]bool, len(c.opts.Ignore))
	kept := findings[:0:0]
	for _, f := range findings {
		i := slices.IndexFunc(c.opts.Ignore, func(ig Ignore) bool { return ig.matches(f) })
		if i < 0 {
			kept = append(kept, f)
			continue
		}
		used[i] = true
	}
	for i := range c.opts.Ignore {
		ig := &c.opts.Ignore[i]
		// An entry for pages that were not checked this run is not stale.
		if used[i] || ig.Path != "" && !slices.ContainsFunc(files, ig.matchesPath) {
			continue
		}
		kept = append(kept, finding.Finding{
			Path: cmp.Or(c.opts.ConfigPath, "docscheck.json"), Line: 1, Col: 1, Rule: ruleUnusedIgnore,
			Message: fmt.Sprintf("ignore[%d] (%s) matches no finding; remove it", i, ig.describe()),
		})
	}
	return kept
}

// inlineIgnore is one <!-- docscheck-ignore... --> comment of a page.
type inlineIgnore struct {
	offset   int // of the comment, for the unused-ignore finding
	from, to int // page lines it covers
	rules    []string
	used     bool
}

var ignoreComment = regexp.MustCompile(`<!--\s*docscheck-ignore-(next-line|start|end)\b([^>]*?)-->`)

// inlineIgnores finds the ignore comments of a page: "next-line" covers
// the line after the comment, "start" … "end" the lines between (to the
// end of the page when no end follows). Rule names after the keyword
// narrow it ("<!-- docscheck-ignore-next-line script anchor -->").
// Comments inside code are text, not ignores.
func (p *page) inlineIgnores() []*inlineIgnore {
	if !bytes.Contains(p.source, []byte("docscheck-ignore-")) {
		// Every comment below holds this text within one line of the
		// source (HTML segments keep their line ends): a page without it
		// has none, and is not walked again.
		return nil
	}
	var out []*inlineIgnore
	var open []*inlineIgnore
	_ = ast.Walk(p.doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var text string
		var base int
		switch n := n.(type) {
		case *ast.HTMLBlock:
			text, base = blockText(n, p.source), nodeOffset(n, p.source)
			if n.HasClosure() {
				text += string(n.ClosureLine.Value(p.source))
			}
		case *ast.RawHTML:
			if n.Segments.Len() == 0 {
				return ast.WalkContinue, nil
			}
			text, base = string(n.Segments.Value(p.source)), n.Segments.At(0).Start
		default:
			return ast.WalkContinue, nil
		}
		for _, m := range ignoreComment.FindAllStringSubmatchIndex(text, -1) {
			off := base + m[0]
			line, _ := p.position(off)
			endLine, _ := p.position(base + m[1] - 1)
			rules := strings.Fields(text[m[4]:m[5]])
			switch text[m[2]:m[3]] {
			case "next-line":
				out = append(out, &inlineIgnore{offset: off, from: endLine + 1, to: endLine + 1, rules: rules})
			case "start":
				ig := &inlineIgnore{offset: off, from: line, to: len(p.lineStarts), rules: rules}
				out = append(out, ig)
				open = append(open, ig)
			case "end":
				if k := len(open); k > 0 {
					open[k-1].to = line
					open = open[:k-1]
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

// applyInlineIgnores drops the page's findings that an ignore comment
// covers and reports the comments that covered none.
func applyInlineIgnores(r *report) {
	ignores := r.page.inlineIgnores()
	if len(ignores) == 0 {
		return
	}
	// A case not judged is silenced too (it is a finding in strict mode),
	// and that is a use of the comment.
	filter := func(fs []finding.Finding) []finding.Finding {
		kept := fs[:0:0]
		for _, f := range fs {
			i := slices.IndexFunc(ignores, func(ig *inlineIgnore) bool {
				return f.Line >= ig.from && f.Line <= ig.to && (len(ig.rules) == 0 || slices.Contains(ig.rules, f.Rule))
			})
			if i < 0 {
				kept = append(kept, f)
				continue
			}
			ignores[i].used = true
		}
		return kept
	}
	r.findings = filter(r.findings)
	r.doubts = filter(r.doubts)
	for _, ig := range ignores {
		if !ig.used {
			r.add(ig.offset, ruleUnusedIgnore, "", "this docscheck-ignore comment silences no finding; remove it")
		}
	}
}
