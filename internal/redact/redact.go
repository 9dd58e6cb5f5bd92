// Package redact is the one rule for taking a secret out of text: the
// backend's logs and errors, the provisioner's errors and the proofs'
// evidence all use it, so a form of the secret one of them catches, they
// all catch.
package redact

import (
	"net/url"
	"sort"
	"strings"
)

// Redacted is what Text puts in place of a secret.
const Redacted = "REDACTED"

// Text replaces every non-empty secret in text, and its URL-escaped forms
// (query, path and userinfo escaping, as a password inside a database URL
// is written), with "REDACTED". Pass the whole URL and the password:
// Text(s, url, pw). Longer forms are replaced first, so a URL is redacted
// whole.
func Text(text string, secrets ...string) string {
	var forms []string
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		forms = append(forms, secret, url.QueryEscape(secret), url.PathEscape(secret),
			url.UserPassword("u", secret).String()[len("u:"):])
	}
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	for _, form := range forms {
		text = strings.ReplaceAll(text, form, Redacted)
	}
	return text
}
