package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/clispec"
)

// TestToolVerdictsRememberToolAndArguments: checkTool remembers the
// invocations that passed; an invocation that differs from one of them in
// an argument, or names another tool, is still judged.
func TestToolVerdictsRememberToolAndArguments(t *testing.T) {
	root := copyFixture(t)
	page := "# Tools\n\n```bash\n" +
		"widget migrate status --json\n" +
		"widget migrate status --json\n" +
		"widget migrate status --jsn\n" +
		"gadget migrate status --json\n" +
		"```\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "tools.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	gadget := clispec.Tool{Name: "gadget", Package: "./cmd/gadget", Commands: []clispec.Command{{Path: []string{"serve"}}}}
	c, err := New(Options{Repo: repo.New(root), Tools: []clispec.Tool{widgetTool(), gadget}})
	if err != nil {
		t.Fatal(err)
	}
	findings, err := c.Run(context.Background(), []string{"docs/tools.md"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, f := range findings {
		if f.Rule != ruleCommand {
			t.Errorf("unexpected finding %v", f)
		}
		lines = append(lines, f.Line)
	}
	if len(lines) != 2 || lines[0] != 6 || lines[1] != 7 {
		t.Errorf("command findings on lines %v, want 6 (--jsn) and 7 (gadget): %v", lines, findings)
	}
}
