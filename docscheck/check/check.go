// Package check is docscheck's engine: it reads Markdown files of one
// repository and reports every link, anchor, command, file, Go package,
// test, proof or subcommand they name that does not exist, plus breaches of
// per-page contracts. It never executes what it reads.
package check

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/prodproof/prodproof/internal/clispec"
)

// Options configures a Checker. Only Repo is required.
type Options struct {
	// Repo is the repository the documents belong to; relative links and
	// quoted commands are resolved against it.
	Repo *repo.Repo
	// Tools are the project's own programs; commands that run them are
	// parsed with their real flag sets. Empty on a foreign repository.
	Tools []clispec.Tool
	// ProofNames are the registered proof scenarios.
	ProofNames []string
	// ProofCommands are the "tool subcommand" paths whose positional
	// arguments are proof names, e.g. "proofs run".
	ProofCommands []string
	// Slug is the anchor style for every page. The zero value means: the
	// style of the site generator a page belongs to, else GitHub's.
	Slug anchor.Style
	// SiteRoot, when set, maps links that start with "/" onto this folder
	// of the repository the way a docs site does: "/x/" is x/index.md,
	// "/x" is x.md. Relative links then may omit the ".md" too. It
	// replaces the site generators found in the tree.
	SiteRoot string
	// NoSiteDetection turns off looking for VitePress, MkDocs and
	// Docusaurus sites in the tree.
	NoSiteDetection bool
	// Contracts are the per-page rules of the config file.
	Contracts []Contract
	// External, when set, is asked about every http(s) link.
	External *LinkFetcher
	// Ignore are the config's ignore entries; ConfigPath names the config
	// file in their unused-ignore findings.
	Ignore     []Ignore
	ConfigPath string
	// Budget bounds the work per file (budget.go); zero fields take the
	// defaults.
	Budget Budget
	// Strict reports the cases a rule could not call certain as findings
	// too (certainty.go); by default they are only counted.
	Strict bool
}

// Checker runs the checks. Build it with New.
type Checker struct {
	opts   Options
	budget Budget
	// sites are the docs sites pages may belong to (see repo.Sites).
	sites []repo.Site

	mu    sync.Mutex
	pages map[string]*pageEntry
	// shell memoizes parsed shell text: docs repeat the same commands.
	shell sync.Map // string -> shellParse
	// cleanToolCalls holds the project-tool invocations that passed
	// (tools.go), by tool name and arguments.
	cleanToolCalls sync.Map
	// regexps memoizes compiled -run/-bench patterns.
	regexps sync.Map
	// indexes holds the did-you-mean index of each long candidate list
	// (suggest.go).
	indexes sync.Map
	// stats (under mu) count what every Run looked at.
	stats finding.Stats
	// doubts (under mu) are the cases not judged of every Run.
	doubts []finding.Finding
	// elsewhere are the folders published by a site the repository does
	// not build (elsewhere.go), found once.
	elsewhereOnce sync.Once
	elsewhere     []string
}

type shellParse struct {
	script command.Script
	err    error
}

// parseShell is command.ParseScript with memoization. Callers must not
// modify the returned calls.
func (c *Checker) parseShell(text string) (command.Script, error) {
	if v, ok := c.shell.Load(text); ok {
		p := v.(shellParse)
		return p.script, p.err
	}
	script, err := command.ParseScript(text)
	c.shell.Store(text, shellParse{script, err})
	return script, err
}

type pageEntry struct {
	once sync.Once
	page *page
	err  error
}

// New validates the options and returns a Checker.
func New(opts Options) (*Checker, error) {
	if opts.Repo == nil {
		return nil, errors.New("check: Options.Repo is required")
	}
	if opts.Slug != "" {
		if _, err := anchor.ParseStyle(string(opts.Slug)); err != nil {
			return nil, err
		}
	}
	c := &Checker{opts: opts, budget: opts.Budget.withDefaults(), pages: map[string]*pageEntry{}}
	switch {
	case opts.SiteRoot != "":
		root := path.Clean(strings.Trim(opts.SiteRoot, "/"))
		c.sites = []repo.Site{{Generator: "config", Pages: ".", Roots: []string{root}, Slug: cmp.Or(opts.Slug, anchor.GitHub)}}
	case !opts.NoSiteDetection:
		c.sites = opts.Repo.Sites()
	}
	return c, nil
}

// ErrInput wraps problems with the files asked for (missing, unreadable):
// bad usage rather than findings.
var ErrInput = errors.New("bad input")

func inputError(p, root string) error {
	return fmt.Errorf("%w: %s: no such file or folder under %s", ErrInput, p, root)
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// Run checks the Markdown files (as returned by Files) and returns the
// findings in a stable order.
func (c *Checker) Run(ctx context.Context, files []string) ([]finding.Finding, error) {
	results := make([][]finding.Finding, len(files))
	doubts := make([][]finding.Finding, len(files))
	externals := make([][]externalLink, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(files))) {
		wg.Go(func() {
			for i := range next {
				results[i], doubts[i], externals[i], errs[i] = c.checkFile(files[i])
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := slices.Concat(results...)
	if c.opts.External != nil {
		all = append(all, c.opts.External.checkAll(ctx, slices.Concat(externals...))...)
	}
	// A config ignore may silence a case not judged too (it is one in
	// strict mode); the cases it leaves are counted.
	all = c.applyConfigIgnores(append(all, slices.Concat(doubts...)...), files)
	var kept []finding.Finding
	for _, f := range all {
		if f.NotCertain == "" || c.opts.Strict {
			kept = append(kept, f)
		}
	}
	c.recordDoubts(slices.DeleteFunc(all, func(f finding.Finding) bool { return f.NotCertain == "" }))
	return finding.Sort(kept), nil
}

// load parses a page once, however many links lead to it.
func (c *Checker) load(p string) (*page, error) {
	c.mu.Lock()
	e, ok := c.pages[p]
	if !ok {
		e = &pageEntry{}
		c.pages[p] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		src, err := c.opts.Repo.ReadFile(p)
		if err != nil {
			e.err = fmt.Errorf("%w: read %s: %v", ErrInput, p, err)
			return
		}
		e.page = c.loadWithin(p, src)
		if c.site(p) != nil || c.slugFor(p) != anchor.GitHub {
			// A docs site's renderer takes attribute blocks as ids.
			for _, id := range e.page.attrIDs {
				e.page.addAnchor(id)
			}
		}
		c.addIncludedAnchors(e.page)
	})
	return e.page, e.err
}

// report collects the findings of one page.
type report struct {
	page     *page
	findings []finding.Finding
	// session follows the page as a shell session (see session.go).
	session *session
	// doubts are what the page's rules saw but could not call certain
	// (certainty.go): not findings, unless in strict mode.
	doubts []finding.Finding
	// checks, notChecked and skipped feed the run's summary (stats.go).
	checks     int
	notChecked map[string]int
	skipped    bool
	// spareProbe is judgeInDirs' probe, kept for the page's next call.
	spareProbe *report
}

func (r *report) add(offset int, rule, suggestion, format string, args ...any) {
	line, col := r.page.position(offset)
	r.addAt(line, col, rule, suggestion, format, args...)
}

func (r *report) addAt(line, col int, rule, suggestion, format string, args ...any) {
	r.findings = append(r.findings, finding.Finding{
		Path: r.page.path, Line: line, Col: col, Rule: rule,
		Message: fmt.Sprintf(format, args...), Suggestion: suggestion,
	})
}

func (c *Checker) checkFile(p string) ([]finding.Finding, []finding.Finding, []externalLink, error) {
	pg, err := c.load(p)
	if err != nil {
		return nil, nil, nil, err
	}
	r := &report{page: pg, session: newSession(pg.path)}
	r.session.noteDownloads(pg)
	if pg.tooComplex != "" {
		r.skipped = true
		r.addAt(1, 1, ruleTooComplex, "", "skipped: too complex (%s); nothing on this page was checked", pg.tooComplex)
		c.addStats(r)
		return r.findings, nil, nil, nil
	}
	ext := c.checkLinks(r)
	c.checkCommands(r)
	c.checkContracts(r)
	applyInlineIgnores(r)
	c.addStats(r)
	return r.findings, r.doubts, ext, nil
}

// site is the docs site a page belongs to, or nil.
func (c *Checker) site(page string) *repo.Site {
	if s, ok := repo.SiteFor(c.sites, page); ok {
		return &s
	}
	return nil
}

// Sites are the docs sites the checker applies, detected or configured.
func (c *Checker) Sites() []repo.Site { return c.sites }

// slugFor is the heading-id rule of a page: the configured one, else its
// site generator's, else GitHub's.
func (c *Checker) slugFor(page string) anchor.Style {
	if c.opts.Slug != "" {
		return c.opts.Slug
	}
	if s := c.site(page); s != nil && s.Slug != "" {
		return s.Slug
	}
	return anchor.GitHub
}

// addIncludedAnchors gives a page the anchors of the files it includes
// with snippet lines (--8<-- "CONTRIBUTING.md", resolved from the root as
// MkDocs runs there). Included files are parsed on their own, not through
// load, so that two pages including each other cannot wait on each other.
func (c *Checker) addIncludedAnchors(p *page) {
	for _, inc := range p.includes() {
		inc = path.Clean(inc)
		if inc == p.path || strings.HasPrefix(inc, "../") {
			continue
		}
		src, err := c.opts.Repo.ReadFile(inc)
		if err != nil {
			continue
		}
		for _, id := range parsePage(inc, src, c.slugFor(p.path)).anchorList {
			p.addAnchor(id)
		}
	}
}
