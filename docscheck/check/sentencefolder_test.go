package check

import (
	"strings"
	"testing"
)

// TestSentenceFolder: the folder a sentence names as where its command
// runs is the word before "directory", "folder" or "dir", quoted or not;
// a folder named by its role is none; the sentence ends at a full stop,
// a blank line or a list item, so a folder named in the sentence before
// is not this one's.
func TestSentenceFolder(t *testing.T) {
	for _, c := range []struct{ src, command, want string }{
		{"Edit it so that it starts in bundle directory command `node main.js`", "node main.js", "bundle"},
		{"Then cd to correct bundle directory where `node main.js` can be run, and then:", "node main.js", "bundle"},
		{"From the `dist/` folder, run `./app`.", "./app", "dist"},
		{"Inside the build dir run `make install`.", "make install", "build"},
		{"In the root directory, run `make`.", "make", ""},
		{"In your project directory, run `npm test`.", "npm test", ""},
		{"Run `make` from the repository's top-level directory.", "make", ""},
		{"Unzip it in the bundle directory. Then run `node main.js`.", "node main.js", ""},
		{"- Unzip it in the bundle directory\n- run `node main.js`", "node main.js", ""},
		{"Run `node main.js` to start it.", "node main.js", ""},
	} {
		at := strings.Index(c.src, "`"+c.command+"`") + 1
		if got := sentenceFolder([]byte(c.src), at); got != c.want {
			t.Errorf("sentenceFolder(%q) at %q = %q, want %q", c.src, c.command, got, c.want)
		}
	}
}
