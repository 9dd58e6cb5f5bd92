package clispec

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func testTool() Tool {
	return Tool{
		Name: "tool",
		Commands: []Command{
			{Summary: "default"},
			{Path: []string{"migrate", "up"}},
			{Path: []string{"migrate", "status"}, Flags: func() *flag.FlagSet {
				fs := flag.NewFlagSet("tool migrate status", flag.ContinueOnError)
				fs.Bool("json", false, "")
				return fs
			}},
			{Path: []string{"run"}, Args: func([]string) error { return nil }},
		},
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		path    string
		wantErr error
		anyErr  bool
	}{
		{args: nil, path: ""},
		{args: []string{"migrate", "status", "--json"}, path: "migrate status"},
		{args: []string{"migrate", "up"}, path: "migrate up"},
		{args: []string{"run", "a", "b"}, path: "run"},
		{args: []string{"frobnicate"}, wantErr: ErrUnknownCommand},
		{args: []string{"migrate"}, wantErr: ErrUnknownCommand},
		{args: []string{"migrate", "up", "now"}, anyErr: true},
		{args: []string{"migrate", "status", "--yaml"}, anyErr: true},
	}
	for _, tt := range tests {
		c, _, err := testTool().Parse(tt.args, io.Discard)
		switch {
		case tt.wantErr != nil:
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%v: err = %v, want %v", tt.args, err, tt.wantErr)
			}
		case tt.anyErr:
			if err == nil {
				t.Errorf("%v: accepted", tt.args)
			}
		default:
			if err != nil {
				t.Errorf("%v: %v", tt.args, err)
			} else if got := strings.Join(c.Path, " "); got != tt.path {
				t.Errorf("%v: resolved %q, want %q", tt.args, got, tt.path)
			}
		}
	}
}

func TestUnknownCommandNamesTheUnknownPart(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate" for tool; valid: migrate up, migrate status, run`},
		{[]string{"migrate", "down"}, `unknown command: unknown migrate subcommand "down" for tool; valid: migrate up, migrate status`},
		{[]string{"migrate"}, `unknown command: tool migrate needs a subcommand; valid: migrate up, migrate status`},
	}
	for _, tt := range tests {
		_, _, err := testTool().Parse(tt.args, io.Discard)
		if !errors.Is(err, ErrUnknownCommand) || err.Error() != tt.want {
			t.Errorf("%v: %v\nwant %s", tt.args, err, tt.want)
		}
	}
}

func TestWantsHelp(t *testing.T) {
	for args, want := range map[string]bool{
		"help": true, "--help": true, "-h": true, "-help": true, "migrate status -h": true,
		"": false, "migrate up": false, "run -- --help": false, "run helper": false,
	} {
		if got := WantsHelp(strings.Fields(args)); got != want {
			t.Errorf("WantsHelp(%q) = %v, want %v", args, got, want)
		}
	}
}
