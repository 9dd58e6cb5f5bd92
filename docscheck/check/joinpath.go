package check

import (
	"path"
	"strings"
)

// joinPath is path.Join(dir, rel) for exactly two elements, without the
// concatenation path.Join allocates when one side is the current folder
// (".") or empty, and without a copy of "./x" when x is clean: a call run
// from ".", a call whose own folder is ".", "go test ./pkg". A hot path:
// every command is resolved from each folder the reader may be in.
func joinPath(dir, rel string) string {
	switch {
	case dir == "" && rel == "":
		return ""
	case rel == "" || rel == ".":
		return path.Clean(dir)
	case dir == "" || dir == "." && !strings.HasPrefix(rel, "/"):
		// "./x" cleans to "x": cut it here, so that Clean finds a clean
		// path and returns it as it is, rather than building a copy.
		for strings.HasPrefix(rel, "./") && !strings.HasPrefix(rel[2:], "/") {
			rel = rel[2:]
		}
		return path.Clean(rel)
	}
	return path.Join(dir, rel)
}
