// Package check is docscheck's engine: it reads Markdown files of one
// repository and reports every link, anchor, command, file, Go package,
// test, proof or subcommand they name that does not exist, plus breaches of
// per-page contracts. It never executes what it reads.
package check

import (
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
	"github.com/prodproof/prodproof/docscheck/slug"
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
	// Slug is the anchor style; the zero value is GitHub's.
	Slug slug.Style
	// SiteRoot, when set, maps links that start with "/" onto this folder
	// of the repository the way a docs site does: "/x/" is x/index.md,
	// "/x" is x.md. Relative links then may omit the ".md" too.
	SiteRoot string
	// Contracts are the per-page rules of the config file.
	Contracts []Contract
	// External, when set, is asked about every http(s) link.
	External *LinkFetcher
	// Budget bounds the work per file (budget.go); zero fields take the
	// defaults.
	Budget Budget
}

// Checker runs the checks. Build it with New.
type Checker struct {
	opts   Options
	budget Budget

	mu    sync.Mutex
	pages map[string]*pageEntry
	// shell memoizes parsed shell text: docs repeat the same commands.
	shell sync.Map // string -> shellParse
	// regexps memoizes compiled -run/-bench patterns.
	regexps sync.Map
	// indexes holds the did-you-mean index of each long candidate list
	// (suggest.go).
	indexes sync.Map
	// stats (under mu) count what every Run looked at.
	stats finding.Stats
}

type shellParse struct {
	calls []command.Call
	err   error
}

// parseShell is command.Parse with memoization. Callers must not modify
// the returned calls.
func (c *Checker) parseShell(text string) ([]command.Call, error) {
	if v, ok := c.shell.Load(text); ok {
		p := v.(shellParse)
		return p.calls, p.err
	}
	calls, err := command.Parse(text)
	c.shell.Store(text, shellParse{calls, err})
	return calls, err
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
	if opts.Slug == "" {
		opts.Slug = slug.GitHub
	}
	if _, err := slug.ParseStyle(string(opts.Slug)); err != nil {
		return nil, err
	}
	if opts.SiteRoot != "" {
		opts.SiteRoot = path.Clean(strings.Trim(opts.SiteRoot, "/"))
	}
	return &Checker{opts: opts, budget: opts.Budget.withDefaults(), pages: map[string]*pageEntry{}}, nil
}

// ErrInput wraps problems with the files asked for (missing, unreadable):
// bad usage rather than findings.
var ErrInput = errors.New("bad input")

// Files expands the PATH arguments (files or folders, relative to the root)
// into the sorted list of Markdown files to check.
func (c *Checker) Files(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(p, "./"))
		switch c.opts.Repo.Stat(p) {
		case repo.File:
			files = append(files, p)
		case repo.Dir:
			files = append(files, c.markdownUnder(p)...)
		default:
			return nil, fmt.Errorf("%w: %s: no such file or folder under %s", ErrInput, p, c.opts.Repo.Root())
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}

func isMarkdown(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// Run checks the Markdown files (as returned by Files) and returns the
// findings in a stable order.
func (c *Checker) Run(ctx context.Context, files []string) ([]finding.Finding, error) {
	results := make([][]finding.Finding, len(files))
	externals := make([][]externalLink, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(files))) {
		wg.Go(func() {
			for i := range next {
				results[i], externals[i], errs[i] = c.checkFile(files[i])
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
	var all []finding.Finding
	for _, r := range results {
		all = append(all, r...)
	}
	if c.opts.External != nil {
		all = append(all, c.opts.External.checkAll(ctx, slices.Concat(externals...))...)
	}
	return finding.Sort(all), nil
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
	})
	return e.page, e.err
}

// report collects the findings of one page.
type report struct {
	page     *page
	findings []finding.Finding
	// checks, notChecked and skipped feed the run's summary (stats.go).
	checks     int
	notChecked map[string]int
	skipped    bool
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

func (c *Checker) checkFile(p string) ([]finding.Finding, []externalLink, error) {
	pg, err := c.load(p)
	if err != nil {
		return nil, nil, err
	}
	r := &report{page: pg}
	if pg.tooComplex != "" {
		r.skipped = true
		r.addAt(1, 1, ruleTooComplex, "", "skipped: too complex (%s); nothing on this page was checked", pg.tooComplex)
		c.addStats(r)
		return r.findings, nil, nil
	}
	ext := c.checkLinks(r)
	c.checkCommands(r)
	c.checkContracts(r)
	c.addStats(r)
	return r.findings, ext, nil
}

// markdownUnder lists the Markdown files in a folder tree, skipping hidden
// folders (but not .github, whose templates and guides are docs) and
// node_modules.
func (c *Checker) markdownUnder(dir string) []string {
	var files []string
	for _, n := range c.opts.Repo.Names(dir) {
		p := path.Join(dir, n)
		switch c.opts.Repo.Stat(p) {
		case repo.Dir:
			if (!strings.HasPrefix(n, ".") || n == ".github") && n != "node_modules" {
				files = append(files, c.markdownUnder(p)...)
			}
		case repo.File:
			if isMarkdown(n) {
				files = append(files, p)
			}
		}
	}
	return files
}
