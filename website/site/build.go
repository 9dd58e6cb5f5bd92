// Package site renders the proofs report and the Markdown docs into a static
// website: an index of every claim with its verdict and history, one page per
// proof with its evidence (steps, assertions, a /health chart, DB rows, the
// backend log), and the docs with proof commands linked to their pages.
//
// Output is deterministic: the same report and docs give the same bytes, so
// the pages can be compared against golden files. Everything taken from the
// report, the logs or the docs is escaped; raw HTML in Markdown is dropped.
package site

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/report"
)

//go:embed templates/*.html assets/*
var embedded embed.FS

// markerFile marks a folder as a site this package wrote, so a later build
// may replace it; any other non-empty folder is left alone.
const markerFile = ".website-build"

// Config says what to render and where.
type Config struct {
	ReportDir string // report folder; a missing results.json gives a "no proof run yet" site
	DocsDir   string // Markdown docs; "" or missing renders no docs
	Readme    string // README rendered as readme.html; "" leaves it out
	OutDir    string // output folder, replaced as a whole
	// HeadCommit is the checked-out commit. When set and different from the
	// report's commit, pages say the report is stale.
	HeadCommit string
	LogLines   int // backend log lines shown per proof; default 40
	// Claims are the proofs that exist, in run order: each gets a page
	// even before it ran. website build passes the proof catalog.
	Claims []Claim
	// Mutants describe the changes named in Claim.Guards.
	Mutants []Mutant
	// BenchResults are the benchmark's results files (go run ./bench);
	// the growth curve they hold is drawn on docs/benchmarks.md's page,
	// a later file's backlog replacing an earlier one's. Missing files are
	// skipped.
	BenchResults []string
}

// Claim is one named proof the site lists.
type Claim struct {
	Name, Claim, Reproduce string
	// Guards names the mutants this proof must catch.
	Guards []string
}

// Mutant is one claim-breaking change, as the proof pages describe it.
type Mutant struct {
	Name, Change, File string
}

// Result says what a build did.
type Result struct {
	Pages         int
	ReportMissing bool
	RunID         string
	Summary       report.Summary
	// Warnings are problems with the inputs that did not stop the build,
	// e.g. an unreadable evidence file; they are shown on the pages too.
	Warnings []string
}

// ErrNotASite is returned when the output folder holds something other than
// a site built here; it is not replaced.
var ErrNotASite = errors.New("output folder is not a site built by website")

// Build renders the site into cfg.OutDir. It writes into a fresh folder
// beside OutDir and swaps it in only when every page rendered.
func Build(cfg Config) (Result, error) {
	cfg.LogLines = cmp.Or(cfg.LogLines, 40)
	if cfg.OutDir == "" {
		return Result{}, errors.New("no output folder given")
	}
	if err := checkReplaceable(cfg.OutDir); err != nil {
		return Result{}, err
	}
	b, err := newBuilder(cfg)
	if err != nil {
		return Result{}, err
	}
	parent := filepath.Dir(filepath.Clean(cfg.OutDir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return Result{}, fmt.Errorf("create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, ".site-build-*")
	if err != nil {
		return Result{}, fmt.Errorf("create build folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Result{}, err
	}
	b.out = tmp
	if err := b.writeAll(); err != nil {
		return Result{}, err
	}
	if err := os.RemoveAll(cfg.OutDir); err != nil {
		return Result{}, fmt.Errorf("replace %s: %w", cfg.OutDir, err)
	}
	if err := os.Rename(tmp, cfg.OutDir); err != nil {
		return Result{}, fmt.Errorf("replace %s: %w", cfg.OutDir, err)
	}
	res := Result{Pages: b.pages, ReportMissing: b.run == nil, Warnings: b.warnings}
	if b.run != nil {
		res.RunID, res.Summary = b.run.RunID, b.run.Summary
	}
	return res, nil
}

func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read output folder: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
		return fmt.Errorf("%w: %s is not empty and has no %s file; pick another --out", ErrNotASite, dir, markerFile)
	}
	return nil
}

// proofEntry is one proof page to render: a catalog claim, a result, or both.
type proofEntry struct {
	name, claim, reproduce string
	inCatalog              bool
	result                 *report.Scenario
	guards                 []string // mutants it must catch (catalog)
	// suite is "" for our own proofs, else the report subfolder of
	// another suite written with the framework (proofs/river: "river").
	suite string

	from *report.ClaimRun // the run result came from
}

// path is the proof's page.
func (p proofEntry) path() string {
	if p.suite != "" {
		return "suites/" + p.suite + "/" + p.name + ".html"
	}
	return proofPath(p.name)
}

// suiteData is another proof suite's run, shown beside ours: a folder of
// the report with its own results.json (make proofs-river writes
// report/river/).
type suiteData struct {
	name   string
	dir    string
	run    *report.Run
	proofs []proofEntry
}

// docPage is one Markdown page to render.
type docPage struct {
	source string // repository-relative, e.g. "docs/proofs.md" or "README.md"
	file   string // on disk
	out    string // site path, e.g. "docs/proofs.html"
	title  string
	body   []byte
}

type builder struct {
	cfg       Config
	out       string
	run       *report.Run
	claims    *report.Claims // each claim's latest result; from run alone when claims.json is missing
	history   []report.HistoryEntry
	proofs    []proofEntry
	docs      []*docPage
	assets    map[string]string // site path → file on disk (docs' images)
	templates map[string]*template.Template
	nav       navData
	suites    []suiteData
	mutants   *report.MutantRun  // REPORT/mutants.json, when `proofs mutants` ran
	soak      *report.SoakReport // REPORT/soak/soak.json, when the chaos soak ran
	load      *report.LoadReport // REPORT/load/load.json, when `make load` ran
	pages     int
	warnings  []string
}

func newBuilder(cfg Config) (*builder, error) {
	b := &builder{cfg: cfg, assets: map[string]string{}}
	run, err := report.Load(cfg.ReportDir)
	switch {
	case errors.Is(err, report.ErrNoReport):
	case err != nil:
		return nil, fmt.Errorf("load report from %s: %w", cfg.ReportDir, err)
	default:
		b.run = run
	}
	if b.run != nil {
		seen := map[string]bool{}
		for _, s := range b.run.Scenarios {
			if seen[s.Name] {
				return nil, fmt.Errorf("report lists scenario %q twice", s.Name)
			}
			seen[s.Name] = true
		}
	}
	switch claims, err := report.LoadClaims(cfg.ReportDir); {
	case errors.Is(err, report.ErrNoClaims):
		if b.run != nil {
			b.claims = &report.Claims{}
			b.claims.Merge(*b.run)
		}
	case err != nil:
		return nil, fmt.Errorf("load claims from %s: %w", cfg.ReportDir, err)
	default:
		b.claims = claims
	}
	history, err := report.LoadHistory(cfg.ReportDir)
	if err != nil {
		b.warn("history not shown: %v", err)
	}
	b.history = withCurrentRun(history, b.run)
	switch mutants, err := report.LoadMutants(cfg.ReportDir); {
	case errors.Is(err, report.ErrNoMutantRun):
	case err != nil:
		b.warn("mutant run not shown: %v", err)
	default:
		b.mutants = mutants
	}
	if err := b.collectProofs(); err != nil {
		return nil, err
	}
	if err := b.collectSuites(); err != nil {
		return nil, err
	}
	if err := b.collectDocs(); err != nil {
		return nil, err
	}
	b.loadStress()
	if b.templates, err = parseTemplates(); err != nil {
		return nil, err
	}
	b.nav = b.buildNav()
	return b, nil
}

func (b *builder) warn(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func (b *builder) collectProofs() error {
	results := map[string]*report.Claim{}
	if b.claims != nil {
		for i := range b.claims.Claims {
			c := &b.claims.Claims[i]
			if !safeName(c.Name) {
				return fmt.Errorf("report scenario name %q cannot be a file name", c.Name)
			}
			if _, dup := results[c.Name]; dup {
				return fmt.Errorf("report lists scenario %q twice", c.Name)
			}
			results[c.Name] = c
		}
	}
	entry := func(p proofEntry, c *report.Claim) proofEntry {
		if c != nil {
			p.result, p.from = &c.Scenario, &c.Run
		}
		return p
	}
	for _, p := range b.cfg.Claims {
		b.proofs = append(b.proofs, entry(proofEntry{name: p.Name, claim: p.Claim, reproduce: p.Reproduce, inCatalog: true, guards: p.Guards}, results[p.Name]))
		delete(results, p.Name)
	}
	// Results for proofs the catalog does not know still get a page.
	for _, name := range sortedKeys(results) {
		c := results[name]
		b.proofs = append(b.proofs, entry(proofEntry{name: name, claim: c.Claim, reproduce: c.Reproduce}, c))
	}
	for i, p := range b.proofs {
		if p.result != nil {
			b.proofs[i].claim = cmp.Or(p.result.Claim, p.claim)
			b.proofs[i].reproduce = cmp.Or(p.result.Reproduce, p.reproduce)
		}
	}
	return nil
}

// collectSuites loads every subfolder of the report that holds a run of
// its own (results.json): another suite written with the framework.
func (b *builder) collectSuites() error {
	entries, err := os.ReadDir(b.cfg.ReportDir)
	if err != nil {
		return nil // no report folder: nothing to show
	}
	for _, e := range entries {
		if !e.IsDir() || !safeName(e.Name()) {
			continue
		}
		dir := filepath.Join(b.cfg.ReportDir, e.Name())
		run, err := report.Load(dir)
		if errors.Is(err, report.ErrNoReport) {
			continue
		}
		if err != nil {
			b.warn("suite %s not shown: %v", e.Name(), err)
			continue
		}
		sd := suiteData{name: e.Name(), dir: dir, run: run}
		for i := range run.Scenarios {
			sc := &run.Scenarios[i]
			if !safeName(sc.Name) {
				return fmt.Errorf("suite %s: scenario name %q cannot be a file name", e.Name(), sc.Name)
			}
			sd.proofs = append(sd.proofs, proofEntry{name: sc.Name, claim: sc.Claim, reproduce: sc.Reproduce, inCatalog: true, result: sc, suite: e.Name()})
		}
		b.suites = append(b.suites, sd)
	}
	return nil
}

func (b *builder) collectDocs() error {
	if b.cfg.Readme != "" {
		if _, err := os.Stat(b.cfg.Readme); err == nil {
			b.docs = append(b.docs, &docPage{source: "README.md", file: b.cfg.Readme, out: "readme.html", title: "README"})
		} else {
			b.warn("README not rendered: %v", err)
		}
	}
	if b.cfg.DocsDir == "" {
		return nil
	}
	if _, err := os.Stat(b.cfg.DocsDir); err != nil {
		b.warn("docs not rendered: %v", err)
		return nil
	}
	err := filepath.WalkDir(b.cfg.DocsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != b.cfg.DocsDir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(b.cfg.DocsDir, p)
		if err != nil {
			return err
		}
		source := path.Join("docs", filepath.ToSlash(rel))
		if strings.EqualFold(path.Ext(source), ".md") {
			b.docs = append(b.docs, &docPage{source: source, file: p, out: strings.TrimSuffix(source, path.Ext(source)) + ".html"})
		} else {
			b.assets[source] = p
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read docs: %w", err)
	}
	sort.SliceStable(b.docs, func(i, j int) bool {
		// README first, then the docs by path.
		if (b.docs[i].source == "README.md") != (b.docs[j].source == "README.md") {
			return b.docs[i].source == "README.md"
		}
		return b.docs[i].source < b.docs[j].source
	})
	// Titles are needed for the navigation before any page is written.
	for _, d := range b.docs {
		src, err := os.ReadFile(d.file)
		if err != nil {
			return fmt.Errorf("read %s: %w", d.file, err)
		}
		var title string
		d.body, title, err = renderMarkdown(src, b.docLinks(d))
		if err != nil {
			return err
		}
		d.title = cmp.Or(d.title, title)
		if d.title == "" {
			d.title = strings.TrimSuffix(path.Base(d.source), path.Ext(d.source))
		}
	}
	return nil
}

func (b *builder) docLinks(d *docPage) *docLinks {
	l := &docLinks{source: d.source, page: d.out, root: rootPrefix(d.out), pages: map[string]string{}, assets: map[string]bool{}, proofs: map[string]bool{}}
	for _, other := range b.docs {
		l.pages[other.source] = other.out
	}
	for source := range b.assets {
		l.assets[source] = true
	}
	for _, p := range b.proofs {
		l.proofs[p.name] = true
	}
	return l
}

// rootPrefix is the relative path from a site page back to the site root.
func rootPrefix(sitePath string) string {
	return strings.Repeat("../", strings.Count(sitePath, "/"))
}

func (b *builder) writeAll() error {
	if err := b.writeAssets(); err != nil {
		return err
	}
	if err := b.writeIndex(); err != nil {
		return err
	}
	for _, p := range b.proofs {
		if err := b.writeProof(p); err != nil {
			return fmt.Errorf("proof %s: %w", p.name, err)
		}
	}
	for _, sd := range b.suites {
		for _, p := range sd.proofs {
			if err := b.writeProof(p); err != nil {
				return fmt.Errorf("suite %s proof %s: %w", sd.name, p.name, err)
			}
		}
	}
	if b.soak != nil {
		if err := b.writeSoak(); err != nil {
			return fmt.Errorf("soak page: %w", err)
		}
	}
	if b.load != nil {
		if err := b.writeLoad(); err != nil {
			return fmt.Errorf("load page: %w", err)
		}
	}
	for _, d := range b.docs {
		if err := b.writeDoc(d); err != nil {
			return fmt.Errorf("doc %s: %w", d.source, err)
		}
	}
	for _, sitePath := range sortedKeys(b.assets) {
		if err := b.copyInto(sitePath, b.assets[sitePath]); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(b.out, markerFile), []byte("built by `website build`; the next build replaces this folder\n"), 0o644)
}

func (b *builder) writeAssets() error {
	css, err := embedded.ReadFile("assets/style.css")
	if err != nil {
		return err
	}
	css = append(css, "\n/* Code highlighting (chroma, style "+codeStyle+") */\n"...)
	css = append(css, codeCSS()...)
	if err := b.writeFile("assets/style.css", css); err != nil {
		return err
	}
	icon, err := embedded.ReadFile("assets/favicon.svg")
	if err != nil {
		return err
	}
	return b.writeFile("assets/favicon.svg", icon)
}

func (b *builder) writeFile(sitePath string, data []byte) error {
	dst := filepath.Join(b.out, filepath.FromSlash(sitePath))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

func (b *builder) copyInto(sitePath, src string) error {
	dst := filepath.Join(b.out, filepath.FromSlash(sitePath))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := copyFile(dst, src); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// page is what the layout template needs around any content.
type page struct {
	Title    string
	Root     string
	Path     string
	Nav      navData
	Banners  []banner
	Run      *runView
	Warnings []string
	Content  any
}

type navData struct {
	Docs   []navItem
	Proofs []navItem
	Stress []navItem // the soak and load pages that exist
}

type navItem struct {
	Title, Path, Verdict, VerdictLabel string
}

// banner is a notice at the top of every page. Message is built from
// escaped parts only.
type banner struct {
	Kind    string // warn | bad
	Message template.HTML
}

func (b *builder) buildNav() navData {
	var n navData
	for _, d := range b.docs {
		n.Docs = append(n.Docs, navItem{Title: d.title, Path: d.out})
	}
	for _, p := range b.proofs {
		v := notRun
		if p.result != nil {
			v = string(p.result.Verdict)
		}
		n.Proofs = append(n.Proofs, navItem{Title: p.name, Path: proofPath(p.name), Verdict: verdictClass(v), VerdictLabel: verdictLabel(v)})
	}
	for _, sd := range b.suites {
		for _, p := range sd.proofs {
			v := string(p.result.Verdict)
			n.Proofs = append(n.Proofs, navItem{Title: sd.name + ": " + p.name, Path: p.path(), Verdict: verdictClass(v), VerdictLabel: verdictLabel(v)})
		}
	}
	for _, it := range b.stressItems() {
		n.Stress = append(n.Stress, navItem{Title: it.Title, Path: it.Path, Verdict: it.Verdict, VerdictLabel: it.VerdictLabel})
	}
	return n
}

func (b *builder) banners() []banner {
	code := func(s string) string { return "<code>" + escapeText(s) + "</code>" }
	if b.run == nil {
		return []banner{{Kind: "bad", Message: template.HTML("No proof run yet: run " + code("make proofs") + ", then " + code("make website") + ". The claims below are what the proofs will check.")}}
	}
	var out []banner
	commit := b.run.Provenance.Commit
	switch {
	case commit == "":
		out = append(out, banner{Kind: "warn", Message: template.HTML("The report does not say which commit it proved; it may not match this checkout. Run " + code("make proofs") + " to be sure.")})
	case b.cfg.HeadCommit != "" && b.cfg.HeadCommit != commit:
		out = append(out, banner{Kind: "warn", Message: template.HTML("This report proved commit " + code(shortCommit(commit)) + ", but the checkout is at " + code(shortCommit(b.cfg.HeadCommit)) + ": the results may not hold for the current code. Run " + code("make proofs") + " to prove it.")})
	}
	if b.run.Provenance.Dirty {
		out = append(out, banner{Kind: "warn", Message: template.HTML("The proofs ran on commit " + code(shortCommit(commit)) + " with uncommitted changes: the exact code they proved is not in git.")})
	}
	return out
}

func (b *builder) render(sitePath, tmpl, title string, content any, warnings []string) error {
	p := page{Title: title, Root: rootPrefix(sitePath), Path: sitePath, Nav: b.nav, Banners: b.banners(), Content: content, Warnings: warnings}
	if b.run != nil {
		p.Run = newRunView(b.run)
	}
	var buf bytes.Buffer
	if err := b.templates[tmpl].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", sitePath, err)
	}
	b.pages++
	return b.writeFile(sitePath, buf.Bytes())
}

func (b *builder) writeDoc(d *docPage) error {
	body := d.body
	if d.source == benchmarksSource {
		body = withFigure(body, b.growthFigure())
	}
	return b.render(d.out, "doc", d.title, docView{Source: d.source, Body: template.HTML(body)}, nil)
}

type docView struct {
	Source string
	Body   template.HTML
}

// indexView is the front page.
type indexView struct {
	Rows        []proofRow
	Counts      []countView
	HistoryRuns int
	Stress      []stressItem
	Suites      []suiteView
	// Coverage is the run's backend coverage by every proof, or nil.
	Coverage *coverageView
}

// suiteView is another suite's claims on the front page.
type suiteView struct {
	Name, Command string
	Rows          []proofRow
}

type countView struct {
	Verdict, Label string
	N              int
}

func (b *builder) writeIndex() error {
	v := indexView{HistoryRuns: min(len(b.history), historyLen), Stress: b.stressItems()}
	counts := map[string]int{}
	for _, p := range b.proofs {
		row := b.row(p)
		counts[row.Verdict]++
		v.Rows = append(v.Rows, row)
	}
	for _, verdict := range []string{"pass", "fail", "error", "skip", notRun, "unknown"} {
		if counts[verdict] > 0 {
			v.Counts = append(v.Counts, countView{Verdict: verdict, Label: verdictLabel(verdict), N: counts[verdict]})
		}
	}
	for _, sd := range b.suites {
		sv := suiteView{Name: sd.name, Command: sd.run.Provenance.Command}
		for _, p := range sd.proofs {
			sv.Rows = append(sv.Rows, b.row(p))
		}
		v.Suites = append(v.Suites, sv)
	}
	if b.run != nil && b.run.Coverage != nil {
		href, err := b.copyListing(b.run.Coverage, "coverage.html")
		if err != nil {
			return err
		}
		v.Coverage = newCoverageView(b.run.Coverage, href)
	}
	return b.render("index.html", "index", "Proofs", v, b.warnings)
}

func (b *builder) row(p proofEntry) proofRow {
	r := proofRow{Name: p.name, Path: p.path(), Claim: p.claim, InCatalog: p.inCatalog,
		Verdict: notRun, VerdictLabel: verdictLabel(notRun), Duration: "—", Started: "—", Commit: "—"}
	run := b.run
	if sd := b.suite(p.suite); sd != nil {
		run = sd.run
	} else {
		r.History = buildHistory(b.history, p.name)
	}
	if p.from == nil && p.result != nil && run != nil {
		// Another suite's proofs come from that suite's one run.
		from := report.ClaimRunOf(*run)
		p.from = &from
	}
	if s := p.result; s != nil && p.from != nil {
		r.Verdict, r.VerdictLabel = verdictClass(string(s.Verdict)), verdictLabel(string(s.Verdict))
		r.Reason = s.Reason
		if s.Verdict != report.Skip || s.DurationMS > 0 {
			r.Duration = formatDuration(time.Duration(s.DurationMS) * time.Millisecond)
		}
		r.Started = formatTime(s.StartedAt)
		r.Commit = shortCommit(p.from.Commit)
		if p.from.Dirty {
			r.Commit += " (dirty)"
		}
		r.RunID = p.from.RunID
		r.InLatestRun = b.run != nil && p.from.RunID == b.run.RunID
		if current := b.currentCommit(); current != "" && p.from.Commit != current {
			r.OlderCommit = shortCommit(current)
		}
		if f := firstFailure(s); f != nil {
			r.FirstFailure = f.Name
		}
	}
	return r
}

// currentCommit is the commit the site speaks for: the checkout's when
// known, else the latest run's. A claim proved on another commit says so.
func (b *builder) currentCommit() string {
	if b.cfg.HeadCommit != "" {
		return b.cfg.HeadCommit
	}
	if b.run != nil {
		return b.run.Provenance.Commit
	}
	return ""
}

// firstFailure is the assertion the report names as the first failure, or
// else the first assertion that did not hold.
func firstFailure(s *report.Scenario) *report.Assertion {
	if s.FirstFailure != nil {
		return s.FirstFailure
	}
	for i := range s.Assertions {
		if !s.Assertions[i].OK {
			return &s.Assertions[i]
		}
	}
	return nil
}

// suite is the suite named name, nil for our own proofs ("").
func (b *builder) suite(name string) *suiteData {
	for i := range b.suites {
		if name != "" && b.suites[i].name == name {
			return &b.suites[i]
		}
	}
	return nil
}

func (b *builder) writeProof(p proofEntry) error {
	v := proofView{proofRow: b.row(p), Reproduce: p.reproduce}
	reportDir := b.cfg.ReportDir
	if sd := b.suite(p.suite); sd != nil {
		reportDir = sd.dir
	} else {
		b.fillGuards(&v, p)
	}
	if !p.inCatalog {
		v.Warnings = append(v.Warnings, "This scenario is in the report but not in the proof catalog (proofs/catalog).")
	}
	if s := p.result; s != nil {
		v.HasResult = true
		if err := b.fillEvidence(&v, s, reportDir); err != nil {
			return err
		}
	}
	return b.render(p.path(), "proof", p.name, v, v.Warnings)
}

// fillGuards lists the mutants the proof must catch and, from the last
// mutant run, whether this proof caught each.
func (b *builder) fillGuards(v *proofView, p proofEntry) {
	results := map[string]report.Mutant{}
	if b.mutants != nil {
		v.MutantRun = fmt.Sprintf("%s, commit %s", formatTime(b.mutants.Provenance.StartedAt), shortCommit(b.mutants.Provenance.Commit))
		for _, m := range b.mutants.Mutants {
			results[m.Name] = m
		}
	}
	for _, name := range p.guards {
		g := guardView{Name: name, Outcome: "not run", Class: notRun}
		for _, m := range b.cfg.Mutants {
			if m.Name == name {
				g.Change, g.File = m.Change, m.File
			}
		}
		if r, ok := results[name]; ok {
			g.Outcome, g.Detail = string(r.Outcome), r.Reason
			g.Class = map[report.MutantOutcome]string{report.Caught: "pass", report.Survived: "fail", report.Stale: "fail"}[r.Outcome]
			if g.Class == "" {
				g.Class = "error"
			}
			for _, mp := range r.Proofs {
				if mp.Name == p.name && mp.FirstFailure != nil {
					g.Detail = "first failure: " + mp.FirstFailure.Name
				}
			}
		}
		v.Guards = append(v.Guards, g)
	}
}

func (b *builder) fillEvidence(v *proofView, s *report.Scenario, reportDir string) error {
	start := s.StartedAt
	v.StartedAt = formatTime(start)
	evidence, warnings := findEvidence(reportDir, s.Name, s.Files)
	v.Warnings = append(v.Warnings, warnings...)

	var events []report.Event
	if ev, ok := evidence["events"]; ok {
		var err error
		if events, err = readNDJSON[report.Event](ev.Src); err != nil {
			v.Warnings = append(v.Warnings, "event stream partly unreadable: "+err.Error())
		}
	}
	steps, assertions := s.Steps, s.Assertions
	if len(steps) == 0 && len(assertions) == 0 {
		// results.json has no record (the run was cut short): rebuild it
		// from the event stream.
		for _, e := range events {
			if e.Step != nil {
				steps = append(steps, *e.Step)
			}
			if e.Assertion != nil {
				assertions = append(assertions, *e.Assertion)
			}
		}
	}
	if start.IsZero() && len(steps) > 0 {
		start = steps[0].At
	}
	for i, st := range steps {
		v.Steps = append(v.Steps, stepView{N: i + 1, Offset: offsetFrom(start, st.At), Clock: formatClock(st.At), Name: st.Name, Detail: st.Detail})
	}
	first := firstFailure(s)
	if first == nil && s.Verdict == report.Fail {
		for i := range assertions {
			if !assertions[i].OK {
				first = &assertions[i]
				break
			}
		}
	}
	for _, a := range assertions {
		av := newAssertionView(a, start)
		if first != nil && v.Failure == nil && a.Name == first.Name && a.At.Equal(first.At) {
			av.First = true
			v.Failure = &av
		}
		v.Assertions = append(v.Assertions, av)
	}
	if first != nil && v.Failure == nil {
		av := newAssertionView(*first, start)
		av.First = true
		v.Failure = &av
	}

	var samples []report.HealthSample
	if ev, ok := evidence["health"]; ok {
		var err error
		if samples, err = readNDJSON[report.HealthSample](ev.Src); err != nil {
			v.Warnings = append(v.Warnings, "/health samples partly unreadable: "+err.Error())
		}
	} else {
		for _, e := range events {
			if e.Health != nil {
				samples = append(samples, *e.Health)
			}
		}
	}
	points := make([]healthPoint, 0, len(samples))
	instances := map[string]bool{}
	for _, smp := range samples {
		pt := interpretHealth(smp)
		points = append(points, pt)
		instances[pt.Instance] = true
	}
	sortHealth(points)
	v.Instances = sortedKeys(instances)
	if len(points) > 0 {
		bounds := timelineBounds{start: start, end: start.Add(time.Duration(s.DurationMS) * time.Millisecond)}
		if bounds.start.IsZero() || points[0].At.Before(bounds.start) {
			bounds.start = points[0].At
		}
		if last := points[len(points)-1].At; last.After(bounds.end) {
			bounds.end = last
		}
		if !bounds.end.After(bounds.start) {
			bounds.end = bounds.start.Add(time.Second)
		}
		v.Chart = template.HTML(healthChart(points, steps, bounds))
		for _, pt := range points {
			v.HealthRows = append(v.HealthRows, newHealthRow(pt, start))
		}
	}

	if ev, ok := evidence["db_rows"]; ok {
		tables, err := readDBRows(ev.Src)
		if err != nil {
			v.Warnings = append(v.Warnings, "database rows unreadable: "+err.Error())
		}
		v.DBTables = tables
	}
	if ev, ok := evidence["log"]; ok {
		lines, total, err := logTail(ev.Src, b.cfg.LogLines)
		if err != nil {
			v.Warnings = append(v.Warnings, "backend log unreadable: "+err.Error())
		}
		for _, l := range lines {
			v.LogLines = append(v.LogLines, newLogLine(l))
		}
		v.LogShown, v.LogTotal = len(lines), total
		v.LogHref = s.Name + "/" + ev.Name
	}
	if s.Coverage != nil {
		href, err := b.copyListing(s.Coverage, "proofs/"+s.Name+"/coverage.html")
		if err != nil {
			return err
		}
		v.Coverage = newCoverageView(s.Coverage, strings.TrimPrefix(href, "proofs/"))
	}
	for _, kind := range sortedKeys(evidence) {
		ev := evidence[kind]
		sitePath := "proofs/" + s.Name + "/" + ev.Name
		if err := b.copyInto(sitePath, ev.Src); err != nil {
			return err
		}
		v.Evidence = append(v.Evidence, evidenceLink{Label: evidenceLabel(kind), Href: s.Name + "/" + ev.Name, Size: formatSize(ev.Size)})
	}
	return nil
}

// copyListing copies a coverage listing from the report to sitePath and
// returns sitePath, or "" when the report has no listing (or names one
// outside the report folder).
func (b *builder) copyListing(c *report.Coverage, sitePath string) (string, error) {
	rel := filepath.FromSlash(c.Listing)
	if c.Listing == "" || !filepath.IsLocal(rel) {
		return "", nil
	}
	src := filepath.Join(b.cfg.ReportDir, rel)
	if info, err := os.Stat(src); err != nil || !info.Mode().IsRegular() {
		return "", nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	// The listing stands alone in the report with an empty inline icon;
	// on the site it takes the site's icon (the site's content policy
	// allows no data: images).
	data = bytes.Replace(data, []byte(report.CoverageListingIcon), []byte(`<link rel="icon" href="`+rootPrefix(sitePath)+`assets/favicon.svg" type="image/svg+xml">`), 1)
	if err := b.writeFile(sitePath, data); err != nil {
		return "", err
	}
	return sitePath, nil
}

func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// wbr lets a long snake_case proof name wrap after its underscores
		// instead of in the middle of a word.
		"wbr": func(s string) template.HTML {
			parts := strings.Split(s, "_")
			for i, p := range parts {
				parts[i] = template.HTMLEscapeString(p)
			}
			return template.HTML(strings.Join(parts, "_<wbr>"))
		},
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"index", "proof", "doc", "soak", "load"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse templates: %w", err)
		}
		out[name] = t
	}
	return out, nil
}
