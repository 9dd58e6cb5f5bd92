// Package coverage measures how much of the backend the proofs run. The
// runner builds the backend with `go build -cover` (harness.
// BuildBackendCovered), gives every process of a scenario the same
// GOCOVERDIR, and afterwards merges that folder with `go tool covdata
// textfmt` into a text profile. This package merges, reads the profile
// into report.Coverage, answers which lines a profile covers (the
// generated mutants run only the proofs that reach their line), and
// renders an offline HTML listing of the covered lines.
package coverage

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/prodproof/prodproof/internal/report"
)

// ErrNoData means none of the folders holds coverage counters: the
// scenario started no covered process.
var ErrNoData = errors.New("no coverage data")

// Merge writes the text profile of every counter file in dirs to profile,
// with `go tool covdata textfmt` run in root. Folders without counters are
// left out; when none has any, it returns ErrNoData.
func Merge(ctx context.Context, root string, environ []string, dirs []string, profile string) error {
	var inputs []string
	for _, d := range dirs {
		if counters, _ := filepath.Glob(filepath.Join(d, "covcounters.*")); len(counters) > 0 {
			inputs = append(inputs, d)
		}
	}
	if len(inputs) == 0 {
		return ErrNoData
	}
	cmd := exec.CommandContext(ctx, "go", "tool", "covdata", "textfmt", "-i="+strings.Join(inputs, ","), "-o="+profile)
	cmd.Dir = root
	cmd.Env = environ
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go tool covdata textfmt: %w: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}

// Block is one basic block of a profile: a span of a file (import path
// form, e.g. github.com/prodproof/prodproof/backend/job/job.go) with its
// statement count and whether it ran.
type Block struct {
	File                string
	StartLine, StartCol int
	EndLine, EndCol     int
	Statements          int
	Covered             bool
}

// Profile is a parsed text profile, one entry per block (a block listed
// several times, once per process, is merged: covered if any run covered it).
type Profile struct {
	Blocks []Block
}

// ReadProfile parses a text profile file.
func ReadProfile(file string) (*Profile, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := ParseProfile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return p, nil
}

// ParseProfile parses the `mode: ...` text format of go tool cover.
func ParseProfile(r io.Reader) (*Profile, error) {
	type key struct {
		file           string
		sl, sc, el, ec int
	}
	index := map[key]int{}
	p := &Profile{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "mode:") {
			continue
		}
		b, err := parseBlock(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		k := key{b.File, b.StartLine, b.StartCol, b.EndLine, b.EndCol}
		if i, ok := index[k]; ok {
			p.Blocks[i].Covered = p.Blocks[i].Covered || b.Covered
			continue
		}
		index[k] = len(p.Blocks)
		p.Blocks = append(p.Blocks, b)
	}
	return p, sc.Err()
}

// parseBlock reads "file:sl.sc,el.ec statements count".
func parseBlock(line string) (Block, error) {
	colon := strings.LastIndexByte(line, ':')
	if colon < 0 {
		return Block{}, fmt.Errorf("no file in %q", line)
	}
	var b Block
	b.File = line[:colon]
	var count int
	if _, err := fmt.Sscanf(line[colon+1:], "%d.%d,%d.%d %d %d", &b.StartLine, &b.StartCol, &b.EndLine, &b.EndCol, &b.Statements, &count); err != nil {
		return Block{}, fmt.Errorf("malformed block %q: %v", line, err)
	}
	b.Covered = count > 0
	return b, nil
}

// Merge adds other's blocks to p (covered if covered in either).
func (p *Profile) Merge(other *Profile) *Profile {
	var b strings.Builder
	for _, pr := range []*Profile{p, other} {
		for _, bl := range pr.Blocks {
			fmt.Fprintf(&b, "%s:%d.%d,%d.%d %d %d\n", bl.File, bl.StartLine, bl.StartCol, bl.EndLine, bl.EndCol, bl.Statements, boolInt(bl.Covered))
		}
	}
	merged, _ := ParseProfile(strings.NewReader(b.String())) // it wrote the format itself
	return merged
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Without returns p without the blocks of the files whose import path
// ends in one of suffixes.
func (p *Profile) Without(suffixes ...string) *Profile {
	out := &Profile{}
	for _, b := range p.Blocks {
		drop := false
		for _, s := range suffixes {
			if strings.HasSuffix(b.File, s) {
				drop = true
			}
		}
		if !drop {
			out.Blocks = append(out.Blocks, b)
		}
	}
	return out
}

// Summary counts statements and covered statements, in total and per
// package (the folder of each file's import path).
func (p *Profile) Summary() report.Coverage {
	byPkg := map[string]*report.PackageCoverage{}
	var c report.Coverage
	for _, b := range p.Blocks {
		pkg := path.Dir(b.File)
		pc := byPkg[pkg]
		if pc == nil {
			pc = &report.PackageCoverage{Package: pkg}
			byPkg[pkg] = pc
		}
		pc.Statements += b.Statements
		c.Statements += b.Statements
		if b.Covered {
			pc.Covered += b.Statements
			c.Covered += b.Statements
		}
	}
	for _, pkg := range slices.Sorted(func(yield func(string) bool) {
		for k := range byPkg {
			if !yield(k) {
				return
			}
		}
	}) {
		c.Packages = append(c.Packages, *byPkg[pkg])
	}
	return c
}

// Covers reports whether a covered block of p spans line of file (a path
// relative to the module root, e.g. backend/job/job.go).
func (p *Profile) Covers(modulePath, file string, line int) bool {
	full := modulePath + "/" + filepath.ToSlash(file)
	for _, b := range p.Blocks {
		if b.Covered && b.File == full && b.StartLine <= line && line <= b.EndLine {
			return true
		}
	}
	return false
}

// CoversPackage reports whether p covers any statement of the package in
// folder dir (relative to the module root, e.g. backend/config).
func (p *Profile) CoversPackage(modulePath, dir string) bool {
	full := modulePath + "/" + filepath.ToSlash(dir)
	for _, b := range p.Blocks {
		if b.Covered && path.Dir(b.File) == full {
			return true
		}
	}
	return false
}

// lineState is what a listing shows for one source line.
type lineState int

const (
	noCode lineState = iota
	covered
	uncovered
)

// lines maps each file of p to the state of its lines (1-based). A line in
// both a covered and an uncovered block counts as uncovered: some statement
// on it never ran.
func (p *Profile) lines() map[string]map[int]lineState {
	out := map[string]map[int]lineState{}
	for _, b := range p.Blocks {
		m := out[b.File]
		if m == nil {
			m = map[int]lineState{}
			out[b.File] = m
		}
		for l := b.StartLine; l <= b.EndLine; l++ {
			switch {
			case !b.Covered:
				m[l] = uncovered
			case m[l] == noCode:
				m[l] = covered
			}
		}
	}
	return out
}

// Files lists the files of p, sorted.
func (p *Profile) Files() []string {
	seen := map[string]bool{}
	for _, b := range p.Blocks {
		seen[b.File] = true
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// relative turns an import-path file name into a path under root.
func relative(modulePath, file string) string {
	return strings.TrimPrefix(strings.TrimPrefix(file, modulePath), "/")
}

// Uncovered lists the uncovered blocks of p as "file:line" (module
// relative, first line of the block), in file order.
func (p *Profile) Uncovered(modulePath string) []string {
	var out []string
	for _, b := range p.Blocks {
		if !b.Covered && b.Statements > 0 {
			out = append(out, relative(modulePath, b.File)+":"+strconv.Itoa(b.StartLine))
		}
	}
	return out
}
