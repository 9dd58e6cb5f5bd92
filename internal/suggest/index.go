package suggest

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Index answers Nearest for one fixed candidate list many times over, as
// docscheck does for a page's thousands of anchors. Nearest alone compares
// the word with every candidate; Index keeps the candidates in a trie, so a
// prefix shared by many candidates is compared once, and it prunes every
// branch whose edit distance already exceeds the best found (or whose
// lengths cannot come close). Its answers are exactly Nearest's.
type Index struct {
	candidates []string
	lower      []string
	nodes      []trieNode
	// terminals[i] lists, ascending, the candidates whose lowercase form
	// ends at node i.
	terminals map[int32][]int32
	// bigrams maps each lowercase rune pair to the candidates holding it,
	// ascending: the substring fallback intersects these.
	bigrams map[[2]rune][]int32
}

type trieNode struct {
	r                       rune
	firstChild, nextSibling int32
	// minLen and maxLen bound the rune length of every candidate at or
	// below this node.
	minLen, maxLen int32
}

const noNode = -1

// NewIndex indexes the candidates; the slice must not change afterwards.
func NewIndex(candidates []string) *Index {
	x := &Index{
		candidates: candidates,
		lower:      make([]string, len(candidates)),
		nodes:      []trieNode{{firstChild: noNode, nextSibling: noNode, minLen: 1 << 30}},
		terminals:  map[int32][]int32{},
		bigrams:    map[[2]rune][]int32{},
	}
	for id, c := range candidates {
		l := strings.ToLower(c)
		x.lower[id] = l
		x.insert(int32(id), l)
		var prev rune = -1
		for _, r := range l {
			if prev >= 0 {
				key := [2]rune{prev, r}
				if p := x.bigrams[key]; len(p) == 0 || p[len(p)-1] != int32(id) {
					x.bigrams[key] = append(p, int32(id))
				}
			}
			prev = r
		}
	}
	return x
}

func (x *Index) insert(id int32, word string) {
	n := int32(utf8.RuneCountInString(word))
	cur := int32(0)
	x.widen(cur, n)
	for _, r := range word {
		child := x.nodes[cur].firstChild
		for child != noNode && x.nodes[child].r != r {
			child = x.nodes[child].nextSibling
		}
		if child == noNode {
			child = int32(len(x.nodes))
			x.nodes = append(x.nodes, trieNode{r: r, firstChild: noNode, nextSibling: x.nodes[cur].firstChild, minLen: 1 << 30})
			x.nodes[cur].firstChild = child
		}
		cur = child
		x.widen(cur, n)
	}
	x.terminals[cur] = append(x.terminals[cur], id)
}

func (x *Index) widen(node, n int32) {
	nd := &x.nodes[node]
	nd.minLen = min(nd.minLen, n)
	nd.maxLen = max(nd.maxLen, n)
}

// Nearest is Nearest(word, candidates) for the indexed candidates.
func (x *Index) Nearest(word string) string {
	w := []rune(strings.ToLower(word))
	limit := maxDistance(word)
	// A typo is usually one or two edits away: search that tightly first,
	// and only then the whole allowed distance.
	best := x.search(word, w, min(2, limit))
	if best < 0 && limit > 2 {
		best = x.search(word, w, limit)
	}
	if best >= 0 {
		return x.candidates[best]
	}
	if len(w) >= minFragment {
		return x.containing(word, string(w))
	}
	return ""
}

// search finds the candidate at the smallest distance from w that is at
// most limit, the earliest one on a tie, skipping candidates equal to word.
func (x *Index) search(word string, w []rune, limit int) int32 {
	s := searcher{x: x, word: word, w: w, best: -1, bestDist: limit}
	s.visit(0, 0, s.row(0))
	return s.best
}

type searcher struct {
	x        *Index
	word     string
	w        []rune
	best     int32
	bestDist int // the distance to beat (or tie with an earlier id)
	// rows[d] is the edit-distance row at trie depth d, reused: the walk
	// is depth first.
	rows [][]int
}

func (s *searcher) row(depth int) []int {
	for len(s.rows) <= depth {
		s.rows = append(s.rows, make([]int, len(s.w)+1))
	}
	r := s.rows[depth]
	if depth == 0 {
		for j := range r {
			r[j] = j
		}
	}
	return r
}

func (s *searcher) visit(node int32, depth int, row []int) {
	n := len(s.w)
	if ids, ok := s.x.terminals[node]; ok && row[n] <= s.bestDist {
		for _, id := range ids {
			if s.x.candidates[id] == s.word {
				continue
			}
			if row[n] < s.bestDist || s.best < 0 || id < s.best {
				s.best, s.bestDist = id, row[n]
			}
			break
		}
	}
	for child := s.x.nodes[node].firstChild; child != noNode; child = s.x.nodes[child].nextSibling {
		c := &s.x.nodes[child]
		if int(c.minLen) > n+s.bestDist || int(c.maxLen) < n-s.bestDist {
			continue
		}
		next := s.row(depth + 1)
		next[0] = depth + 1
		lowest := next[0]
		for j := 1; j <= n; j++ {
			cost := 1
			if s.w[j-1] == c.r {
				cost = 0
			}
			next[j] = min(row[j]+1, next[j-1]+1, row[j-1]+cost)
			lowest = min(lowest, next[j])
		}
		if lowest <= s.bestDist {
			s.visit(child, depth+1, next)
		}
	}
}

// containing is Nearest's fallback: the earliest candidate (other than
// word) whose lowercase form contains w. Only candidates holding every
// rune pair of w can, so the pairs' candidate lists are intersected first.
func (x *Index) containing(word, w string) string {
	runes := []rune(w)
	var lists [][]int32
	for i := 1; i < len(runes); i++ {
		p, ok := x.bigrams[[2]rune{runes[i-1], runes[i]}]
		if !ok {
			return ""
		}
		lists = append(lists, p)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	for _, id := range lists[0] {
		all := true
		for _, l := range lists[1:] {
			if _, found := slices.BinarySearch(l, id); !found {
				all = false
				break
			}
		}
		if all && x.candidates[id] != word && strings.Contains(x.lower[id], w) {
			return x.candidates[id]
		}
	}
	return ""
}
