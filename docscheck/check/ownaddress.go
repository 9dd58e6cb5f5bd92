package check

import (
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// ownFile is a URL of this repository's own file on github.com.
type ownFile struct {
	file     string // the path in the tree, "." for its root
	ref      string // the ref the URL names, one that names this tree
	fragment string // escaped, "" when none or not a heading's
	raw      bool   // a raw file (raw.githubusercontent.com, /raw/): no anchors
}

// lineFragment is a github.com line or line range fragment (#L10,
// #L10-L20, #L10C3).
var lineFragment = regexp.MustCompile(`^L[0-9]+(C[0-9]+)?(-L[0-9]+(C[0-9]+)?)?$`)

// ownAddress reads dest as this repository's file on github.com
// (https://github.com/OWNER/NAME/blob/REF/PATH, /tree/ and /raw/ alike,
// and https://raw.githubusercontent.com/OWNER/NAME/REF/PATH, REF also as
// refs/heads/REF there) when OWNER/NAME is the checkout's origin remote
// and REF names the tree checked out (repo.Checkout: the branch checked
// out, or HEAD, github.com's default branch). A tag, a commit id or
// another branch is a snapshot of some other tree, and is not read.
func (c *Checker) ownAddress(dest string) (ownFile, bool) {
	co := c.opts.Repo.Checkout()
	if co.Owner == "" || len(co.Refs) == 0 {
		return ownFile{}, false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.User != nil || u.Port() != "" {
		return ownFile{}, false
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	var rest []string
	var f ownFile
	switch strings.ToLower(u.Hostname()) {
	case "github.com", "www.github.com":
		if len(parts) < 4 || parts[2] != "blob" && parts[2] != "tree" && parts[2] != "raw" {
			return ownFile{}, false
		}
		f.raw = parts[2] == "raw"
		rest = parts[3:]
	case "raw.githubusercontent.com":
		if len(parts) < 3 {
			return ownFile{}, false
		}
		f.raw = true
		rest = parts[2:]
		if len(rest) > 2 && rest[0] == "refs" && rest[1] == "heads" {
			rest = rest[2:]
		}
	default:
		return ownFile{}, false
	}
	if !strings.EqualFold(parts[0], co.Owner) || !strings.EqualFold(strings.TrimSuffix(parts[1], ".git"), co.Name) {
		return ownFile{}, false
	}
	joined := strings.Join(rest, "/")
	for _, ref := range co.Refs {
		if joined == ref || joined == ref+"/" {
			f.ref, f.file = ref, "."
		} else if p, ok := strings.CutPrefix(joined, ref+"/"); ok {
			f.ref, f.file = ref, path.Clean(p)
		} else {
			continue
		}
		if f.file == ".." || strings.HasPrefix(f.file, "../") || strings.HasPrefix(f.file, "/") {
			return ownFile{}, false
		}
		if !f.raw && u.Query().Get("plain") == "" && !lineFragment.MatchString(u.Fragment) {
			// With ?plain=1 github.com shows the source, whose
			// fragments are line numbers (#L10), not headings; a line
			// number written without it names a line, not a heading.
			f.fragment = u.EscapedFragment()
		}
		return f, true
	}
	return ownFile{}, false
}

// checkOwnAddress judges a URL of this repository's own file on
// github.com (ownAddress) as a link to the file in the tree: github.com
// serves that ref from the same commits, so a path the tree lacks is a
// 404 there, and a fragment on a Markdown page it renders names one of
// the page's headings or ids. Other URLs are left to --external.
func (c *Checker) checkOwnAddress(r *report, dest string, offset int) {
	f, ok := c.ownAddress(dest)
	if !ok {
		return
	}
	if c.opts.Repo.Stat(f.file) == repo.Missing {
		if _, err := os.Lstat(c.opts.Repo.Abs(f.file)); err == nil {
			return // a symbolic link whose target is not in the tree: github.com shows the link
		}
		hint := c.nearbyName(f.file)
		r.missAt(offset, "", ruleLink, hint, "link target %s names this repository's %s on %s, which does not exist", quoteTarget(dest), f.file, f.ref)
		return
	}
	if f.fragment == "" || !isMarkdown(f.file) || c.opts.Repo.Stat(f.file) != repo.File {
		return
	}
	other, err := c.load(f.file)
	if err != nil {
		return
	}
	if c.site(f.file) != nil || c.opts.Slug != "" || c.rendererUnknown(f.file) != "" {
		// github.com renders the page, but docscheck computes its ids
		// under the rules of the site that publishes it.
		frag, _ := url.PathUnescape(f.fragment)
		if !other.anchors[frag] {
			r.missAt(offset, reasonSiteRule, ruleAnchor, "", "anchor #%s does not exist in %s", frag, f.file)
		}
		return
	}
	r.onGitHub = true
	c.checkAnchor(r, other, f.fragment, offset, f.file)
	r.onGitHub = false
}
