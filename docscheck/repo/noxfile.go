package repo

import (
	"path"
	"regexp"
	"strings"
)

// NoxSessions are the sessions a noxfile.py defines, read as text: each
// function under a @nox.session (or @session) decorator, named by the
// decorator's name= argument or else by the function. Known is false when
// the file may define sessions the text does not show: no decorated
// function, a nox.session call that is not a decorator, sessions made in
// a loop or from globals(), or an import of a module of the noxfile's own
// folder, whose decorators register sessions too.
type NoxSessions struct {
	Names []string
	Known bool
}

var (
	// noxDecorator is a session decorator line and its arguments, up to
	// the function the decorators above it end with.
	noxDecorator = regexp.MustCompile(`(?m)^[ \t]*@(?:nox\.)?session\b(\([^)]*\))?[^\n]*\n(?:[ \t]*@[^\n]*\n|[ \t]*#[^\n]*\n|[ \t]*\n)*[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)`)
	// noxName is a decorator's name= argument.
	noxName = regexp.MustCompile(`\bname\s*=\s*["']([^"']+)["']`)
	// noxSessionCall is any use of nox.session or a bare session( call.
	noxSessionCall = regexp.MustCompile(`\bnox\.session\b|(?m)^[^#@\n]*\bsession\s*\(`)
	// noxDynamic are constructs that define sessions the text does not name.
	noxDynamic = regexp.MustCompile(`\bglobals\(\)|\bexec\(|\bsetattr\(`)
	// pyImport is a Python import statement's module.
	pyImport = regexp.MustCompile(`(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w.]+))`)
)

// NoxSessions reads the noxfile at file.
func (r *Repo) NoxSessions(file string) NoxSessions {
	return r.memo("nox", file, func() any {
		src, err := r.ReadFile(file)
		if err != nil {
			return NoxSessions{}
		}
		text := string(src)
		var out NoxSessions
		decorated := 0
		for _, m := range noxDecorator.FindAllStringSubmatch(text, -1) {
			decorated++
			name := m[2]
			if n := noxName.FindStringSubmatch(m[0]); n != nil {
				name = n[1]
			}
			out.Names = append(out.Names, name)
		}
		out.Known = decorated > 0 && len(noxSessionCall.FindAllString(text, -1)) <= decorated &&
			!noxDynamic.MatchString(text) && !r.importsLocal(path.Dir(file), text)
		return out
	}).(NoxSessions)
}

// importsLocal reports whether Python text imports a module that lies in
// dir: a relative import, or one whose first name is a file or folder
// there.
func (r *Repo) importsLocal(dir, text string) bool {
	for _, m := range pyImport.FindAllStringSubmatch(text, -1) {
		mod := m[1] + m[2]
		if strings.HasPrefix(mod, ".") {
			return true
		}
		first, _, _ := strings.Cut(mod, ".")
		if first == "" {
			continue
		}
		if r.Stat(path.Join(dir, first+".py")) == File || r.Stat(path.Join(dir, first)) == Dir {
			return true
		}
	}
	return false
}

// Has reports whether the sessions include name: a session, or a session
// of it that nox names with a suffix (tests-3.12 for each python of a
// parametrized tests, tests(django='4') for its parameters).
func (s NoxSessions) Has(name string) bool {
	for _, n := range s.Names {
		if name == n || strings.HasPrefix(name, n+"-") || strings.HasPrefix(name, n+"(") {
			return true
		}
	}
	return false
}
