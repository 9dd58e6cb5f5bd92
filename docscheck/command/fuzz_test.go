package command

import (
	"path"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary shell text to the command resolver, as a doc's
// code block would. It must never panic, and every call it returns must be
// usable by the checker: at least one word, words located inside the text,
// and a working folder that is clean and relative (or unknown).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"make test",
		"cd backend && DATABASE_URL=x go test ./... | tee out.txt",
		"(cd docs; ./scripts/run.sh --flag=\"$(date)\")",
		"sudo env A=1 nohup ./bin/proofs run --db local &",
		"if true; then cd ..; make; fi; for i in 1 2; do echo $i; done",
		"echo 'unterminated",
		"cd /abs/path && ls ${HOME}/x*",
		"cat <<EOF\n$(rm -rf /)\nEOF\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		calls, err := Parse(src)
		if err != nil {
			if len(calls) != 0 {
				t.Fatalf("error %v with %d calls", err, len(calls))
			}
			return
		}
		lines := strings.Count(src, "\n") + 1
		for _, c := range calls {
			if len(c.Words) == 0 {
				t.Fatalf("a call without words from %q", src)
			}
			_ = c.Program()
			_ = c.Args()
			for _, w := range c.Words {
				if w.Line < 1 || w.Line > lines || w.Col < 1 {
					t.Fatalf("word %q at %d:%d outside the %d-line text %q", w.Text, w.Line, w.Col, lines, src)
				}
			}
			if c.Dir != "" && (path.IsAbs(c.Dir) || path.Clean(c.Dir) != c.Dir) {
				t.Fatalf("working folder %q is not clean and relative (from %q)", c.Dir, src)
			}
		}
	})
}
