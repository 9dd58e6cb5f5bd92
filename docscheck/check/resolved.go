package check

import "github.com/prodproof/prodproof/docscheck/repo"

// A page's links are resolved twice, once to find the pages it links to
// (Files) and once to check them, and pages repeat their links (the same
// guide and logo in every section): resolvePath's answers are remembered
// by page and path, a key of two strings that needs no allocation.

type resolveKey struct{ page, decoded string }

type resolution struct {
	path string
	kind repo.Kind
}

// rememberResolved returns resolve(page, decoded), computed once per pair.
func (c *Checker) rememberResolved(page, decoded string, resolve func(page, decoded string) (string, repo.Kind)) (string, repo.Kind) {
	k := resolveKey{page, decoded}
	c.resolvedMu.RLock()
	v, ok := c.resolved[k]
	c.resolvedMu.RUnlock()
	if ok {
		return v.path, v.kind
	}
	p, kind := resolve(page, decoded)
	c.resolvedMu.Lock()
	c.resolved[k] = resolution{p, kind}
	c.resolvedMu.Unlock()
	return p, kind
}
