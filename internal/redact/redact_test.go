package redact

import "testing"

func TestText(t *testing.T) {
	const pw = "p@ss:w/rd word"
	dsn := "postgres://postgres:p%40ss%3Aw%2Frd%20word@127.0.0.1:5432/postgres?sslmode=disable"
	tests := []struct {
		name    string
		text    string
		secrets []string
		want    string
	}{
		{"whole URL first", "connect " + dsn + " failed", []string{dsn, pw}, "connect REDACTED failed"},
		{"raw password", "password is " + pw + "!", []string{dsn, pw}, "password is REDACTED!"},
		{"query-escaped password", "pw=" + "p%40ss%3Aw%2Frd+word", []string{pw}, "pw=REDACTED"},
		{"path-escaped password", "/p@ss:w%2Frd%20word/", []string{pw}, "/REDACTED/"},
		{"userinfo-escaped password", "postgres://u:p%40ss%3Aw%2Frd%20word@h/db", []string{pw}, "postgres://u:REDACTED@h/db"},
		{"empty secret is ignored", "nothing to hide", []string{"", ""}, "nothing to hide"},
		{"no secrets", "plain", nil, "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.text, tt.secrets...); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
