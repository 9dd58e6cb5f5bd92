package check

import "testing"

// TestUnnamedGoBinary: with no go.mod in the tree, "go build ." builds the
// module of the folder the reader stands in (a checkout of another
// project), and names the program after that folder: a ./name run next is
// what the build wrote, not this tree's folder of that name (a docs site
// describing its server's repository). Without the build, the folder is
// no program.
func TestUnnamedGoBinary(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":      "# Site\n\nBuild the server from its checkout:\n\n```bash\ngo build .\n./server\n```\n",
		"TOOL.md":        "# Tool\n\nRun it:\n\n```bash\n./server\n```\n",
		"server/api.md":  "# API\n",
		"server/more.md": "# More\n",
	})
	wantFindings(t, root, "TOOL.md:6:1: script: ./server is a folder, not a program")
}
