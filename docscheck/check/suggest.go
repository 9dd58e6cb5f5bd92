package check

import "github.com/prodproof/prodproof/internal/suggest"

// indexFrom is the candidate count from which a did-you-mean search goes
// through a suggest.Index: below it a plain scan is cheaper than building
// one.
const indexFrom = 64

// indexKey names a candidate slice by its backing array; the checker
// keeps it alive, so the address cannot be reused for another list.
type indexKey struct {
	first *string
	n     int
}

// nearest is suggest.Nearest for long-lived candidate lists (a page's
// anchors, a folder's names, a Makefile's targets): a page with thousands
// of bad anchors builds its index once instead of comparing every anchor
// with every other.
func (c *Checker) nearest(word string, candidates []string) string {
	if len(candidates) < indexFrom {
		return suggest.Nearest(word, candidates)
	}
	key := indexKey{&candidates[0], len(candidates)}
	v, ok := c.indexes.Load(key)
	if !ok {
		v, _ = c.indexes.LoadOrStore(key, suggest.NewIndex(candidates))
	}
	return v.(*suggest.Index).Nearest(word)
}
