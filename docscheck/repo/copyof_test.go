package repo

import "testing"

// TestCopyOfAnotherRepository: a folder with a license of its own whose
// README links the github.com repository named as the folder or a folder
// it lies in (a release number aside), under another owner than the
// checkout's, is a copy of that repository, and so is what lies in it
// only through it; so is a folder without a license that holds only a library's build (minified
// scripts and styles, fonts) beside such a README; a folder without a
// license holding anything else (a script not minified) or no minified
// file, one whose README links a repository of another name or of this
// checkout's owner, and the root are this repository's.
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
	katex := "# KaTeX\n\nhttps://github.com/Khan/KaTeX\n"
	writeFile(t, root, "static/katex/README.md", katex)
	writeFile(t, root, "static/katex/katex.min.js", "!function(){}();\n")
	writeFile(t, root, "static/katex/katex.min.css", ".katex{}\n")
	writeFile(t, root, "static/katex/fonts/KaTeX_Main-Regular.woff2", "x")
	writeFile(t, root, "static/katex/contrib/auto-render.min.js", "!function(){}();\n")
	writeFile(t, root, "web/katex/README.md", katex)
	writeFile(t, root, "web/katex/katex.min.js", "!function(){}();\n")
	writeFile(t, root, "web/katex/setup.js", "render();\n")
	writeFile(t, root, "web/fonts/README.md", "# fonts\n\nhttps://github.com/someone/fonts\n")
	writeFile(t, root, "web/fonts/a.woff2", "x")
	writeFile(t, root, "services/JNativeHook/lib/native/COPYING.md", "LGPL\n")
	writeFile(t, root, "services/JNativeHook/lib/native/README.md", "# JNativeHook\n\nhttps://github.com/kwhat/jnativehook/releases\n")
	writeFile(t, root, "services/Other/lib/native/COPYING.md", "LGPL\n")
	writeFile(t, root, "services/Other/lib/native/README.md", "# JNativeHook\n\nhttps://github.com/kwhat/jnativehook/releases\n")
	r := New(root)
	for dir, want := range map[string]bool{
		".":                               false,
		"Docs/doxygen-theme":              true,
		"ext/filesystem-1.5.8":            true,
		"ext/unlicensed":                  false,
		"packages/dnd-core":               false,
		"packages/client":                 false,
		"Docs":                            false,
		"static/katex":                    true,
		"web/katex":                       false,
		"web/fonts":                       false,
		"services/JNativeHook/lib/native": true,
		"services/Other/lib/native":       false,
	} {
		if got := r.CopyOfAnotherRepository(dir); got != want {
			t.Errorf("CopyOfAnotherRepository(%q) = %v, want %v", dir, got, want)
		}
	}
}
