package scenario

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// credentialsInURL matches a Postgres URL that carries a password, even a
// masked one: a backend that prints its DATABASE_URL with the password
// blanked still prints the user, host and database an attacker wants next.
var credentialsInURL = regexp.MustCompile(`(?i)postgres(?:ql)?://[^\s:@/"']+:[^\s@"']*@`)

// passwordSetting matches a key=value connection string's password.
var passwordSetting = regexp.MustCompile(`(?i)\bpassword\s*=\s*[^\s'"]`)

// leakWatch records where a secret appeared in what the backend printed or
// answered. It reads the raw text, before the evidence redactor sees it:
// the redactor protects stored evidence, it must not hide a leak.
type leakWatch struct {
	mu    sync.Mutex
	found []string // "where: redacted excerpt"
}

// scanRaw checks one raw line of output or one HTTP body for a secret: any
// database URL or password the run handed out (in any escaped form), or a
// connection string with credentials.
func (t *T) scanRaw(where, text string) {
	var what string
	switch {
	case t.env.Redactor != nil && t.env.Redactor.Contains(text):
		what = "a database URL or password"
	case credentialsInURL.MatchString(text):
		what = "a postgres URL with credentials"
	case passwordSetting.MatchString(text):
		what = "a password= setting"
	default:
		return
	}
	excerpt := text
	if t.env.Redactor != nil {
		excerpt = t.env.Redactor.Redact(excerpt)
	}
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

// checkNoLeak records one assertion: nothing printed or answered so far
// whose place starts with prefix held a secret.
func (t *T) checkNoLeak(name, prefix string) bool {
	leaks := t.leaksSoFar(prefix)
	return t.Check(name, "no database URL, password or credentials", cmp.Or(strings.Join(leaks, "; "), "none seen"), len(leaks) == 0)
}

// secretsStayOutOfOutput: the database URL and password never reach the
// backend's output or any HTTP body, also on the error paths: bad
// requests, a database outage, a refused login, the migrate commands.
func secretsStayOutOfOutput(t *T) {
	env := map[string]string{"DATABASE_URL": t.DatabaseURL}
	t.Step("migrate status and migrate up")
	t.RunBackendCommand("migrate status", env, 30*time.Second, "migrate", "status")
	t.Migrate()
	t.RunBackendCommand("migrate status --json", env, 30*time.Second, "migrate", "status", "--json")
	t.checkNoLeak("no secret in the migrate commands' output", "migrate")

	t.Step("a login with a wrong password is refused without echoing it")
	if u, err := url.Parse(t.DatabaseURL); err == nil && u.User != nil {
		wrong := *u
		wrong.User = url.UserPassword(u.User.Username(), "wrong-pw-must-not-leak-91c2")
		t.env.Redactor.AddURL(wrong.String())
		res := t.RunBackendCommand("wrong password", map[string]string{
			"DATABASE_URL": wrong.String(), "PORT": "1", "JOB_POLL_MS": "100",
		}, exitTimeout, "serve")
		t.Check("a refused login exits 1", "exit 1", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 1)
		t.checkNoLeak("no secret in the refused login's output", "wrong password")
	}

	proxy, proxied := viaProxy(t)
	b := t.StartBackend("a", BackendOptions{DatabaseURL: proxied, Env: map[string]string{"LOG_LEVEL": "debug"}})
	waitHealthy(b, "before the requests")
	t.Step("the API's answers, good and bad")
	job := b.PostJob(`{"secret_check":true}`)
	t.WaitJobStatus(job.ID, "processed", processTimeout)
	b.GetJob(job.ID)
	for _, r := range []struct{ method, path, body string }{
		{http.MethodPost, "/jobs", `{"unclosed":`},
		{http.MethodGet, "/jobs/not-a-uuid", ""},
		{http.MethodGet, "/jobs/00000000-0000-0000-0000-000000000000", ""},
		{http.MethodDelete, "/jobs", ""},
		{http.MethodGet, "/readyz", ""},
		{http.MethodGet, "/livez", ""},
	} {
		var body []byte
		if r.body != "" {
			body = []byte(r.body)
		}
		b.Do(r.method, r.path, body, "application/json")
	}

	t.Step("cut the database: every error path answers and logs")
	proxy.Cut()
	b.WaitHealth("/health reports the database error", "503 db.status=error", 15*time.Second, func(s Sample) bool {
		return s.HTTPStatus == 503 && s.Health.DB.Status == "error"
	})
	b.Do(http.MethodPost, "/jobs", []byte(`{"during":"outage"}`), "application/json")
	b.GetJob(job.ID)
	b.Do(http.MethodGet, "/readyz", nil, "")
	t.RequireEventually("the worker logs the outage", `msg="database unavailable"`, 15*time.Second, func() (bool, string) {
		return logHas(b, "database unavailable", nil)
	})
	if err := proxy.Restore(); err != nil {
		t.Fatal("%v", err)
	}
	waitHealthy(b, "after the outage")

	t.checkNoLeak("no secret in any HTTP body", "HTTP")
	t.checkNoLeak("no secret in the backend's output", "backend")
}
