package repo

import "testing"

// TestCopyOfAnotherRepository: a folder with a license of its own whose
// README links the github.com repository named as the folder (a release
// number aside), under another owner than the checkout's, is a copy of
// that repository, and so is what lies in it only through it; a folder
// without a license, one whose README links a repository of another name
// or of this checkout's owner, and the root are this repository's.
func TestCopyOfAnotherRepository(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, ".git/config", "[remote \"origin\"]\n\turl = https://github.com/Owner/Engine.git\n")
	writeFile(t, root, "LICENSE", "MIT\n")
	writeFile(t, root, "README.md", "# Engine\n\nSee https://github.com/Owner/Engine/releases.\n")
	readme := "# X\n\n[release](https://github.com/upstream/doxygen-theme/releases/latest)\n"
	writeFile(t, root, "Docs/doxygen-theme/LICENSE", "MIT\n")
	writeFile(t, root, "Docs/doxygen-theme/README.md", readme)
	writeFile(t, root, "ext/filesystem-1.5.8/LICENSE.txt", "MIT\n")
	writeFile(t, root, "ext/filesystem-1.5.8/README.md", "# fs\n\nhttps://github.com/someone/filesystem\n")
	writeFile(t, root, "ext/unlicensed/README.md", "# u\n\nhttps://github.com/someone/unlicensed\n")
	writeFile(t, root, "packages/dnd-core/LICENSE", "MIT\n")
	writeFile(t, root, "packages/dnd-core/README.md", "Moved from https://github.com/owner/dnd-core.\n")
	writeFile(t, root, "packages/client/LICENSE", "MIT\n")
	writeFile(t, root, "packages/client/README.md", "Built on https://github.com/someone/http-lib.\n")
	r := New(root)
	for dir, want := range map[string]bool{
		".":                    false,
		"Docs/doxygen-theme":   true,
		"ext/filesystem-1.5.8": true,
		"ext/unlicensed":       false,
		"packages/dnd-core":    false,
		"packages/client":      false,
		"Docs":                 false,
	} {
		if got := r.CopyOfAnotherRepository(dir); got != want {
			t.Errorf("CopyOfAnotherRepository(%q) = %v, want %v", dir, got, want)
		}
	}
}
