package repo

import (
	"path"
	"regexp"
	"strings"
)

// A build tool can resolve a path by an alias its config declares:
// TypeScript's (and so Vite's, Astro's, Next's) "paths" in tsconfig.json
// or jsconfig.json map "~/*" to "src/*", a bundler's or a browser-side
// renderer's "alias: {...}" (vite.config.*, Docsify's index.html) maps a
// prefix or a route pattern elsewhere. A site built with such a tool
// resolves a page's "~/assets/x.png" through the alias, not as a file path,
// so whether the target exists is a question of the tool's rules.

// tsPaths is the "paths" object of a tsconfig/jsconfig (JSONC, so read as
// text); pathKey is one of its keys.
// aliasObject is an "alias: {...}" of a JavaScript config; aliasKey one
// of its quoted keys.
var (
	tsPaths     = regexp.MustCompile(`"paths"\s*:\s*\{([^}]*)\}`)
	pathKey     = regexp.MustCompile(`"([^"]+)"\s*:\s*\[`)
	aliasObject = regexp.MustCompile(`\balias\s*:\s*\{([^}]*)\}`)
	aliasKey    = regexp.MustCompile(`['"]([^'"]+)['"]\s*:`)
)

// AliasFor returns the alias that a config in the page's folder or one
// above it declares and that covers target ("~/" for "~/*"), or "". A
// key that is a pattern (".*?/changelog") covers the target's route, the
// target from the site's root without its ".md".
func (r *Repo) AliasFor(page, target string) string {
	route := "/" + strings.TrimSuffix(strings.TrimPrefix(target, "/"), ".md")
	for dir := path.Dir(page); ; dir = path.Dir(dir) {
		for _, prefix := range r.aliases(dir) {
			if target == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(target, prefix) || strings.HasPrefix("/"+target, prefix) {
				return prefix
			}
		}
		for _, pattern := range r.aliasPatterns(dir) {
			if pattern.MatchString(route) {
				return pattern.String()
			}
		}
		if dir == "." || dir == "/" {
			return ""
		}
	}
}

// aliases lists the path-alias prefixes the tsconfig.json and
// jsconfig.json of one folder declare.
func (r *Repo) aliases(dir string) []string {
	if v, ok := r.manifests.Load("alias:" + dir); ok {
		return v.([]string)
	}
	var out []string
	for _, n := range []string{"tsconfig.json", "jsconfig.json"} {
		data, err := r.ReadFile(path.Join(dir, n))
		if err != nil {
			continue
		}
		for _, block := range tsPaths.FindAllSubmatch(data, -1) {
			for _, k := range pathKey.FindAllSubmatch(block[1], -1) {
				// "~/*" aliases everything under "~/"; "@lib" only itself
				// and what lies under it.
				key := strings.TrimSuffix(string(k[1]), "*")
				if key == "" || key == "/" || key == "./" {
					continue // "*" or "./*": every path, not a prefix
				}
				if !strings.HasSuffix(key, "/") {
					key += "/"
				}
				out = append(out, key)
			}
		}
	}
	r.manifests.Store("alias:"+dir, out)
	return out
}

// aliasPatterns are the keys of the "alias: {...}" objects in the
// folder's index.html and *.config.{js,ts,mjs,cjs,mts}, each as the
// pattern it is matched as (the whole route; a plain key is itself).
func (r *Repo) aliasPatterns(dir string) []*regexp.Regexp {
	if v, ok := r.manifests.Load("aliaspattern:" + dir); ok {
		return v.([]*regexp.Regexp)
	}
	var out []*regexp.Regexp
	for _, n := range r.Names(dir) {
		if n != "index.html" && !strings.Contains(n, ".config.") {
			continue
		}
		switch path.Ext(n) {
		case ".html", ".js", ".ts", ".mjs", ".cjs", ".mts":
		default:
			continue
		}
		data, err := r.ReadFile(path.Join(dir, n))
		if err != nil {
			continue
		}
		for _, obj := range aliasObject.FindAllSubmatch(data, -1) {
			for _, k := range aliasKey.FindAllSubmatch(obj[1], -1) {
				key := string(k[1])
				if !strings.HasPrefix(key, "/") && !strings.ContainsAny(key, ".*?(") {
					// "@" or "~": a prefix, the target's first part.
					key = "/" + regexp.QuoteMeta(key) + "(/.*)?"
				}
				if re, err := regexp.Compile("^(?:" + key + ")$"); err == nil {
					out = append(out, re)
				}
			}
		}
	}
	r.manifests.Store("aliaspattern:"+dir, out)
	return out
}
