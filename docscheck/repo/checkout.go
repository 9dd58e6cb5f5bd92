package repo

import (
	"bufio"
	"bytes"
	"strings"
)

// Checkout is what a clone's git metadata says about the tree checked
// out: the github.com repository its origin remote names, and the refs
// under which github.com serves this tree. It reads .git/config, .git/HEAD
// and .git/refs/remotes/origin/HEAD as text; a checkout without them (a
// tarball, a folder that is not a clone) has no Owner and no refs.
type Checkout struct {
	// Owner and Name are the origin remote's github.com repository
	// (https://github.com/OWNER/NAME.git, git@github.com:OWNER/NAME.git),
	// or "" when origin is another host or absent.
	Owner, Name string
	// Refs name this tree on github.com: the branch .git/HEAD has checked
	// out, and HEAD (github.com's name for the default branch) unless the
	// clone records another branch as origin's default.
	Refs []string
}

// Checkout returns, memoized, what the clone's git metadata says (see
// Checkout).
func (r *Repo) Checkout() Checkout {
	return r.memo("checkout", ".", func() any { return r.readCheckout() }).(Checkout)
}

func (r *Repo) readCheckout() Checkout {
	var c Checkout
	c.Owner, c.Name = githubRepository(r.originURL())
	if c.Owner == "" {
		return c
	}
	branch := symbolicRef(r, ".git/HEAD", "refs/heads/")
	def := symbolicRef(r, ".git/refs/remotes/origin/HEAD", "refs/remotes/origin/")
	if branch != "" {
		c.Refs = append(c.Refs, branch)
	}
	if def == "" || def == branch {
		// HEAD is the default branch: this tree, or the tree that is to
		// become it (a detached HEAD, as CI checks out a pull request),
		// unless the clone says the default is another branch than the
		// one checked out.
		c.Refs = append(c.Refs, "HEAD")
	}
	return c
}

// originURL is the url of .git/config's [remote "origin"] section.
func (r *Repo) originURL() string {
	for _, rm := range r.remotes() {
		if rm.name == "origin" {
			return rm.url
		}
	}
	return ""
}

// Remotes are the URLs of the checkout's remotes in .git/config (origin,
// upstream: where it was cloned from). Submodules' URLs, in other
// sections, name other repositories and are left out.
func (r *Repo) Remotes() []string {
	var urls []string
	for _, rm := range r.remotes() {
		urls = append(urls, rm.url)
	}
	return urls
}

// remote is a [remote "name"] section of .git/config and its url.
type remote struct{ name, url string }

// remotes reads .git/config's remote sections, in order.
func (r *Repo) remotes() []remote {
	data, err := r.ReadFile(".git/config")
	if err != nil {
		return nil
	}
	var out []remote
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section = ""
			if name, ok := strings.CutPrefix(strings.ReplaceAll(line, " ", ""), "[remote"); ok {
				section = strings.Trim(strings.TrimSuffix(name, "]"), `"`)
			}
			continue
		}
		if key, value, ok := strings.Cut(line, "="); ok && section != "" && strings.TrimSpace(key) == "url" {
			out = append(out, remote{section, strings.TrimSpace(value)})
		}
	}
	return out
}

// githubRepository reads OWNER and NAME from a github.com clone URL
// (https, ssh or scp-like, with or without .git).
func githubRepository(u string) (owner, name string) {
	rest := ""
	for _, prefix := range []string{"https://github.com/", "http://github.com/", "https://www.github.com/", "ssh://git@github.com/", "git@github.com:", "git://github.com/"} {
		if r, ok := strings.CutPrefix(u, prefix); ok {
			rest = r
			break
		}
	}
	parts := strings.Split(strings.TrimSuffix(strings.TrimSuffix(rest, "/"), ".git"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", ""
	}
	return parts[0], parts[1]
}

// symbolicRef reads a symbolic ref file ("ref: refs/heads/main") and
// returns the name after prefix, or "" when the file is absent, holds a
// commit id or names a ref outside prefix.
func symbolicRef(r *Repo, file, prefix string) string {
	data, err := r.ReadFile(file)
	if err != nil {
		return ""
	}
	ref, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "ref:")
	if !ok {
		return ""
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(ref), prefix)
	if !ok || name == "" {
		return ""
	}
	return name
}
