package repo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFile: readFile gives os.ReadFile's bytes and errors: files of
// several sizes (empty, under and over a buffer's first size, large), one
// whose size is not known in advance (Linux), a missing file and a folder.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 100_000, 3 << 20} {
		name := filepath.Join(dir, fmt.Sprintf("f%d.md", size))
		if err := os.WriteFile(name, bytes.Repeat([]byte("ab\n"), size/3+1)[:size], 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	names = append(names, filepath.Join(dir, "missing.md"), dir)
	if _, err := os.Stat("/proc/self/limits"); err == nil {
		// Over 512 bytes, with a size of 0: read without knowing its size.
		names = append(names, "/proc/self/limits")
	}
	for _, name := range names {
		got, gotErr := readFile(name)
		want, wantErr := os.ReadFile(name)
		if !bytes.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("readFile(%s) = %d bytes, %v; os.ReadFile: %d bytes, %v", strings.TrimPrefix(name, dir), len(got), gotErr, len(want), wantErr)
		}
	}
}
