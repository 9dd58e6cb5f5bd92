package mutant

import (
	"errors"
	"strings"
	"testing"
)

func TestReadIDs(t *testing.T) {
	in := `# survivors of seed 2
backend/api/api.go:103:134:change_constant:bec7bd

backend/config/config.go:120:52:change_constant:ddbf64  free: an unstated bound
backend/api/api.go:103:134:change_constant:bec7bd
`
	got, err := ReadIDs(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"backend/api/api.go:103:134:change_constant:bec7bd", "backend/config/config.go:120:52:change_constant:ddbf64"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ids %q, want %q (comments, blanks and trailing text ignored, a repeat once)", got, want)
	}
}

func TestReadIDsRefusesWhatIsNotAList(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "holds no mutant id"},
		{"# only a comment\n\n", "holds no mutant id"},
		{"backend/api/api.go:103\n", `line 1: "backend/api/api.go:103" is not a generated mutant id`},
		{"# x\ncompletion_ignores_owner\n", `line 2: "completion_ignores_owner" is not a generated mutant id`},
	} {
		_, err := ReadIDs(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadIDs(%q): error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestSelect(t *testing.T) {
	all, err := GenerateFile("p/p.go", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 {
		t.Fatalf("only %d mutants of the sample", len(all))
	}
	// Listed out of order: judged in ID order, each exactly the one named.
	picked, err := Select(all, []string{all[2].ID, all[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(picked) != 2 || picked[0] != all[0] || picked[1] != all[2] {
		t.Errorf("picked %v, want mutants 0 and 2", picked)
	}
	// One id that names nothing refuses the whole list, naming it.
	stale := "p/p.go:999:1:remove_statement:e3b0c4"
	picked, err = Select(all, []string{all[0].ID, stale})
	if !errors.Is(err, ErrUnknownID) || !strings.Contains(err.Error(), stale) || picked != nil {
		t.Errorf("Select with a stale id: %v, %v; want ErrUnknownID naming %s and nothing picked", picked, err, stale)
	}
}
