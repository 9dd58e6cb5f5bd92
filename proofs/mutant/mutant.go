// Package mutant holds the proofs of the proofs: curated changes to the
// backend (and its scripts) that each break one documented claim. `proofs
// mutants` applies each to a scratch copy of the repository, never to the
// source tree, builds that copy and runs the proofs the catalog says must
// catch it. A mutant that survives is a hole in the proofs.
//
// Each change is an exact snippet: when the code it targets is rewritten,
// the snippet no longer applies and the mutant is reported stale (and a unit
// test fails), rather than silently testing nothing.
package mutant

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/prodproof/prodproof/proofs/catalog"
)

// Edit replaces the one occurrence of Old in a file with New.
type Edit struct {
	Old string
	New string
}

// Mutant is one claim-breaking change.
type Mutant struct {
	Name string
	// Breaks is the catalog proof whose claim the change breaks.
	Breaks string
	// Change says what the change does, for people.
	Change string
	// File is the changed file, relative to the repository root.
	File  string
	Edits []Edit
}

// ErrStale means a mutant's snippet does not occur exactly once in its file.
var ErrStale = errors.New("snippet no longer applies")

// Apply edits m.File under root. It changes nothing unless every edit
// applies, each to exactly one occurrence.
func (m Mutant) Apply(root string) error {
	path := filepath.Join(root, filepath.FromSlash(m.File))
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("mutant %s: %w", m.Name, err)
	}
	text, err := m.applyTo(string(data))
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("mutant %s: %w", m.Name, err)
	}
	return os.WriteFile(path, []byte(text), info.Mode().Perm())
}

func (m Mutant) applyTo(text string) (string, error) {
	if len(m.Edits) == 0 {
		return "", fmt.Errorf("mutant %s: no edits", m.Name)
	}
	for i, e := range m.Edits {
		if n := strings.Count(text, e.Old); n != 1 {
			return "", fmt.Errorf("mutant %s, edit %d in %s: %w (found %d times, want once): %q", m.Name, i+1, m.File, ErrStale, n, e.Old)
		}
		if e.Old == e.New {
			return "", fmt.Errorf("mutant %s, edit %d: the new text is the old one", m.Name, i+1)
		}
		text = strings.Replace(text, e.Old, e.New, 1)
	}
	return text, nil
}

// Lookup returns the mutant with this name.
func Lookup(name string) (Mutant, bool) {
	for _, m := range All {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}

// Names returns every mutant's name, in order.
func Names() []string {
	out := make([]string, len(All))
	for i, m := range All {
		out[i] = m.Name
	}
	return out
}

// Guards lists, in catalog order, the proofs that must catch the mutant.
func Guards(name string) []string {
	var out []string
	for _, p := range catalog.Proofs {
		for _, g := range p.Guards {
			if g == name {
				out = append(out, p.Name)
			}
		}
	}
	return out
}
