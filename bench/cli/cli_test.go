package cli

import (
	"io"
	"testing"
	"time"
)

func parse(t *testing.T, args ...string) Options {
	t.Helper()
	_, fs, err := Tool().Parse(args, io.Discard)
	if err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return Run(fs, false)
}

// TestRunReadsEveryFlag: each flag lands in its own field, so a flag the
// docs quote changes what the driver does.
func TestRunReadsEveryFlag(t *testing.T) {
	got := parse(t, "-out", "x.json", "-quick", "-large", "-trials", "3", "-backlog", "7", "-no-durable",
		"-db", "local", "-pgbench", "/pg", "-only", "drain", "-settle", "90s", "-profile", "prof")
	want := Options{Out: "x.json", Quick: true, Large: true, Trials: 3, Backlog: 7, SkipDurable: true,
		DBSource: "local", Pgbench: "/pg", Only: "drain", Settle: 90 * time.Second, ProfileDir: "prof"}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if d := parse(t); d.Out != DefaultOut || d.DBSource != "auto" || d.Quick {
		t.Errorf("defaults: %+v", d)
	}
}

// TestQuickFromEnvironment: QUICK=1 makes a smoke run unless -quick says
// otherwise.
func TestQuickFromEnvironment(t *testing.T) {
	_, fs, err := Tool().Parse(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !Run(fs, true).Quick {
		t.Error("QUICK=1 without -quick: not a quick run")
	}
	_, fs, err = Tool().Parse([]string{"-quick=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if Run(fs, true).Quick {
		t.Error("-quick=false with QUICK=1: a quick run")
	}
}

func TestCompareArguments(t *testing.T) {
	_, fs, err := Tool().Parse([]string{"compare", "-margin", "0.1", "a.json", "b.json"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if m := Margin(fs); m != 0.1 {
		t.Errorf("margin %v, want 0.1", m)
	}
	for _, args := range [][]string{{"compare", "a.json"}, {"compare", "a", "b", "c"}, {"-rounds", "1"}, {"drain"}} {
		if _, _, err := Tool().Parse(args, io.Discard); err == nil {
			t.Errorf("Parse(%q) accepted", args)
		}
	}
}
