package prove

import (
	"strings"
	"testing"

	"github.com/prodproof/prodproof/proofs/evidence"
)

// TestScanOutputFindsLeaks: the raw-output check sees a registered URL or
// password in any form, and a credentialed URL even when its password was
// masked, and reports the place without repeating the secret.
func TestScanOutputFindsLeaks(t *testing.T) {
	const url = "postgres://app:s3cret-raw-9@127.0.0.1:5432/proofs_x"
	red := &evidence.Redactor{}
	red.AddURL(url)
	cases := []struct {
		text string
		leak bool
	}{
		{`{"msg":"http listening","addr":"127.0.0.1:8080"}`, false},
		{`{"msg":"database unavailable","error":"failed to connect to host=127.0.0.1 user=app database=proofs_x"}`, false},
		{`{"msg":"config loaded","database_url":"` + url + `"}`, true},
		{`password s3cret-raw-9`, true},
		{`{"msg":"config loaded","database_url":"postgres://app:REDACTED@127.0.0.1:5432/proofs_x"}`, true},
		{`dsn host=127.0.0.1 password=xyz`, true},
		{`{"status":"ok"}`, false},
	}
	for _, c := range cases {
		tt := &T{red: red}
		tt.ScanOutput("backend a output", c.text)
		found := tt.leaksSoFar("backend")
		if (len(found) > 0) != c.leak {
			t.Errorf("ScanOutput(%q): leaks %v, want leak=%t", c.text, found, c.leak)
		}
		for _, f := range found {
			if strings.Contains(f, "s3cret-raw-9") {
				t.Errorf("the leak report repeats the secret: %s", f)
			}
			if !strings.HasPrefix(f, "backend a output: ") {
				t.Errorf("the leak report does not say where: %s", f)
			}
		}
	}
}
