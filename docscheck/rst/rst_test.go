package rst

import (
	"reflect"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	// ´ stands for a backtick, which a raw string cannot hold.
	src := strings.ReplaceAll(`Title
=====

Run ´´make´´ with :doc:´the guide <guide/install>´ and :download:´x.sh´.

- An item::

      $ make test

  The item goes on.

.. code-block:: console
   :caption: Build

   $ make html

.. image:: /img/a.png
.. |logo| image:: logo.png

.. a comment
   .. image:: gone.png

.. raw:: html

   <img src="gone.png">

>>> print(1)
1

Section
-------

::

    $ ./run.sh
`, "´", "`")
	pg := Read([]byte(src))
	wantTitles := []Title{{Line: 1, Level: 1, Text: "Title"}, {Line: 30, Level: 2, Text: "Section"}}
	if !reflect.DeepEqual(pg.Titles, wantTitles) {
		t.Errorf("titles = %+v, want %+v", pg.Titles, wantTitles)
	}
	wantBlocks := []Block{
		{Literal: true, First: 8, Last: 8, Lines: []string{"$ make test"}},
		{Lang: "console", First: 15, Last: 15, Lines: []string{"$ make html"}},
		{Literal: true, First: 35, Last: 35, Lines: []string{"$ ./run.sh"}},
	}
	if !reflect.DeepEqual(pg.Blocks, wantBlocks) {
		t.Errorf("blocks = %+v, want %+v", pg.Blocks, wantBlocks)
	}
	wantRefs := []Ref{
		{Kind: Doc, Target: "guide/install", Line: 4, Col: 36},
		{Kind: Download, Target: "x.sh", Line: 4, Col: 67},
		{Kind: Image, Target: "/img/a.png", Line: 17, Col: 12},
		{Kind: Image, Target: "logo.png", Line: 18, Col: 19, Substitution: "logo"},
	}
	if !reflect.DeepEqual(pg.Refs, wantRefs) {
		t.Errorf("refs = %+v, want %+v", pg.Refs, wantRefs)
	}
	var prose []int
	for i, p := range pg.Prose {
		if p {
			prose = append(prose, i+1)
		}
	}
	if want := []int{4, 6, 10, 33}; !reflect.DeepEqual(prose, want) {
		t.Errorf("prose lines = %v, want %v", prose, want)
	}
}

func TestTextIndent(t *testing.T) {
	for line, want := range map[string]int{"text::": 0, "  text::": 2, "- item::": 2, "  1. item::": 5, "#. item::": 3} {
		if got := textIndent(line); got != want {
			t.Errorf("textIndent(%q) = %d, want %d", line, got, want)
		}
	}
}

func TestReadLabels(t *testing.T) {
	src := strings.ReplaceAll(`.. _install-guide:

.. _´Odd: name´:

.. _python: https://python.org

.. figure:: a.png
   :name: fig-a

See :ref:´the guide <install-guide>´ and :ref:´fig-b´.
`, "´", "`")
	pg := Read([]byte(src))
	if want := []string{"install-guide", "Odd: name", "python", "fig-a"}; !reflect.DeepEqual(pg.Labels, want) {
		t.Errorf("labels = %q, want %q", pg.Labels, want)
	}
	var refs []string
	for _, r := range pg.Refs {
		if r.Kind == Label {
			refs = append(refs, r.Target)
		}
	}
	if want := []string{"install-guide", "fig-b"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("label refs = %q, want %q", refs, want)
	}
}

// TestSubstitutionUses: a substitution's name in running text is a use,
// in any case and spacing; a definition's own name is not, though its
// body's may be.
func TestSubstitutionUses(t *testing.T) {
	src := []byte("See |Logo| and |build  status|_.\n\n.. |logo| image:: logo.png\n.. |both| replace:: |inner|\n.. |unused| image:: x.png\n")
	got := SubstitutionUses(src)
	for _, name := range []string{"logo", "build status", "inner"} {
		if !got[name] {
			t.Errorf("SubstitutionUses: %q not used, want used (all: %v)", name, got)
		}
	}
	for _, name := range []string{"unused", "both"} {
		if got[name] {
			t.Errorf("SubstitutionUses: %q used, want unused (all: %v)", name, got)
		}
	}
}

// TestReadQuotedLiteral: docutils reads unindented lines that all start
// with one punctuation character, after "::" and a blank line, as a
// literal block with the characters kept; a run whose quoting breaks off,
// a run with no blank line before it, and a letter are not one.
func TestReadQuotedLiteral(t *testing.T) {
	src := `Run from the root::

$ make docs
$ make test

Then the paragraph goes on.

Inconsistent::

$ make a
make b

Glued::
$ make c

Letters::

make d

- In an item::

  > quoted
`
	pg := Read([]byte(src))
	want := []Block{
		{Literal: true, First: 3, Last: 4, Lines: []string{"$ make docs", "$ make test"}},
		{Literal: true, First: 22, Last: 22, Lines: []string{"> quoted"}},
	}
	if !reflect.DeepEqual(pg.Blocks, want) {
		t.Errorf("blocks = %+v, want %+v", pg.Blocks, want)
	}
	if pg.Prose[2] || !pg.Prose[5] {
		t.Errorf("prose of lines 3 and 6 = %v, %v, want false, true", pg.Prose[2], pg.Prose[5])
	}
}
