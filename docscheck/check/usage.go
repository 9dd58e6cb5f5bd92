package check

import (
	"cmp"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// Authors build and read their own site, and on a published site most
// of their links work. When, under docscheck's model of a scope's
// renderer, a large share of the authors' renderer-dependent references
// of one kind fail, spread over several pages, the likelier explanation
// is that the model is wrong (a generator docscheck does not recognise,
// or one whose rules it does not model), not that the docs are. Then the
// scope's renderer is taken as unknown (rendererUnknown's concept, with
// this evidence): only what no renderer could serve stays a finding, the
// rest is not judged (reasonUnknownRenderer).
//
// The references weighed are of two kinds:
//   - anchors: every fragment docscheck looked up on a page (the
//     target page's scope: its renderer makes the ids);
//   - routes: every relative link to a path of the repository (the
//     linking page's scope: its renderer resolves the URL).
//
// A scope is where one renderer serves the pages: a modelled site's
// pages folder, else the folder of a navigation file naming the page
// (repo.NavFile), else the page's top folder; the pages at the root
// (the README and its peers, read on github.com) are one scope.
const evidenceAuthorsUsage = "authors-usage"

// The guard trips on a scope and kind when the failures are at least
// usageMinShare of the references checked, on at least usageMinPages
// distinct pages, naming at least usageMinTargets distinct targets
// (fragments, destinations). One guide with dozens of stale anchors is
// one page, and one stale link copied onto every translation of a page
// is one target: the docs' own mistakes, which the spread keeps.
// docs/docscheck.md gives the counts behind these figures.
const (
	usageMinShare   = 0.3
	usageMinPages   = 3
	usageMinTargets = 3
)

// usageKey is one kind of renderer-dependent reference in one scope.
type usageKey struct {
	scope, kind string
}

// usageKeyOf is the key of a reference of kind on page.
func (c *Checker) usageKeyOf(page, kind string) usageKey {
	// Memoized by page: a page's references all share its scope, and
	// finding it walks the folders above the page for navigation files.
	scope, ok := c.usageScopes.Load(page)
	if !ok {
		scope, _ = c.usageScope(page)
		c.usageScopes.Store(page, scope)
	}
	return usageKey{scope.(string), kind}
}

// usageCase is a certain finding on a renderer-dependent reference:
// where it counts, and whether some renderer could serve it (then the
// guard, when it trips, takes it back).
type usageCase struct {
	key usageKey
	// target is what the reference names: the fragment of an anchor,
	// the destination of a link.
	target string
	// couldServe: a rule of some renderer serves it from its own page
	// (anyRendererServes, anyRendererCouldGive, textCouldGive).
	couldServe bool
	// bareOn is the page of a bare fragment (#name), which a renderer
	// with project-wide cross-references (MyST, Sphinx) resolves against
	// the explicit targets of every page (scopeLabels); "" otherwise.
	bareOn string
}

// usageScope is the scope of page (see evidenceAuthorsUsage): its
// name, and the folder whose pages it holds ("" for the root's pages).
func (c *Checker) usageScope(page string) (scope, dir string) {
	if s := c.site(page); s != nil {
		return "site:" + s.Pages, s.Pages
	}
	if nav := c.opts.Repo.NavFile(page); nav != "" {
		return "nav:" + path.Dir(nav), path.Dir(nav)
	}
	top, _, nested := strings.Cut(page, "/")
	if !nested {
		return ".", ""
	}
	return top, top
}

// usageChecked counts one renderer-dependent reference of kind in the
// scope of page.
func (r *report) usageChecked(key usageKey) {
	if r.onGitHub {
		return
	}
	if r.usageChecks == nil {
		r.usageChecks = map[usageKey]int{}
	}
	r.usageChecks[key]++
}

// usageFailed notes that the finding just made (the report's last) is a
// failing renderer-dependent reference.
func (r *report) usageFailed(key usageKey, target string, couldServe bool, bareOn string) {
	if r.onGitHub {
		return
	}
	if r.usageCases == nil {
		r.usageCases = map[finding.Finding]usageCase{}
	}
	r.usageCases[r.findings[len(r.findings)-1]] = usageCase{key: key, target: target, couldServe: couldServe, bareOn: bareOn}
}

// usageTally is the run's count of renderer-dependent references.
type usageTally struct {
	checks map[usageKey]int
	cases  map[finding.Finding]usageCase
}

func (t *usageTally) add(r *pageResult) {
	if t.checks == nil {
		t.checks, t.cases = map[usageKey]int{}, map[finding.Finding]usageCase{}
	}
	for k, n := range r.usageChecks {
		t.checks[k] += n
	}
	for f, u := range r.usageCases {
		t.cases[f] = u
	}
}

// doubt takes back, as not judged, the certain findings that some
// renderer could serve in each scope and kind where the authors' own
// references fail too often (evidenceAuthorsUsage).
func (t *usageTally) doubt(c *Checker, all []finding.Finding) {
	type spread struct {
		fails          int
		pages, targets map[string]bool
	}
	failed := map[usageKey]*spread{}
	seen := map[finding.Finding]bool{}
	for _, f := range all {
		u, ok := t.cases[f]
		if !ok || f.NotCertain != "" || seen[f] {
			// A finding made twice (a reference definition used on
			// several lines) is one failure.
			continue
		}
		seen[f] = true
		s := failed[u.key]
		if s == nil {
			s = &spread{pages: map[string]bool{}, targets: map[string]bool{}}
			failed[u.key] = s
		}
		s.fails++
		s.pages[f.Path] = true
		s.targets[u.target] = true
	}
	tripped := map[usageKey]bool{}
	for k, s := range failed {
		tripped[k] = len(s.pages) >= usageMinPages && len(s.targets) >= usageMinTargets &&
			float64(s.fails) >= usageMinShare*float64(t.checks[k])
	}
	for i, f := range all {
		if u, ok := t.cases[f]; ok && f.NotCertain == "" && tripped[u.key] &&
			(u.couldServe || u.bareOn != "" && c.scopeLabels(u.bareOn, u.target)) {
			all[i].NotCertain = reasonUnknownRenderer
		}
	}
}

// mystTargetDef finds the explicit targets a page names: a MyST "(name)="
// line, a directive's ":label: name" or ":name: name" option, a page's
// "label: name" metadata or a notebook cell's "#| label: name", a
// reStructuredText ".. _name:" line. A notebook's JSON string ends the
// name at its quote or "\n".
var mystTargetDef = regexp.MustCompile(`(?m)^\s*\(([^()\s]+)\)=|:(?:label|name):[ \t]*([^\s"\\]+)|(?:^|#\|)[ \t]*label:[ \t]*([^\s"\\]+)|^\.\. _([^:\n]+):`)

// folderCouldGive reports whether some page under dir could give frag as
// a target of a renderer that resolves a bare fragment against every
// page of a project (MyST, Sphinx): an explicit target (folderLabels)
// or a heading or id of a Markdown page under any slug rule
// (anyRendererCouldGive's letters and digits); a page of another format
// (a notebook, reStructuredText), whose headings docscheck does not
// parse, offers the letters and digits of each of its lines.
func (c *Checker) folderCouldGive(dir, frag string) bool {
	ft := c.targetsUnder(dir)
	want := letterDigits(frag)
	return want == "" || ft.labels[want] || ft.headings[want]
}

// folderLabels reports whether some page under dir names frag as an
// explicit target (mystTargetDef, an attribute block's id), by letters
// and digits: a renderer with project-wide cross-references resolves a
// bare fragment to it.
func (c *Checker) folderLabels(dir, frag string) bool {
	want := letterDigits(frag)
	return want == "" || c.targetsUnder(dir).labels[want]
}

// folderTargets are the letters and digits of what the pages under a
// folder could give as targets, found once: explicit targets, and
// headings and ids under any slug rule.
type folderTargets struct {
	once             sync.Once
	labels, headings map[string]bool
}

// targetsUnder gathers, once per folder, the targets of the pages under
// dir ("" for the root's pages alone).
func (c *Checker) targetsUnder(dir string) *folderTargets {
	v, _ := c.folderTargets.LoadOrStore(dir, &folderTargets{})
	ft := v.(*folderTargets)
	ft.once.Do(func() {
		ft.labels, ft.headings = map[string]bool{}, map[string]bool{}
		c.gatherTargets(cmp.Or(dir, "."), dir != "", ft)
	})
	return ft
}

// gatherTargets adds the targets of the pages of d, and of its folders
// when deep, to ft.
func (c *Checker) gatherTargets(d string, deep bool, ft *folderTargets) {
	rp := c.opts.Repo
	for _, n := range rp.Names(d) {
		p := path.Join(d, n)
		switch rp.WalkStat(p) {
		case repo.Dir:
			if deep && !strings.HasPrefix(n, ".") && n != "node_modules" {
				c.gatherTargets(p, deep, ft)
			}
		case repo.File:
			ext := strings.ToLower(path.Ext(n))
			if !servablePage(n) || ext == ".html" || ext == ".htm" {
				continue
			}
			src, err := rp.ReadFile(p)
			if err != nil {
				continue
			}
			for _, m := range mystTargetDef.FindAllSubmatch(src, -1) {
				for _, g := range m[1:] {
					if len(g) > 0 {
						ft.labels[letterDigits(string(g))] = true
					}
				}
			}
			if isPage(p) {
				if pg, err := c.load(p); err == nil {
					for k := range pg.looseIDs() {
						ft.headings[k] = true
					}
					for _, id := range pg.attrIDs {
						ft.labels[letterDigits(id)] = true
					}
				}
				continue
			}
			for line := range strings.Lines(string(src)) {
				t := strings.Trim(strings.TrimSpace(line), `",`)
				ft.headings[letterDigits(strings.TrimSuffix(t, `\n`))] = true
			}
		}
	}
}

// scopeLabels reports whether a page of page's scope names frag as an
// explicit target (folderLabels).
func (c *Checker) scopeLabels(page, frag string) bool {
	_, dir := c.usageScope(page)
	return c.folderLabels(dir, frag)
}
