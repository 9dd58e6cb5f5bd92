package check

import (
	"strings"
	"testing"
)

// TestSentenceFolder: the folder a sentence names as where its command
// runs is the word before "directory", "folder" or "dir", quoted or not;
// a folder named by its role is none; the sentence ends at a full stop,
// a blank line or a list item, so a folder named in the sentence before
// is not this one's; a list's lead-in ending in a colon places its items.
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
		{"then run `npm run dev` in the cloned `owner/docs` directory", "npm run dev", "owner/docs"},
		{"When developing in the ESLint core repository, `npm run perf` runs it.", "npm run perf", ""},
		{"2. Inside the `owner/docs` directory:\n   1. Run `npm install`.\n   2. Run `npm run dev` to start.", "npm run dev", "owner/docs"},
		{"From the build folder:\n\n- Run `make install`.\n- Then `make check`.", "make check", "build"},
		{"1. Install it:\n   - Run `make`.", "make", ""},
		{"Inside the build folder:\n\nRun `make install`.", "make install", ""},
		{"From the build folder:\n\nSome text.\n\n- Run `make check`.", "make check", ""},
	} {
		at := strings.Index(c.src, "`"+c.command+"`") + 1
		if got := sentenceFolder([]byte(c.src), at); got != c.want {
			t.Errorf("sentenceFolder(%q) at %q = %q, want %q", c.src, c.command, got, c.want)
		}
	}
}
