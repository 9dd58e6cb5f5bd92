package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// TestCloneOfThisCheckout: a page that clones the repository its checkout
// was cloned from (.git/config's remote, here the only evidence of its
// name) and cds into the clone runs its commands in this repository, on a
// users' page too; a submodule's URL names another repository. The .git
// folder is written here: git cannot hold one in testdata.
func TestCloneOfThisCheckout(t *testing.T) {
	page := "```bash\ngit clone https://github.com/example/checkout-name.git\ncd checkout-name\n./scripts/gone.sh\n```\n" +
		"```bash\ngit clone git@github.com:example/vendored.git\ncd vendored\n./scripts/gone.sh\n```\n"
	for _, tc := range []struct {
		name, config, want string
	}{
		{"origin", "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://github.com/example/checkout-name.git\n", "docs/install.md:4:1: script: ./scripts/gone.sh does not exist"},
		{"scp-like upstream", "[remote \"upstream\"]\n\turl = git@github.com:example/checkout-name.git\n", "docs/install.md:4:1: script: ./scripts/gone.sh does not exist"},
		{"submodule only", "[submodule \"x\"]\n\turl = https://github.com/example/checkout-name.git\n", ""},
		{"no .git", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := copyFixtureFrom(t, filepath.Join("testdata", "sites", "users-site"))
			if tc.config != "" {
				if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, ".git", "config"), []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The fixture's package.json names it users-site: only the
			// checkout's remote names it checkout-name.
			if err := os.WriteFile(filepath.Join(root, "docs", "install.md"), []byte(page), 0o644); err != nil {
				t.Fatal(err)
			}
			got := checkPage(t, Options{Repo: repo.New(root)}, "docs/install.md")
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), tc.want)
			}
		})
	}
}
