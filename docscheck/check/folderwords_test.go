package check

import (
	"slices"
	"testing"
)

// TestFolderWords: a folder name's words start after a separator or at a
// capital that follows a small letter; runs of capitals stay one word.
func TestFolderWords(t *testing.T) {
	for dir, want := range map[string][]string{
		"developer-guide": {"developer", "guide"},
		"dev_docs":        {"dev", "docs"},
		"contributing.d":  {"contributing", "d"},
		"DeveloperDocs":   {"developer", "docs"},
		"APIDocs":         {"apidocs"},
		"--x--":           {"x"},
		"Développement":   {"développement"},
		"":                nil,
	} {
		if got := folderWords(dir); !slices.Equal(got, want) {
			t.Errorf("folderWords(%q) = %q, want %q", dir, got, want)
		}
	}
	if !isRepositoryPage("docs/DeveloperDocs/Build-from-source.md") || isRepositoryPage("docs/DevTools/intro.md") {
		t.Error("a folder named DeveloperDocs is a contributor section, DevTools is not")
	}
	if !isRepositoryPage("docs/dev-guide/quickstart.md") || !isRepositoryPage("docs/dev_docs/x.md") || isRepositoryPage("docs/dev-tools/x.md") {
		t.Error("a folder named dev-guide or dev_docs is a contributor section, dev-tools is not")
	}
}
