package check

import (
	"encoding/binary"
	"slices"

	"github.com/yuin/goldmark/ast"
)

// A command unit is one inline command or one shell block: what a page's
// checks spend most of their time on, and what docs repeat (the same
// `make test` in every section, the same setup block on every page of a
// folder). What a unit finds depends on its text, the folders the reader
// may be in, the folders the page starts in and what the page made before
// it (the session); the page itself is read only to place and weigh a
// finding. So a unit that adds no finding and no case not judged, and
// leaves the session as it found it, in a session where nothing was made,
// is remembered: the same unit in the same folders then only adds the
// counts it added. A session field added later must join madeNothing or
// the key (TestSessionFieldsAreInUnitKeys fails until it does); a rule
// that lets a command's verdict (not only a finding's place or reason)
// depend on the page itself, its name or its other text, must add that
// to the key too, which no test can see for it: TestUnitMemoMatchesChecks
// compares the case pages with the memo and without.

// unitVerdict is what a clean unit added to its page's report.
type unitVerdict struct {
	checks int
	// notChecked is read only once stored.
	notChecked map[string]int
}

// inlineUnit checks `inline code` as checkInlineCode does, through the
// unit memo.
func (c *Checker) inlineUnit(r *report, n *ast.CodeSpan) {
	// Before the key: the folders the prose sends the reader to are
	// part of where the unit runs.
	c.followProseMoves(r, enclosingBlock(n))
	if !c.unitMemoUsable(r) {
		c.checkInlineCode(r, n)
		return
	}
	b := r.unitKeyStart('i')
	for t := n.FirstChild(); t != nil; t = t.NextSibling() {
		if tx, ok := t.(*ast.Text); ok {
			// The text checkInlineCode reads, as it joins it.
			b = append(b, tx.Segment.Value(r.page.source)...)
		}
	}
	r.unitKey = b
	c.runUnit(r, func() { c.checkInlineCode(r, n) })
}

// shellBlockUnit checks a code block as checkShellBlock does, through the
// unit memo.
func (c *Checker) shellBlockUnit(r *report, n ast.Node) {
	c.followProseMoves(r, n)
	if !c.unitMemoUsable(r) {
		c.checkShellBlock(r, n)
		return
	}
	b := r.unitKeyStart('b')
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		// Each line as blockTexts gives it, with its length, so that the
		// lines and not only their joined text are the key.
		b = appendUnitField(b, seg.Value(r.page.source))
	}
	r.unitKey = b
	c.runUnit(r, func() { c.checkShellBlock(r, n) })
}

// unitMemoUsable: the memo serves a session that made nothing and knows
// where the reader is.
func (c *Checker) unitMemoUsable(r *report) bool {
	return !c.noUnitMemo && r.session.dirs != nil && r.session.madeNothing()
}

// madeNothing reports whether no command, link or caption on the page has
// made a file (or made one executable), unpacked an archive, cloned this repository, ran a command where the reader was lost, or started the
// reader's own project or moved the reader in a Windows shell's block so
// far, nor has its prose put the reader at this repository's root for the
// section, or pinned them at the root: then no check can find a file made
// or a folder it cannot follow.
func (s *session) madeNothing() bool {
	return len(s.created) == 0 && len(s.extracted) == 0 && len(s.downloads) == 0 && len(s.executable) == 0 && len(s.clones) == 0 && len(s.ranLost) == 0 && !s.readersProject && !s.inClone && !s.atOwnRoot && !s.rootPinned && !s.checkoutPinned && !s.windowsMoved && len(s.ownArchives) == 0 && len(s.unnamedBinaries) == 0
}

// unitKeyStart begins a unit's key in the report's buffer: its kind, then
// the session's folders and start folders, each with its
// length so that no two different keys read alike, and the source folder
// that clears but does not condemn (a site's page and a README beside it
// start in the same folders).
func (r *report) unitKeyStart(kind byte) []byte {
	b := append(r.unitKey[:0], kind)
	b = binary.AppendUvarint(b, uint64(len(r.session.dirs)))
	for _, d := range r.session.dirs {
		b = appendUnitField(b, d)
	}
	b = binary.AppendUvarint(b, uint64(len(r.session.start)))
	for _, d := range r.session.start {
		b = appendUnitField(b, d)
	}
	return appendUnitField(b, r.session.sourceFolder)
}

// appendUnitField appends s with its length before it.
func appendUnitField[S string | []byte](b []byte, s S) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// runUnit replays the verdict remembered under r.unitKey, or runs check
// and remembers its verdict when it was clean.
func (c *Checker) runUnit(r *report, check func()) {
	c.unitsMu.RLock()
	v, ok := c.units[string(r.unitKey)]
	c.unitsMu.RUnlock()
	if ok {
		c.unitHits.Add(1)
		r.checks += v.checks
		for p, n := range v.notChecked {
			if r.notChecked == nil {
				r.notChecked = map[string]int{}
			}
			r.notChecked[p] += n
		}
		return
	}
	s := r.session
	key := string(r.unitKey) // check may start another unit's key in the buffer
	findings, doubts, checks := len(r.findings), len(r.doubts), r.checks
	dirs := slices.Clone(s.dirs)
	// The unit's own counts of commands not checked, apart from the
	// page's, to remember them.
	pageNotChecked := r.notChecked
	r.notChecked = nil
	check()
	added := r.notChecked
	r.notChecked = pageNotChecked
	for p, n := range added {
		if r.notChecked == nil {
			r.notChecked = map[string]int{}
		}
		r.notChecked[p] += n
	}
	if len(r.findings) != findings || len(r.doubts) != doubts || !s.madeNothing() ||
		s.dirs == nil || !slices.Equal(s.dirs, dirs) {
		return
	}
	c.unitsMu.Lock()
	c.units[key] = unitVerdict{checks: r.checks - checks, notChecked: added}
	c.unitsMu.Unlock()
}
