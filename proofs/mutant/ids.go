package mutant

// Judging an explicit list of generated mutants (`proofs mutants
// --generated --ids FILE`): after a sampled run, its survivors are
// re-judged against changed proofs by id, so a score is measured again on
// the same mutants rather than on a new draw.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrUnknownID is wrapped by Select when an id names no generated mutant of
// the tree (a typo, or its file changed since the id was written: ids hold
// while the file does not change).
var ErrUnknownID = errors.New("no generated mutant has this id")

// ReadIDs reads mutant ids, one a line. Blank lines and lines starting
// with # are ignored, as is anything after the id on its line (a note on
// it); a repeated id counts once.
// A list with no id is an error: judging nothing is never what was meant.
func ReadIDs(r io.Reader) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id := strings.Fields(line)[0]
		if strings.Count(id, ":") != 4 {
			return nil, fmt.Errorf("line %d: %q is not a generated mutant id (file:line:column:operator:hash)", n, id)
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("the list holds no mutant id")
	}
	return ids, nil
}

// Select returns the mutants of all whose ids are listed, in ID order. Every
// id must name one: the error lists each that does not, so a stale list is
// refused as a whole rather than judged in part.
func Select(all []Generated, ids []string) ([]Generated, error) {
	byID := make(map[string]Generated, len(all))
	for _, g := range all {
		byID[g.ID] = g
	}
	var picked []Generated
	var unknown []string
	for _, id := range ids {
		g, ok := byID[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		picked = append(picked, g)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrUnknownID, strings.Join(unknown, ", "))
	}
	slices.SortFunc(picked, func(a, b Generated) int { return strings.Compare(a.ID, b.ID) })
	return picked, nil
}
