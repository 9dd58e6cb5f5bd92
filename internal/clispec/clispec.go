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
		return Command{}, nil, t.unknown(args)
	}
	c := t.Commands[best]
	return c, args[len(c.Path):], nil
}

// unknown explains why args name no command. When its first words are a
// command group (as "migrate" in "migrate down"), the unknown part is the
// word after them, and the valid choices are that group's commands.
func (t Tool) unknown(args []string) error {
	group := 0 // how many leading words some command path starts with
	for _, c := range t.Commands {
		n := 0
		for n < len(c.Path) && n < len(args) && c.Path[n] == args[n] {
			n++
		}
		group = max(group, n)
	}
	if group == 0 {
		word := ""
		if len(args) > 0 {
			word = args[0]
		}
		return fmt.Errorf("%w %q for %s; valid: %s", ErrUnknownCommand, word, t.Name, strings.Join(t.Paths(), ", "))
	}
	prefix := strings.Join(args[:group], " ")
	var valid []string
	for _, p := range t.Paths() {
		if strings.HasPrefix(p, prefix+" ") {
			valid = append(valid, p)
		}
	}
	if group == len(args) {
		return fmt.Errorf("%w: %s %s needs a subcommand; valid: %s", ErrUnknownCommand, t.Name, prefix, strings.Join(valid, ", "))
	}
	return fmt.Errorf("%w: unknown %s subcommand %q for %s; valid: %s", ErrUnknownCommand, prefix, args[group], t.Name, strings.Join(valid, ", "))
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

// WantsHelp reports whether args ask for help: a first word "help", or
// -h, -help or --help anywhere before a "--".
func WantsHelp(args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// WriteCommands writes one block per command: the command line with its
// summary, then its flags with their usage.
func (t Tool) WriteCommands(w io.Writer) {
	for _, c := range t.Commands {
		line := strings.TrimSpace(t.Name + " " + strings.Join(c.Path, " "))
		fmt.Fprintf(w, "  %s\n      %s\n", line, c.Summary)
		c.FlagSet(t.Name).VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(w, "      --%s", f.Name)
			if name != "" {
				fmt.Fprintf(w, " %s", name)
			}
			fmt.Fprintf(w, ": %s\n", usage)
		})
	}
}
