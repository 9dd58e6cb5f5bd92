package clispec

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// colour is a flag.Value with a fixed set of values, like the proofs
// runner's --db.
type colour string

func (c *colour) String() string    { return string(*c) }
func (c *colour) Get() any          { return string(*c) }
func (c *colour) Choices() []string { return []string{"red", "green"} }
func (c *colour) Set(s string) error {
	if !slices.Contains(c.Choices(), s) {
		return fmt.Errorf("unknown colour %q", s)
	}
	*c = colour(s)
	return nil
}

func manifestTool() Tool {
	return Tool{
		Name:    "tool",
		Package: "./tool",
		Commands: []Command{
			{Summary: "default"},
			{Path: []string{"migrate", "up"}},
			{Path: []string{"run"}, Args: func([]string) error { return nil }, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("tool run", flag.ContinueOnError)
				fs.Bool("json", false, "print JSON")
				fs.Int("jobs", 5, "how many")
				fs.Uint("workers", 2, "")
				fs.Float64("ratio", 0.5, "")
				fs.Duration("settle", time.Minute, "")
				fs.String("report", "report", "folder")
				c := colour("red")
				fs.Var(&c, "colour", "red or green")
				return fs
			}},
		},
	}
}

// TestManifestRoundTrip writes a manifest from a live tool, reads it back
// and checks that the rebuilt tool accepts and refuses the same command
// lines as the original.
func TestManifestRoundTrip(t *testing.T) {
	proofs := &ProofSpec{Commands: []string{"tool run"}, Names: []string{"alpha"}}
	m, err := Describe([]Tool{manifestTool()}, proofs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Proofs == nil || !slices.Equal(back.Proofs.Names, proofs.Names) || !slices.Equal(back.Proofs.Commands, proofs.Commands) {
		t.Errorf("proofs = %+v, want %+v", back.Proofs, proofs)
	}
	rebuilt := back.Build()
	if len(rebuilt) != 1 {
		t.Fatalf("%d tools, want 1", len(rebuilt))
	}
	orig, got := manifestTool(), rebuilt[0]
	if got.Name != orig.Name || got.Package != orig.Package || !slices.Equal(got.Paths(), orig.Paths()) {
		t.Errorf("rebuilt %s %s %v, want %s %s %v", got.Name, got.Package, got.Paths(), orig.Name, orig.Package, orig.Paths())
	}
	lines := []string{
		"", "run", "run a b", "run --json", "run --json=false x", "run --json=maybe",
		"run --jobs 3", "run --jobs x", "run --jobs", "run --workers -1", "run --workers 4",
		"run --ratio 1e3", "run --ratio half", "run --settle 2m", "run --settle 2",
		"run --colour green", "run --colour blue", "run --report", "run --nope",
		"migrate up", "migrate up now", "migrate down", "frobnicate", "--json",
	}
	for _, line := range lines {
		args := strings.Fields(line)
		_, _, wantErr := orig.Parse(args, io.Discard)
		_, _, gotErr := got.Parse(args, io.Discard)
		if (wantErr == nil) != (gotErr == nil) {
			t.Errorf("%q: original err %v, rebuilt err %v", line, wantErr, gotErr)
		}
	}
}

func TestParseManifestRefusesBadInput(t *testing.T) {
	for _, doc := range []string{
		`{"version":2,"tools":[]}`,
		`{"version":1,"tools":[{"name":""}]}`,
		`{"version":1,"tools":[{"name":"t","commands":[{"path":[],"flags":[{"name":"x","kind":"complex"}]}]}]}`,
		`{"version":1,"tools":[],"extra":true}`,
		`not json`,
	} {
		if _, err := ParseManifest([]byte(doc)); err == nil {
			t.Errorf("%s: no error", doc)
		}
	}
}

// TestDescribeRefusesOpaqueFlags: a flag whose value cannot say its type
// would be rebuilt wrongly, so Describe refuses it.
func TestDescribeRefusesOpaqueFlags(t *testing.T) {
	tool := Tool{Name: "t", Commands: []Command{{Flags: func() *flag.FlagSet {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.Func("f", "", func(string) error { return nil })
		return fs
	}}}}
	if _, err := Describe([]Tool{tool}, nil); err == nil {
		t.Error("no error for a flag without Get")
	}
}
