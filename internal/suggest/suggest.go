// Package suggest picks the nearest known name to a misspelt one, for the
// "did you mean" hints of docscheck and the proofs runner.
package suggest

import "strings"

// Nearest returns the candidate closest to word by edit distance, or "" when
// none is close enough to be a plausible typo. Failing that, a candidate that
// contains a word of four or more letters (a fragment such as "outage") is
// offered. Ties go to the earlier candidate, so callers get a stable answer
// for a stable candidate order.
func Nearest(word string, candidates []string) string {
	if best := nearestByDistance(word, candidates); best != "" {
		return best
	}
	if w := strings.ToLower(word); len([]rune(w)) >= minFragment {
		for _, c := range candidates {
			if c != word && strings.Contains(strings.ToLower(c), w) {
				return c
			}
		}
	}
	return ""
}

// minFragment is the rune length from which a word with no candidate close
// by distance may be offered a candidate containing it.
const minFragment = 4

// maxDistance is the largest edit distance still taken for a typo of word.
func maxDistance(word string) int { return max(2, len([]rune(word))/3) }

func nearestByDistance(word string, candidates []string) string {
	best, bestDist := "", -1
	limit := maxDistance(word)
	for _, c := range candidates {
		if c == word {
			continue
		}
		d := distance(strings.ToLower(word), strings.ToLower(c))
		if d > limit {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance over runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
