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
		if cleanRelative(dir) {
			return dir // Clean would scan it to give it back
		}
		return path.Clean(dir)
	case dir == "" || dir == "." && !strings.HasPrefix(rel, "/"):
		// "./x" cleans to "x": cut it here, so that Clean finds a clean
		// path and returns it as it is, rather than building a copy.
		for strings.HasPrefix(rel, "./") && !strings.HasPrefix(rel[2:], "/") {
			rel = rel[2:]
		}
		if cleanRelative(rel) {
			return rel
		}
		return path.Clean(rel)
	}
	if j, ok := joinClean(dir, rel); ok {
		return j
	}
	return path.Join(dir, rel)
}

// dirOf is path.Dir(p), without Clean's scan of a page's folder when it
// is clean (a page's path always is).
func dirOf(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "."
	}
	if d := p[:i]; cleanRelative(d) {
		return d
	}
	return path.Dir(p)
}

// joinClean is joinPath for the common case of a clean relative folder and
// a link or command path that climbs out of it ("../guide.md" from
// docs/gen): it cuts the folder's last elements instead of cleaning the
// concatenation, so the answer takes at most one allocation where
// path.Join takes three. ok is false for anything else, which path.Join
// answers.
func joinClean(dir, rel string) (string, bool) {
	if dir == "" || dir[0] == '/' || !cleanRelative(dir) {
		return "", false
	}
	for {
		switch {
		case rel == "." || rel == "./":
			rel = ""
		case strings.HasPrefix(rel, "./"):
			rel = rel[2:]
			continue
		case rel == ".." || rel == "../" || strings.HasPrefix(rel, "../"):
			if dir == "." {
				return "", false // above the start: path.Join keeps the ".."
			}
			rel = strings.TrimPrefix(rel[2:], "/")
			if i := strings.LastIndexByte(dir, '/'); i >= 0 {
				dir = dir[:i]
			} else {
				dir = "."
			}
			continue
		}
		break
	}
	switch {
	case rel == "":
		return dir, true
	case !cleanRelative(rel):
		return "", false
	case dir == ".":
		return rel, true
	}
	return dir + "/" + rel, true
}

// cleanRelative reports whether p is a relative path that path.Clean
// leaves as it is and that names no parent: no leading or trailing slash,
// no empty, "." or ".." element. "." alone is clean.
func cleanRelative(p string) bool {
	if p == "." {
		return true
	}
	if p == "" || p[0] == '/' || p[len(p)-1] == '/' {
		return false
	}
	// One pass over the bytes: paths are short, and a call per element
	// cost more than the scan.
	elem := 0 // start of the current element
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch i - elem {
		case 0:
			return false // an empty element: "a//b"
		case 1:
			if p[elem] == '.' {
				return false
			}
		case 2:
			if p[elem] == '.' && p[elem+1] == '.' {
				return false
			}
		}
		elem = i + 1
	}
	return true
}
