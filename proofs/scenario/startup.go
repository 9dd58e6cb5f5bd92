package scenario

import (
	"cmp"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
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
	// Each of the three markers that hide a value, alone: a check that
	// tests one of them wrongly (or needs two) echoes one of these.
	add("JOB_POLL_MS", ptr(hiddenURL), ptr(hiddenAt), ptr(hiddenKeyValue))
	// Optional knobs refuse a bad value too (unset, they take their
	// default): rules out a validator that only checks required ones.
	add("JOB_LEASE_MS", ptr("abc"), ptr("0"))
	add("FAULT_INJECTION", ptr("yes"))
	add("LOG_LEVEL", ptr("loud"), ptr(longValue))
	add("JOB_RECORD_EFFECTS", ptr("yes"))
	add("JOB_RECORD_EXECUTIONS", ptr("yes"))
	add("JOB_RETENTION_MS", ptr("500"))
	// Both edges of every stated bound: the first value refused on
	// each side (the last accepted ones are started below).
	for _, b := range knobBounds {
		add(b.variable, ptr(strconv.FormatInt(b.lo-1, 10)), ptr(strconv.FormatInt(b.hi+1, 10)))
		if b.zeroAllowed {
			// 0 is accepted apart from the range: 1 must not be.
			add(b.variable, ptr("1"))
		}
	}
	return cases
}

// The bad values holding exactly one of "://", "@" and "=": the docs say
// each is hidden, not quoted, in the error line.
const (
	hiddenURL      = "postgres://db.internal/app"
	hiddenAt       = "app@db.internal"
	hiddenKeyValue = "sslmode=require"
)

// longValue is a refused value too long to be quoted whole: the docs say
// the error line clips it.
var longValue = strings.Repeat("loud", 16)

// knobBound is the range docs/reference-backend.md states for one numeric
// variable. The numbers are written here, not read from the backend's
// code: a change to a bound there must fail this proof, not move its
// expectation with it. TestKnobBoundsMatchTheDocs keeps them equal to the
// docs' table.
type knobBound struct {
	variable string
	lo, hi   int64
	// zeroAllowed: 0 is accepted outside [lo, hi] ("keep forever").
	zeroAllowed bool
}

var knobBounds = []knobBound{
	{variable: "PORT", lo: 1, hi: 65535},
	{variable: "JOB_POLL_MS", lo: 1, hi: 86400000},
	{variable: "JOB_LEASE_MS", lo: 100, hi: 86400000},
	{variable: "JOB_BATCH_SIZE", lo: 1, hi: 10000},
	{variable: "JOB_CONCURRENCY", lo: 1, hi: 100000},
	{variable: "JOB_MAX_ATTEMPTS", lo: 1, hi: 1000},
	{variable: "JOB_RETENTION_MS", lo: 1000, hi: 315360000000, zeroAllowed: true},
	{variable: "JOB_FAILED_RETENTION_MS", lo: 1000, hi: 315360000000, zeroAllowed: true},
	{variable: "WORKER_MAX_CRASHES", lo: 1, hi: 1000},
	{variable: "MAX_BODY_BYTES", lo: 2, hi: 67108864},
	{variable: "SHUTDOWN_GRACE_MS", lo: 0, hi: 3600000},
	{variable: "DB_MAX_CONNS", lo: 2, hi: 1000},
}

// edgeEnv sets every bounded knob but PORT to its lowest (high false) or
// highest accepted value: one start proves all of one side accepted.
func edgeEnv(high bool) map[string]string {
	env := map[string]string{}
	for _, b := range knobBounds {
		if b.variable == "PORT" {
			continue // a start takes a free port; PORT's edges are run on a taken port
		}
		v := b.lo
		if high {
			v = b.hi
		}
		env[b.variable] = strconv.FormatInt(v, 10)
	}
	return env
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

// key tells cases apart by variable and value (String hides a
// DATABASE_URL's value, so two of its cases can share a String).
func (c startupCase) key() string {
	if c.value == nil {
		return c.variable + " unset"
	}
	return c.variable + "=" + *c.value
}

// hidesValue: the case's bad value looks like a connection string (it
// holds "@", "=" or "://"), so the docs say the error line hides it.
// DATABASE_URL's own errors never quote the value at all.
func (c startupCase) hidesValue() bool {
	if c.value == nil || c.variable == "DATABASE_URL" {
		return false
	}
	return strings.ContainsAny(*c.value, "@=") || strings.Contains(*c.value, "://")
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
	case strings.Contains(v, "pool_"):
		return "pool setting not a number"
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

	defaultsAreDocumented(t, valid)

	// The last accepted value of every bound, one start per side: a
	// bound moved inward by one refuses its edge and this start fails.
	for _, high := range []bool{false, true} {
		side := map[bool]string{false: "lowest", true: "highest"}[high]
		t.Step("every bounded knob at its " + side + " accepted value starts")
		env := edgeEnv(high)
		b := t.StartBackend(side, BackendOptions{Env: env})
		s := waitHealthy(b, "with every bounded knob at its "+side+" accepted value")
		Equal(t, "/health worker.poll_ms with JOB_POLL_MS="+env["JOB_POLL_MS"], env["JOB_POLL_MS"], strconv.FormatInt(s.Health.Worker.PollMS, 10))
		b.Kill()
	}

	// A port that cannot be listened on: exit status 1 and one line
	// naming the address, after the configuration was accepted. PORT's
	// edges, 1 and 65535, are run this way: a start that gets past the
	// validation (not 2) shows the value accepted, and needs neither root
	// nor a free port 1.
	for _, p := range []int{port, 1, 65535} {
		takenPortFails(t, valid, p, secrets)
	}

	// The documented refusal lines run with the cases above (one start
	// each, a case of both kinds runs once) and must be printed exactly.
	cases := startupCases()
	exact := map[string]string{}
	for _, r := range documented(t, "Refusal lines", refusalRows) {
		if !slices.ContainsFunc(cases, func(c startupCase) bool { return c.key() == r.key() }) {
			cases = append(cases, r.startupCase)
		}
		exact[r.key()] = r.line
	}
	for _, c := range cases {
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
		if line, ok := exact[c.key()]; ok {
			Equal(t, c.String()+": stderr is the documented line, byte for byte", line+"\n", res.Stderr)
		}
		lines := nonEmptyLines(res.Stderr)
		t.Check(c.String()+": one stderr line naming the variable", "1 line containing "+c.variable,
			fmt.Sprintf("%d lines: %s", len(lines), strings.Join(lines, " | ")), len(lines) == 1 && strings.Contains(lines[0], c.variable))
		if c.value != nil && *c.value == longValue {
			t.Check(c.String()+": the line quotes the value clipped", "a start of it, not all 64 characters", res.Stderr,
				strings.Contains(res.Stderr, longValue[:16]) && !strings.Contains(res.Stderr, longValue))
		}
		if c.hidesValue() {
			t.Check(c.String()+": the line says the value is hidden and does not quote it", "\"value hidden\", not the value", res.Stderr,
				strings.Contains(res.Stderr, "value hidden") && !strings.Contains(res.Combined(), *c.value))
		}
		leaked := ""
		for _, s := range secrets {
			if strings.Contains(res.Combined(), s) {
				leaked = "output contains a secret"
			}
		}
		t.Check(c.String()+": no database URL or password in the output", "neither appears", cmp.Or(leaked, "neither appears"), leaked == "")
	}
}

// takenPortFails holds 127.0.0.1:p (when this process can) and requires a
// backend started on it to exit 1 with one stderr line naming the address.
func takenPortFails(t *T, valid map[string]string, p int, secrets []string) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	held, err := net.Listen("tcp", addr)
	heldNote := "held by the proof"
	if err != nil {
		// Taken by someone else, or port 1 without root: the backend
		// cannot listen either, which is the case under test.
		heldNote = "not listenable here: " + err.Error()
	} else {
		defer held.Close()
	}
	t.Step("start on "+addr+", a port already taken", "%s", heldNote)
	env := maps.Clone(valid)
	env["PORT"] = strconv.Itoa(p)
	label := "PORT=" + strconv.Itoa(p) + " taken"
	res := t.RunBackendCommand("start "+label, env, exitTimeout, "serve")
	if res.TimedOut {
		t.Check(label+": exits within "+exitTimeout.String(), "exit status 1", "still running after "+exitTimeout.String()+"; killed", false)
		return
	}
	Equal(t, label+": exit status (the configuration was accepted; the listen failed)", 1, res.ExitCode)
	lines := nonEmptyLines(res.Stderr)
	t.Check(label+": one stderr line naming the address", "1 line containing \"listen on "+addr+"\"",
		fmt.Sprintf("%d lines: %s", len(lines), strings.Join(lines, " | ")), len(lines) == 1 && strings.Contains(lines[0], "listen on "+addr))
	if held != nil {
		t.Check(label+": the line says the address is in use", "contains \"address already in use\"", strings.Join(lines, " | "),
			strings.Contains(res.Stderr, "address already in use"))
	}
	leaked := ""
	for _, s := range secrets {
		if strings.Contains(res.Combined(), s) {
			leaked = "output contains a secret"
		}
	}
	t.Check(label+": no database URL or password in the output", "neither appears", cmp.Or(leaked, "neither appears"), leaked == "")
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

// defaultsAreDocumented starts the backend with no optional variable set
// (BIND_ADDR aside: a proof listens on loopback only) and compares its
// `configuration` log line, variable by variable, with the default column
// of docs/reference-backend.md's table, read from the docs and not from the
// code: every proof sets the knobs it tests, so a default no proof reads
// would otherwise go unchecked. The line must name every documented
// variable but DATABASE_URL, which it must not hold (nor its password: the
// framework scans every output line for it).
func defaultsAreDocumented(t *T, valid map[string]string) {
	t.Step("defaults: a start with every optional variable unset logs the documented defaults")
	vars := documentedVariables(t)
	t.Require("docs/reference-backend.md's table lists the variables", "at least DATABASE_URL, PORT, JOB_POLL_MS", fmt.Sprint(len(vars)), len(vars) >= 3)
	// LOG_LEVEL="" reads as unset: the backend trims a value and takes the
	// default for an empty one, as for every optional variable.
	b := t.StartBackend("defaults", BackendOptions{Env: map[string]string{"JOB_POLL_MS": valid["JOB_POLL_MS"], "LOG_LEVEL": ""}})
	waitHealthy(b, "with every optional variable unset")
	b.Kill()
	recs := b.Logs("configuration")
	Equal(t, "one `configuration` log line at start", 1, len(recs))
	if len(recs) != 1 {
		return
	}
	logged := recs[0]
	set := map[string]string{"PORT": strconv.Itoa(b.Port), "JOB_POLL_MS": valid["JOB_POLL_MS"], "BIND_ADDR": "127.0.0.1"}
	for _, v := range vars {
		got, ok := logged[v.Name]
		if v.Name == "DATABASE_URL" {
			t.Check("the `configuration` line holds no DATABASE_URL", "absent", fmt.Sprintf("present %t", ok), !ok)
			continue
		}
		want, isSet := set[v.Name]
		source := "set by the proof"
		if !isSet {
			source = "the documented default " + v.Default
			var known bool
			if want, known = loggedDefault(v.Default); !known {
				t.Check(v.Name+": the docs' default has a logged form", "`N`, `word`, off, all interfaces or embedded", v.Default, false)
				continue
			}
		}
		Equal(t, fmt.Sprintf("`configuration` %s (%s)", v.Name, source), want, logValue(got, ok))
	}
}

// loggedDefault is how the `configuration` line writes a default the docs'
// table states: the value in backticks as it stands, "off" as the flag 0,
// and the empty value for "all interfaces" (BIND_ADDR) and "embedded"
// (MIGRATIONS_DIR). Any other wording is unknown, so a new row cannot
// pass unchecked.
func loggedDefault(cell string) (string, bool) {
	if _, rest, ok := strings.Cut(cell, "`"); ok {
		v, _, _ := strings.Cut(rest, "`")
		return v, true
	}
	switch cell {
	case "off":
		return "0", true
	case "all interfaces", "embedded":
		return "", true
	}
	return "", false
}

// logValue writes a JSON log value as the docs write it: a number in
// full (JSON numbers decode as float64), a string as it is.
func logValue(v any, present bool) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		return v
	}
	if !present {
		return "(absent)"
	}
	return fmt.Sprint(v)
}
