package repo

import "testing"

// TestRunsScriptBefore: a package.json script writes pages before the
// generator builds when it runs a script file of the repository in a
// command chained before the generator's; cleaning, the generator alone,
// or a script run after the build does not.
func TestRunsScriptBefore(t *testing.T) {
	for script, want := range map[string]bool{
		"node scripts/sync.mjs && python scripts/generate-all-docs.py && vitepress build": true,
		"./scripts/api.sh; vitepress build docs":                                          true,
		"cross-env NODE_ENV=production node tools/gen.js && npx vitepress build":          true,
		"vitepress build": false,
		"rimraf .vitepress/dist && vitepress build":         false,
		"vitepress build && node scripts/post.mjs":          false,
		"node --max-old-space-size=4096 && vitepress build": false,
		"python scripts/generate.py && docusaurus build":    false, // another generator's build
	} {
		if got := runsScriptBefore(script, "vitepress"); got != want {
			t.Errorf("runsScriptBefore(%q) = %v, want %v", script, got, want)
		}
	}
}
