package check

import (
	"path"
	"strings"
)

// joinPath is path.Join(dir, rel) for exactly two elements, without the
// concatenation path.Join allocates when one side is the current folder
// (".") or empty: a call run from ".", a call whose own folder is ".". A
// hot path: every command is resolved from each folder the reader may be
// in.
func joinPath(dir, rel string) string {
	switch {
	case dir == "" && rel == "":
		return ""
	case rel == "" || rel == ".":
		return path.Clean(dir)
	case dir == "" || dir == "." && !strings.HasPrefix(rel, "/"):
		return path.Clean(rel)
	}
	return path.Join(dir, rel)
}
