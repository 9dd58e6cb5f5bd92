package scenario

import (
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// secretsStayOutOfOutput: the database URL and password never reach the
// backend's output or any HTTP body, also on the error paths: bad
// requests, a database outage, a refused login, the migrate commands.
func secretsStayOutOfOutput(t *T) {
	env := map[string]string{"DATABASE_URL": t.DatabaseURL}
	t.Step("migrate status and migrate up")
	t.RunBackendCommand("migrate status", env, 30*time.Second, "migrate", "status")
	t.Migrate()
	t.RunBackendCommand("migrate status --json", env, 30*time.Second, "migrate", "status", "--json")
	t.CheckNoSecret("no secret in the migrate commands' output", "migrate")

	t.Step("a login with a wrong password is refused without echoing it")
	if u, err := url.Parse(t.DatabaseURL); err == nil && u.User != nil {
		wrong := *u
		wrong.User = url.UserPassword(u.User.Username(), "wrong-pw-must-not-leak-91c2")
		t.AddSecret(wrong.String())
		res := t.RunBackendCommand("wrong password", map[string]string{
			"DATABASE_URL": wrong.String(), "PORT": "1", "JOB_POLL_MS": "100",
		}, exitTimeout, "serve")
		t.Check("a refused login exits 1", "exit 1", fmt.Sprintf("exit %d: %s", res.ExitCode, lastLine(res.Combined())), res.ExitCode == 1)
		t.CheckNoSecret("no secret in the refused login's output", "wrong password")
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

	t.CheckNoSecret("no secret in any HTTP body", "HTTP")
	t.CheckNoSecret("no secret in the backend's output", "backend")
}
