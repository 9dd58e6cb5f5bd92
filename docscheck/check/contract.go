package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// Contract rules.
const (
	ruleHeading = "contract-heading"
	ruleMention = "contract-mention"
)

// Config is the repository's docscheck.json.
type Config struct {
	// Slug is the anchor style, "github" (default) or "vitepress".
	Slug string `json:"slug,omitempty"`
	// SiteRoot maps "/..." links onto a folder, as a docs site serves it.
	SiteRoot string `json:"site_root,omitempty"`
	// Pages are the per-page contracts.
	Pages []Contract `json:"pages"`
	// Ignore silences findings on purpose (see Ignore).
	Ignore []Ignore `json:"ignore,omitempty"`
	// Tools is the root-relative path of a tools manifest (clispec.Manifest)
	// describing the repository's own command lines and proofs.
	Tools string `json:"tools,omitempty"`
}

// Contract is what one page must contain.
type Contract struct {
	// Path of the page, relative to the repository root.
	Path string `json:"path"`
	// Headings must all appear, in this order (other headings may sit
	// between them). Compared with the heading's text, any level.
	Headings []string `json:"headings,omitempty"`
	// Mentions must each appear somewhere in the page's text.
	Mentions []string `json:"mentions,omitempty"`
	// MentionAllProofs requires every registered proof name to appear.
	MentionAllProofs bool `json:"mention_all_proofs,omitempty"`
}

// ParseConfig reads a docscheck.json document. Unknown fields are errors,
// so a misspelt rule cannot silently switch a check off.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("parse config: %w", err)
	}
	if dec.More() {
		return Config{}, errors.New("parse config: trailing data after the JSON object")
	}
	seen := map[string]bool{}
	for i, p := range cfg.Pages {
		if p.Path == "" {
			return Config{}, fmt.Errorf("parse config: pages[%d] has no path", i)
		}
		cfg.Pages[i].Path = path.Clean(strings.TrimPrefix(p.Path, "./"))
		if seen[cfg.Pages[i].Path] {
			return Config{}, fmt.Errorf("parse config: page %s is listed twice", p.Path)
		}
		seen[cfg.Pages[i].Path] = true
	}
	for i := range cfg.Ignore {
		if err := cfg.Ignore[i].compile(); err != nil {
			return Config{}, fmt.Errorf("parse config: ignore[%d]: %w", i, err)
		}
	}
	return cfg, nil
}

func (c *Checker) checkContracts(r *report) {
	for _, ct := range c.opts.Contracts {
		if ct.Path == r.page.path {
			r.judged()
			c.checkContract(r, ct)
		}
	}
}

func (c *Checker) checkContract(r *report, ct Contract) {
	pg := r.page
	// Required headings in order: walk the page's headings once, matching
	// the next required one; a required heading found before its
	// predecessor is out of order.
	found := make([]int, len(ct.Headings))
	for i := range found {
		found[i] = -1
	}
	for hi, h := range pg.headings {
		for ri, want := range ct.Headings {
			if found[ri] < 0 && sameHeading(h.text, want) {
				found[ri] = hi
				break
			}
		}
	}
	lastIdx, lastName := -1, ""
	for ri, want := range ct.Headings {
		hi := found[ri]
		if hi < 0 {
			r.addAt(1, 1, ruleHeading, "", "required heading %q is missing", want)
			continue
		}
		if hi < lastIdx {
			r.add(pg.headings[hi].offset, ruleHeading, "", "heading %q must come after %q", want, lastName)
			continue
		}
		lastIdx, lastName = hi, want
	}
	for _, m := range ct.Mentions {
		if !bytes.Contains(pg.source, []byte(m)) {
			r.addAt(1, 1, ruleMention, "", "page must mention %q", m)
		}
	}
	if ct.MentionAllProofs {
		for _, name := range c.opts.ProofNames {
			if !containsWord(pg.source, name) {
				r.addAt(1, 1, ruleMention, "", "page must mention proof %s", name)
			}
		}
	}
}

// sameHeading compares heading text ignoring case and surrounding space.
func sameHeading(got, want string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(want), " "))
}

// containsWord finds name not glued to other identifier characters, so
// that "job" is not mentioned by "job_flow".
func containsWord(src []byte, name string) bool {
	n := []byte(name)
	for i := 0; ; {
		j := bytes.Index(src[i:], n)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(n)
		if (start == 0 || !isIdent(src[start-1])) && (end == len(src) || !isIdent(src[end])) {
			return true
		}
		i = start + 1
	}
}

func isIdent(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// MissingPages lists the contract pages that do not exist although they
// lie under one of the checked paths: a contract whose page is gone.
func (c *Checker) MissingPages(paths []string) []string {
	var missing []string
	for _, ct := range c.opts.Contracts {
		if c.opts.Repo.Stat(ct.Path) != repo.Missing {
			continue
		}
		for _, p := range paths {
			p = path.Clean(strings.TrimPrefix(p, "./"))
			if p == "." || p == ct.Path || strings.HasPrefix(ct.Path, p+"/") {
				missing = append(missing, ct.Path)
				break
			}
		}
	}
	return missing
}
