// Package clispec describes the command-line surface of the project's own
// tools: their subcommands, flags and positional arguments. Each tool parses
// its arguments through its Tool value, and docscheck reads the same values to
// verify commands quoted in docs, so the docs cannot name a subcommand or flag
// the tool does not accept.
package clispec

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Tool is one program of this project.
type Tool struct {
	// Name is the binary name, e.g. "reference-backend" or "proofs".
	Name string
	// Package is the Go package path relative to the module root, e.g.
	// "./backend"; docs may run the tool as `go run ./backend ...`.
	Package string
	// Commands lists every subcommand path. A Command with an empty Path is
	// the tool run without a subcommand.
	Commands []Command
}

// Command is one subcommand path of a tool.
type Command struct {
	// Path holds the subcommand words, e.g. {"migrate", "up"}.
	Path    []string
	Summary string
	// Flags builds the flag set this command parses with. Nil means the
	// command takes no flags.
	Flags func() *flag.FlagSet
	// Args checks the positional arguments left after the flags. Nil means
	// none are allowed.
	Args func(args []string) error
}

// ErrUnknownCommand is wrapped by Resolve when no subcommand path matches.
var ErrUnknownCommand = errors.New("unknown command")

// Resolve finds the longest command path that prefixes args and returns it
// with the remaining arguments.
func (t Tool) Resolve(args []string) (Command, []string, error) {
	best := -1
	for i, c := range t.Commands {
		if len(c.Path) > len(args) || !slices.Equal(c.Path, args[:len(c.Path)]) {
			continue
		}
		if best < 0 || len(c.Path) > len(t.Commands[best].Path) {
			best = i
		}
	}
	// A bare word where the root command takes no arguments is a mistyped
	// subcommand, and is reported as one rather than as a stray argument.
	if best >= 0 && len(t.Commands[best].Path) == 0 && t.Commands[best].Args == nil &&
		len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		best = -1
	}
	if best < 0 {
		word := ""
		if len(args) > 0 {
			word = args[0]
		}
		return Command{}, nil, fmt.Errorf("%w %q for %s; valid: %s", ErrUnknownCommand, word, t.Name, strings.Join(t.Paths(), ", "))
	}
	c := t.Commands[best]
	return c, args[len(c.Path):], nil
}

// Paths lists every command path as a space-joined string.
func (t Tool) Paths() []string {
	var out []string
	for _, c := range t.Commands {
		if len(c.Path) > 0 {
			out = append(out, strings.Join(c.Path, " "))
		}
	}
	return out
}

// Parse resolves the command, parses its flags and checks its positional
// arguments. The returned flag set holds the parsed values.
func (t Tool) Parse(args []string, stderr io.Writer) (Command, *flag.FlagSet, error) {
	c, rest, err := t.Resolve(args)
	if err != nil {
		return Command{}, nil, err
	}
	fs := c.FlagSet(t.Name)
	fs.SetOutput(stderr)
	if err := fs.Parse(rest); err != nil {
		return c, fs, err
	}
	if c.Args == nil {
		if fs.NArg() > 0 {
			return c, fs, fmt.Errorf("%s %s takes no arguments, got %q", t.Name, strings.Join(c.Path, " "), fs.Arg(0))
		}
		return c, fs, nil
	}
	return c, fs, c.Args(fs.Args())
}

// FlagSet returns the command's flag set, or an empty one.
func (c Command) FlagSet(toolName string) *flag.FlagSet {
	if c.Flags != nil {
		return c.Flags()
	}
	return flag.NewFlagSet(strings.TrimSpace(toolName+" "+strings.Join(c.Path, " ")), flag.ContinueOnError)
}
