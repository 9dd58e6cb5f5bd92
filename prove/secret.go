package prove

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// credentialsInURL matches a Postgres URL that carries a password, even a
// masked one: a process that prints its database URL with the password
// blanked still prints the user, host and database an attacker wants next.
var credentialsInURL = regexp.MustCompile(`(?i)postgres(?:ql)?://[^\s:@/"']+:[^\s@"']*@`)

// passwordSetting matches a key=value connection string's password.
var passwordSetting = regexp.MustCompile(`(?i)\bpassword\s*=\s*[^\s'"]`)

// leakWatch records where a secret appeared in what a process printed or
// answered. It reads the raw text, before the evidence redactor sees it:
// the redactor protects stored evidence, it must not hide a leak.
type leakWatch struct {
	mu    sync.Mutex
	found []string // "where: redacted excerpt"
}

// AddSecret teaches the run a secret (a password, a database URL in any
// of its escaped forms) that must never appear in output, HTTP bodies or
// the evidence. The database URLs the framework hands out are known
// already.
func (t *T) AddSecret(secret string) { t.red.AddURL(secret) }

// Redact replaces every secret the run knows in text, for messages.
func (t *T) Redact(text string) string { return t.red.Redact(text) }

// ScanOutput checks one raw line of output or one HTTP body, seen at
// where, for a secret: any database URL or password the run knows, or a
// connection string with credentials. Output of started processes and
// health bodies are scanned already; call it for the bodies a proof
// fetches itself.
func (t *T) ScanOutput(where, text string) {
	var what string
	switch {
	case t.red.Contains(text):
		what = "a database URL or password"
	case credentialsInURL.MatchString(text):
		what = "a postgres URL with credentials"
	case passwordSetting.MatchString(text):
		what = "a password= setting"
	default:
		return
	}
	excerpt := t.red.Redact(text)
	excerpt = credentialsInURL.ReplaceAllString(excerpt, "postgres://REDACTED@")
	if len(excerpt) > 200 {
		excerpt = excerpt[:200] + "…"
	}
	t.leaks.mu.Lock()
	defer t.leaks.mu.Unlock()
	if len(t.leaks.found) < 20 {
		t.leaks.found = append(t.leaks.found, fmt.Sprintf("%s: %s in %q", where, what, excerpt))
	}
}

// leaksSoFar lists the leaks seen so far whose place starts with prefix.
func (t *T) leaksSoFar(prefix string) []string {
	t.leaks.mu.Lock()
	defer t.leaks.mu.Unlock()
	var out []string
	for _, l := range t.leaks.found {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// CheckNoSecret records one assertion: nothing scanned so far whose place
// starts with where ("" for everything; a process's name and " output"
// for its output, "HTTP body" for bodies) held a secret. Every proof ends
// with this check over everything.
func (t *T) CheckNoSecret(name, where string) bool {
	leaks := t.leaksSoFar(where)
	return t.Check(name, "no database URL, password or credentials", cmp.Or(strings.Join(leaks, "; "), "none seen"), len(leaks) == 0)
}
