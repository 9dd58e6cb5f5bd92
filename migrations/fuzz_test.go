package migrations

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var checksumShape = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FuzzLoad feeds Load a folder of two files with arbitrary names and
// contents, then compares the result with an arbitrary recorded version.
// Load must never panic, must refuse every misnamed .sql file, and what it
// accepts must be well formed: versions from 1, strictly increasing, names
// and checksums matching the files. The status built from it must count
// every file exactly once and call a file modified exactly when its
// recorded checksum differs.
func FuzzLoad(f *testing.F) {
	f.Add("0001_create_jobs.sql", []byte("CREATE TABLE t (id int);"), "0002_more.sql", []byte("SELECT 1"), 1, Checksum([]byte("CREATE TABLE t (id int);")))
	f.Add("0001_a.sql", []byte("A"), "0001_b.sql", []byte("B"), 1, "")
	f.Add("01_x.sql", []byte(""), "notes.txt", []byte("hi"), 0, "x")
	f.Add("0003_X.sql", []byte("\x00\xff"), "dir/0004_y.sql", []byte("Y"), 3, "deadbeef")
	f.Add("0000_zero.sql", []byte{}, "0009_nine.SQL", []byte{}, 9, "")
	f.Fuzz(func(t *testing.T, name1 string, content1 []byte, name2 string, content2 []byte, recordedVersion int, recordedChecksum string) {
		fsys := fstest.MapFS{}
		for _, f := range []struct {
			name    string
			content []byte
		}{{name1, content1}, {name2, content2}} {
			if !fs.ValidPath(f.name) || f.name == "." {
				continue // not a name a folder can hold
			}
			fsys[f.name] = &fstest.MapFile{Data: f.content}
		}
		ms, err := Load(fsys)

		misnamed := false
		for name := range fsys {
			if !strings.Contains(name, "/") && strings.HasSuffix(name, ".sql") && !fileName.MatchString(name) {
				misnamed = true
			}
		}
		if misnamed && err == nil {
			t.Fatalf("Load accepted a misnamed migration among %v: %+v", keys(fsys), ms)
		}
		if err != nil {
			if len(ms) != 0 {
				t.Fatalf("Load failed (%v) but returned %d migrations", err, len(ms))
			}
			return
		}
		if len(ms) == 0 {
			t.Fatal("Load returned no migrations and no error")
		}
		for i, m := range ms {
			if !fileName.MatchString(m.File) || m.Version < 1 || m.File[5:len(m.File)-4] != m.Name {
				t.Fatalf("malformed migration %+v", m)
			}
			if i > 0 && m.Version <= ms[i-1].Version {
				t.Fatalf("versions not strictly increasing: %d after %d", m.Version, ms[i-1].Version)
			}
			file, ok := fsys[m.File]
			if !ok || m.SQL != string(file.Data) || m.Checksum != Checksum(file.Data) || !checksumShape.MatchString(m.Checksum) {
				t.Fatalf("migration %s does not match its file", m.File)
			}
		}

		recorded := map[int]record{recordedVersion: {name: "recorded", checksum: recordedChecksum, appliedAt: time.Unix(0, 0)}}
		st := compare(ms, recorded)
		if st.Applied+st.Pending+st.Modified+st.Unknown != len(st.Migrations) {
			t.Fatalf("status counts %+v do not add up to %d entries", st, len(st.Migrations))
		}
		seen := map[int]bool{}
		for _, e := range st.Migrations {
			if seen[e.Version] {
				t.Fatalf("version %d listed twice", e.Version)
			}
			seen[e.Version] = true
		}
		for _, m := range ms {
			if !seen[m.Version] {
				t.Fatalf("file %s missing from the status", m.File)
			}
			e := st.Migrations[indexOf(st.Migrations, m.Version)]
			want := Pending
			if m.Version == recordedVersion {
				want = Applied
				if recordedChecksum != m.Checksum {
					want = Modified
				}
			}
			if e.State != want {
				t.Fatalf("%s: state %s, want %s", m.File, e.State, want)
			}
		}
		if st.Current() != (st.Pending == 0 && st.Modified == 0) || st.Summary() == "" {
			t.Fatalf("status %+v: Current %t, Summary %q", st, st.Current(), st.Summary())
		}
	})
}

func indexOf(entries []Entry, version int) int {
	for i, e := range entries {
		if e.Version == version {
			return i
		}
	}
	return -1
}

func keys(m fstest.MapFS) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
