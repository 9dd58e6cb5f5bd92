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
	"sync/atomic"
	"time"

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
	// ParallelAfter is how long a run checks its pages one at a time
	// before it checks the rest on a worker per processor (see checking);
	// zero means defaultParallelAfter, a negative value from the start.
	ParallelAfter time.Duration
}

// Checker runs the checks. Build it with New.
type Checker struct {
	opts   Options
	budget Budget
	// sites are the docs sites pages may belong to (see repo.Sites).
	sites []repo.Site
	// sphinxSources are the published Sphinx projects, whose
	// reStructuredText pages are read (rst.go).
	sphinxSources []repo.SphinxSource
	// includers are the Sphinx pages that include each file, found once
	// (rst.go, includersOf).
	includersOnce sync.Once
	includers     map[string][]string
	// includes is includers turned round: the files each page includes.
	includes map[string][]string
	// substitutionUses are the substitution names (lower case) each file
	// a substitution's scope holds uses, read once per file
	// (substitutionUsesOf).
	substitutionMu   sync.Mutex
	substitutionUses map[string]map[string]bool

	mu    sync.Mutex
	pages map[string]*pageEntry
	// shell memoizes parsed shell text: docs repeat the same commands.
	shell sync.Map // string -> shellParse
	// cleanToolCalls holds the project-tool invocations that passed
	// (tools.go), by tool name and arguments.
	cleanToolCalls sync.Map
	// zola memoizes the Zola site of each content folder (zola.go).
	zola sync.Map
	// regexps memoizes compiled -run/-bench patterns.
	regexps sync.Map
	// usageScopes memoizes the renderer guard's scope of each page
	// (usage.go).
	usageScopes sync.Map // page -> string
	// permalinks and sitePermalinks memoize the addresses pages set in
	// their front matter (permalink.go).
	permalinks     sync.Map // page -> string
	sitePermalinks sync.Map // top folder -> *sitePermalinks
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
	// browsed holds the pages only a folder's README reaches (Files):
	// their commands are not judged (reasonBrowsedPage).
	browsed sync.Map
	// listed holds the pages only a folder's file list reaches (Files):
	// they may be written for a site that publishes them, whose
	// renderer the tree does not show (rendererUnknown).
	listed sync.Map
	// forSite memoizes writtenForSite by page (pasted.go).
	forSite   sync.Map
	elsewhere []string
	// assembled are those of the elsewhere folders that hold a
	// generator's own files (repo.GeneratorFolders): a site built in
	// another repository takes them in among pages of its own.
	assembled []string
	// rendered are the folders of pages that something publishes with a
	// renderer docscheck does not know (repo.RenderedFolders), and
	// linkedFromPublished the pages the other entry points reach.
	rendered            []string
	linkedFromPublished map[string]bool
	// filesByName lists the repository's files by name, found once, for
	// pages whose renderer docscheck does not know (elsewhere.go).
	filesOnce   sync.Once
	filesByName map[string][]string
	// fileStems holds the names of those files without their suffix,
	// lower-cased (inTree).
	fileStems map[string]bool
	// units remembers the command units that were clean (units.go), and
	// unitHits counts the units it answered; noUnitMemo turns it off
	// (for tests that hold it to the checks it stands for).
	unitsMu    sync.RWMutex
	units      map[string]unitVerdict
	unitHits   atomic.Int64
	noUnitMemo bool
	// resolved memoizes resolvePath by page and path (resolved.go).
	resolvedMu sync.RWMutex
	resolved   map[resolveKey]resolution
	// folderTargets memoizes folderCouldGive by folder (usage.go).
	folderTargets sync.Map
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
	c := &Checker{opts: opts, budget: opts.Budget.withDefaults(), pages: map[string]*pageEntry{}, units: map[string]unitVerdict{}, resolved: map[resolveKey]resolution{}}
	switch {
	case opts.SiteRoot != "":
		root := path.Clean(strings.Trim(opts.SiteRoot, "/"))
		c.sites = []repo.Site{{Generator: "config", Pages: ".", Roots: []string{root}, Slug: cmp.Or(opts.Slug, anchor.GitHub)}}
	case !opts.NoSiteDetection:
		c.sites = opts.Repo.Sites()
		c.sphinxSources = opts.Repo.SphinxSources()
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
	k := c.startChecking(max(1, min(runtime.GOMAXPROCS(0), len(files))))
	for _, f := range files {
		k.add(f)
	}
	return c.finish(ctx, files, k.wait())
}

// Check is Run(Files(paths)) with each page checked as soon as Files knows
// it is one of them, while its syntax tree is still fresh: a checked page
// keeps only what other pages' checks read (release), so a run's heap
// holds the trees of a few pages at a time, not of every page.
func (c *Checker) Check(ctx context.Context, paths []string) ([]finding.Finding, error) {
	k := c.startChecking(runtime.GOMAXPROCS(0))
	files, err := c.files(paths, k.add)
	results := k.wait()
	if err != nil {
		return nil, err
	}
	return c.finish(ctx, files, results)
}

// pageResult is what checking one page gave; stats is nil when the page
// could not be read.
type pageResult struct {
	findings, doubts []finding.Finding
	externals        []externalLink
	stats            *report
	err              error
	// usageChecks and usageCases are the page's renderer-dependent
	// references (usage.go).
	usageChecks map[usageKey]int
	usageCases  map[finding.Finding]usageCase
}

// checking checks the pages handed to add, each page once. A run checks
// them in the goroutine that hands them in until it has run for
// Options.ParallelAfter, then hands the rest to a pool of workers, one
// per processor. Each page handed to a worker wakes an idle thread, and
// the workers contend for the shared memos: on the bench corpus (1,000
// pages, 2 cores) the pool took about a fifth more CPU time than
// checking in turn, for a few percent less wall time at best. A run
// shorter than a second saves nothing a person waits for, so it does not
// pay that; a long one does, and gains the most from more cores.
type checking struct {
	c        *Checker
	workers  int
	deadline time.Time
	next     chan string // nil until the workers start
	wg       sync.WaitGroup
	mu       sync.Mutex
	results  map[string]*pageResult
}

// defaultParallelAfter is how long a run checks pages one at a time.
const defaultParallelAfter = time.Second

func (c *Checker) startChecking(workers int) *checking {
	after := cmp.Or(c.opts.ParallelAfter, defaultParallelAfter)
	k := &checking{c: c, workers: workers, deadline: time.Now().Add(after), results: map[string]*pageResult{}}
	if after < 0 {
		k.startWorkers()
	}
	return k
}

func (k *checking) startWorkers() {
	k.next = make(chan string)
	for range k.workers {
		k.wg.Go(func() {
			for p := range k.next {
				k.store(p, k.c.checkFile(p))
			}
		})
	}
}

func (k *checking) store(p string, res *pageResult) {
	k.mu.Lock()
	k.results[p] = res
	k.mu.Unlock()
}

// add checks a page, or hands it to the workers, unless it was handed
// before. Handing waits for a free worker, so pages are parsed little
// ahead of their checks.
func (k *checking) add(p string) {
	k.mu.Lock()
	_, handed := k.results[p]
	if !handed {
		k.results[p] = nil
	}
	k.mu.Unlock()
	switch {
	case handed:
	case k.next != nil:
		k.next <- p
	case time.Now().Before(k.deadline):
		k.store(p, k.c.checkFile(p))
	default:
		k.startWorkers()
		k.next <- p
	}
}

// wait returns every page's result once all are checked.
func (k *checking) wait() map[string]*pageResult {
	if k.next != nil {
		close(k.next)
		k.wg.Wait()
	}
	return k.results
}

// finish gathers the results of files, in their order, checking any page
// not handed in, and counts them into the run's stats.
func (c *Checker) finish(ctx context.Context, files []string, results map[string]*pageResult) ([]finding.Finding, error) {
	var all, doubts []finding.Finding
	var externals []externalLink
	var errs []error
	var usage usageTally
	for _, f := range files {
		res := results[f]
		if res == nil {
			res = c.checkFile(f)
		}
		if res.err != nil {
			errs = append(errs, res.err)
			continue
		}
		c.addStats(res.stats)
		usage.add(res)
		all = append(all, res.findings...)
		doubts = append(doubts, res.doubts...)
		externals = append(externals, res.externals...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if c.opts.External != nil {
		all = append(all, c.opts.External.checkAll(ctx, externals)...)
	}
	// A config ignore may silence a case not judged too (it is one in
	// strict mode); the cases it leaves are counted.
	all = c.applyConfigIgnores(append(all, doubts...), files)
	usage.doubt(c, all)
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
	e.once.Do(func() { e.page, e.err = c.parseFile(p) })
	return e.page, e.err
}

// parseFile reads and parses a page with the anchors its site gives it.
func (c *Checker) parseFile(p string) (*page, error) {
	src, err := c.opts.Repo.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrInput, p, err)
	}
	if s, ok := c.sphinxSourceOf(p); isRST(p) && (ok || c.githubRendersRST(p)) {
		md, cols, notes := c.rstAsMarkdown(p, src, s, !ok)
		pg := c.loadWithin(p, md)
		// Docutils makes the page's ids, by rules docscheck does not
		// model: no fragment into it is judged.
		pg.generated = true
		pg.rstCols, pg.rstNotes, pg.rstAddresses = cols, notes, c.codeHostPages(src)
		return pg, nil
	}
	pg := c.loadWithin(p, src)
	if c.site(p) != nil || c.slugFor(p) != anchor.GitHub {
		// A docs site's renderer takes attribute blocks as ids.
		for _, id := range pg.attrIDs {
			pg.addAnchor(id)
		}
	}
	if s := c.site(p); s != nil && s.TabIDs != repo.NoTabIDs {
		for _, id := range tabIDs(pg.source, s.TabIDs) {
			pg.addAnchor(id)
		}
	}
	c.addIncludedAnchors(pg)
	return pg, nil
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
	// unitKey is the buffer a command unit's memo key is built in
	// (units.go).
	unitKey []byte
	// usageChecks and usageCases are the page's renderer-dependent
	// references and its certain findings on them (usage.go).
	usageChecks map[usageKey]int
	usageCases  map[finding.Finding]usageCase
	// onGitHub is set while a link by this repository's github.com
	// address is judged (ownaddress.go): github.com renders its target,
	// so it is no evidence of the renderer of the target's scope.
	onGitHub bool
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

func (c *Checker) checkFile(p string) *pageResult {
	pg, err := c.load(p)
	if err == nil && pg.released.Load() {
		// Checked before, by an earlier Run: its tree is gone, so the
		// page is parsed afresh for this check.
		pg, err = c.parseFile(p)
	}
	if err != nil {
		return &pageResult{err: err}
	}
	defer c.release(pg)
	r := &report{page: pg, session: newSession(pg.path)}
	r.session.noteDownloads(pg, c.isThisRepository)
	r.session.elsewhere = c.usersPage(pg.path)
	r.session.sourceFolder = c.sitePageFolder(pg.path)
	if _, ok := c.browsed.Load(pg.path); ok && r.session.elsewhere == "" {
		r.session.elsewhere = reasonBrowsedPage
	}
	if pg.tooComplex != "" {
		r.skipped = true
		r.addAt(1, 1, ruleTooComplex, "", "skipped: too complex (%s); nothing on this page was checked", pg.tooComplex)
		return &pageResult{findings: r.findings, stats: r.statsOnly()}
	}
	for _, f := range pg.rstNotes {
		if f.NotCertain == "" {
			r.findings = append(r.findings, f)
		} else {
			r.doubts = append(r.doubts, f)
		}
	}
	ext := c.checkLinks(r)
	c.checkSnippets(r)
	c.checkCommands(r)
	c.checkContracts(r)
	r.demoteNestedSamples()
	r.placeOnRST()
	applyInlineIgnores(r)
	return &pageResult{findings: r.findings, doubts: r.doubts, externals: ext, stats: r.statsOnly(),
		usageChecks: r.usageChecks, usageCases: r.usageCases}
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

// indentedBodies says which indented block bodies the page's renderer
// reads as Markdown (repo.Site.Admonitions, repo.Site.ContentTabs).
func (c *Checker) indentedBodies(page string) indentedBodies {
	s := c.site(page)
	if s == nil {
		return indentedBodies{}
	}
	return indentedBodies{admonitions: s.Admonitions, tabs: s.ContentTabs}
}

// addIncludedAnchors gives a page the anchors of the files it includes
// with snippet lines (--8<-- "CONTRIBUTING.md"): on a site that runs
// pymdownx.snippets, looked up in its base path folders; elsewhere from
// the root, as MkDocs run there would. Included files are parsed on their
// own, not through load, so that two pages including each other cannot
// wait on each other.
func (c *Checker) addIncludedAnchors(p *page) {
	site := c.site(p.path)
	for _, inc := range repo.SnippetIncludes(p.source) {
		if site != nil && len(site.SnippetBases) > 0 {
			inc = c.opts.Repo.SnippetFile(*site, inc)
		}
		inc = path.Clean(inc)
		if inc == "." || inc == p.path || strings.HasPrefix(inc, "../") {
			continue
		}
		src, err := c.opts.Repo.ReadFile(inc)
		if err != nil {
			continue
		}
		for _, id := range parsePage(inc, src, c.slugFor(p.path), c.indentedBodies(p.path)).anchorList {
			p.addAnchor(id)
		}
	}
}
