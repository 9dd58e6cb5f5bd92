package coverage

import (
	"bufio"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"

	"github.com/prodproof/prodproof/internal/report"
)

// ListingIcon is report.CoverageListingIcon, the one the site replaces.
const ListingIcon = report.CoverageListingIcon

// listingPage is the offline listing: every measured file, each line
// marked covered (ran), uncovered (a statement on it never ran) or plain
// (no statement). No script, no external asset.
var listingPage = template.Must(template.New("listing").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
{{.Icon}}
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
pre{font:12px/1.45 ui-monospace,monospace;margin:0}
.file{margin:1.5rem 0;border:1px solid #ddd}
.file h2{font-size:14px;margin:0;padding:.4rem .6rem;background:#f4f4f4}
.l{display:block;white-space:pre}
.n{display:inline-block;width:4em;color:#888;text-align:right;margin-right:1em;user-select:none}
.c{background:#dff5e1}.u{background:#fbe0e0}
ul{columns:2}
</style></head><body>
<h1>{{.Title}}</h1>
<p>{{.Summary}}. Lines in green ran at least once; lines in red hold a statement that never ran.</p>
<ul>{{range .Files}}<li><a href="#{{.ID}}">{{.Name}}</a> {{.Covered}}/{{.Statements}}</li>{{end}}</ul>
{{range .Files}}<div class="file" id="{{.ID}}"><h2>{{.Name}} — {{.Covered}}/{{.Statements}} statements</h2><pre>{{range .Lines}}<span class="l{{if eq .State 1}} c{{else if eq .State 2}} u{{end}}"><span class="n">{{.N}}</span>{{.Text}}</span>{{end}}</pre></div>
{{end}}</body></html>
`))

type listingLine struct {
	N     int
	State lineState
	Text  string
}

type listingFile struct {
	ID, Name            string
	Statements, Covered int
	Lines               []listingLine
}

// WriteListing renders p as an offline HTML page at out, reading the
// sources from root (the module at modulePath).
func WriteListing(p *Profile, root, modulePath, title, out string) error {
	states := p.lines()
	counts := map[string][2]int{}
	for _, b := range p.Blocks {
		c := counts[b.File]
		c[0] += b.Statements
		if b.Covered {
			c[1] += b.Statements
		}
		counts[b.File] = c
	}
	var files []listingFile
	for _, f := range p.Files() {
		rel := relative(modulePath, f)
		src, err := os.Open(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("listing: %w", err)
		}
		lf := listingFile{ID: strings.NewReplacer("/", "-", ".", "-").Replace(rel), Name: rel, Statements: counts[f][0], Covered: counts[f][1]}
		sc := bufio.NewScanner(src)
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for n := 1; sc.Scan(); n++ {
			lf.Lines = append(lf.Lines, listingLine{N: n, State: states[f][n], Text: sc.Text()})
		}
		src.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("listing %s: %w", rel, err)
		}
		files = append(files, lf)
	}
	sum := p.Summary()
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	err = listingPage.Execute(w, map[string]any{
		"Title":   title,
		"Icon":    template.HTML(ListingIcon),
		"Summary": fmt.Sprintf("%d of %d statements covered (%.1f %%)", sum.Covered, sum.Statements, sum.Percent()),
		"Files":   files,
	})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
