package scenario

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/port"
)

// exitTimeout bounds how long a misconfigured backend may take to give up.
const exitTimeout = 10 * time.Second

// startupCase is one bad environment. A nil value means the variable is unset.
type startupCase struct {
	variable string
	value    *string
}

func ptr(s string) *string { return &s }

// fakeSecret is the password inside the malformed DATABASE_URL case: it must
// not be echoed either.
const fakeSecret = "pw-must-not-leak-7f3a"

func startupCases() []startupCase {
	var cases []startupCase
	add := func(variable string, values ...*string) {
		for _, v := range values {
			cases = append(cases, startupCase{variable, v})
		}
	}
	// Both forms of connection string: URL and key=value.
	add("DATABASE_URL", nil, ptr(""), ptr("postgres://app:"+fakeSecret+"@[::1"), ptr("mysql://app:"+fakeSecret+"@127.0.0.1/app"),
		ptr("host=127.0.0.1 port=notaport password="+fakeSecret), ptr("host=127.0.0.1 sslmode=bogus password="+fakeSecret),
		ptr("host=127.0.0.1 password='"+fakeSecret))
	add("PORT", nil, ptr(""), ptr("0"), ptr("-1"), ptr("abc"), ptr("70000"), ptr("8080x"))
	// A connection string pasted into the wrong variable is refused
	// without being echoed, in both forms: one form alone would not rule
	// out a check that needs both "://" and "@" or "=" to hide a value.
	add("PORT", ptr("postgres://app:"+fakeSecret+"@127.0.0.1/app"), ptr("host=127.0.0.1 password="+fakeSecret))
	add("JOB_POLL_MS", nil, ptr(""), ptr("0"), ptr("-1"), ptr("abc"))
	// Optional knobs refuse a bad value too (unset, they take their
	// default): rules out a validator that only checks required ones.
	add("JOB_LEASE_MS", ptr("abc"), ptr("0"))
	add("FAULT_INJECTION", ptr("yes"))
	add("LOG_LEVEL", ptr("loud"))
	add("JOB_RETENTION_MS", ptr("500"))
	return cases
}

func (c startupCase) String() string {
	if c.value == nil {
		return c.variable + " unset"
	}
	if c.variable == "DATABASE_URL" && *c.value != "" {
		form := "URL"
		if !strings.Contains(*c.value, "://") {
			form = "key=value"
		}
		// The value itself holds a password and is never shown.
		return fmt.Sprintf("%s malformed (%s form, %s)", c.variable, form, startupCaseFlaw(*c.value))
	}
	return fmt.Sprintf("%s=%q", c.variable, *c.value)
}

// startupCaseFlaw names what is wrong with a malformed DATABASE_URL case.
func startupCaseFlaw(v string) string {
	switch {
	case strings.HasPrefix(v, "mysql:"):
		return "wrong scheme"
	case strings.Contains(v, "[::1"):
		return "unclosed host bracket"
	case strings.Contains(v, "notaport"):
		return "port not a number"
	case strings.Contains(v, "bogus"):
		return "unknown sslmode"
	default:
		return "unterminated quote"
	}
}

func startupValidationFailsClosed(t *T) {
	t.Migrate()
	port, err := port.Free()
	if err != nil {
		t.Fatal("%v", err)
	}
	valid := map[string]string{
		"DATABASE_URL": t.DatabaseURL,
		"PORT":         strconv.Itoa(port),
		"BIND_ADDR":    "127.0.0.1",
		"JOB_POLL_MS":  "100",
	}
	var secrets []string
	if u, err := url.Parse(t.DatabaseURL); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			secrets = append(secrets, pw)
		}
	}
	secrets = append(secrets, t.DatabaseURL, fakeSecret)

	// Control: the same environment without the fault starts and serves,
	// so each refusal below is caused by the one variable changed.
	t.Step("control: a valid environment starts")
	// Its retentions are 0, "keep forever", a value the range check must
	// let through although it is below the minimum of the others.
	control := t.StartBackend("control", BackendOptions{Env: map[string]string{"JOB_POLL_MS": valid["JOB_POLL_MS"],
		"JOB_RETENTION_MS": "0", "JOB_FAILED_RETENTION_MS": "0"}})
	waitHealthy(control, "with a valid environment")
	control.Kill()

	for _, c := range startupCases() {
		t.Step("start with " + c.String())
		env := maps.Clone(valid)
		if c.value == nil {
			delete(env, c.variable)
		} else {
			env[c.variable] = *c.value
		}
		res := t.RunBackendCommand("start "+c.String(), env, exitTimeout, "serve")
		if res.TimedOut {
			t.Check(c.String()+": exits within "+exitTimeout.String(), "exit status 2", "still running after "+exitTimeout.String()+"; killed", false)
			continue
		}
		Equal(t, c.String()+": exit status", 2, res.ExitCode)
		lines := nonEmptyLines(res.Stderr)
		t.Check(c.String()+": one stderr line naming the variable", "1 line containing "+c.variable,
			fmt.Sprintf("%d lines: %s", len(lines), strings.Join(lines, " | ")), len(lines) == 1 && strings.Contains(lines[0], c.variable))
		leaked := ""
		for _, s := range secrets {
			if strings.Contains(res.Combined(), s) {
				leaked = "output contains a secret"
			}
		}
		t.Check(c.String()+": no database URL or password in the output", "neither appears", cmp.Or(leaked, "neither appears"), leaked == "")
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
