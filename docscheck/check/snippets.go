package check

import (
	"path"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// checkSnippets judges the snippet lines (--8<-- "file") of a page on a
// site that runs pymdownx.snippets. The extension pastes the file in
// before the page is parsed, from the first of its base_path folders
// that holds it; a file that none holds leaves the page without that
// text (with check_paths set, the build stops). A name with a line range
// or a section after a colon ("part.md:3:9", "part.md:intro") is looked
// up without it; a URL is fetched, not looked up. What makes a missing
// link uncertain makes a missing snippet so: a file the build writes
// (builtByRepository), one in a
// submodule, a template's name, or a site whose build runs something
// before the generator that writes files docscheck does not see.
func (c *Checker) checkSnippets(r *report) {
	s := c.site(r.page.path)
	if s == nil || len(s.SnippetBases) == 0 {
		return
	}
	for _, sn := range repo.SnippetNames(r.page.source) {
		written := sn.Name
		if strings.Contains(written, "://") || strings.HasPrefix(written, "/") {
			continue
		}
		r.judged()
		if c.opts.Repo.SnippetFile(*s, written) != "" {
			continue
		}
		if i := strings.IndexByte(path.Base(written), ':'); i > 0 {
			if c.opts.Repo.SnippetFile(*s, path.Join(path.Dir(written), path.Base(written)[:i])) != "" {
				continue
			}
		}
		target := path.Join(s.SnippetBases[0], written)
		if target == ".." || strings.HasPrefix(target, "../") {
			continue // the extension keeps a snippet inside its base path
		}
		hint := c.nearbyName(target)
		reason := ""
		switch {
		case c.opts.Repo.InSubmodule(target):
			reason = reasonSubmodule
		case c.builtByRepository(target, "") || c.isGenerated(target):
			reason = reasonOutput
		case hasTemplate(written):
			reason = reasonSiteRule
		case s.PagesWriter != "":
			reason = reasonSiteConfig
		}
		suggestion := ""
		if hint != "" {
			suggestion = relativeTo(s.SnippetBases[0], hint)
		}
		r.missAt(sn.Offset, reason, ruleLink, suggestion, "snippet %s is in no folder of the snippets base_path (%s)",
			quoteTarget(written), strings.Join(s.SnippetBases, ", "))
	}
}
