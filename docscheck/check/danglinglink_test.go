package check

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDanglingLinkIsOutput: a symbolic link the tree commits to a file
// that is not there names what a build writes (hfuzz-clang -> hfuzz-cc,
// which make builds): a command running it, or a link to it, is not
// judged. A missing file with no link in its place still is.
func TestDanglingLinkIsOutput(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md": "# Tool\n\n```bash\nmake\n./cc/tool-clang -o x x.c\n./cc/tool-gcc -o x x.c\n```\n\n" +
			"See [the wrapper](cc/tool-clang) and [the other](cc/tool-gcc).\n",
		"Makefile":     "all:\n\tcc -o cc/tool-cc cc/tool-cc.c\n",
		"cc/tool-cc.c": "int main(void) { return 0; }\n",
	})
	if err := os.Symlink("tool-cc", filepath.Join(root, "cc", "tool-clang")); err != nil {
		t.Fatal(err)
	}
	wantFindings(t, root,
		"README.md:6:1: script: ./cc/tool-gcc does not exist (did you mean ./cc/tool-cc.c?)",
		"README.md:9:38: link: link target `cc/tool-gcc` does not exist (did you mean cc/tool-cc.c?)",
	)
}
