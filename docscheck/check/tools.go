package check

import (
	"errors"
	"flag"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/prodproof/prodproof/internal/suggest"
)

// placeholder stands in for a word only the shell knows, so the real flag
// set can still parse the rest; errors that mention it are not findings.
const placeholder = "DOCSCHECK_UNKNOWN_VALUE"

// checkTool parses a quoted invocation of one of the project's tools with
// the tool's own command table and flag sets.
func (c *Checker) checkTool(r *report, t clispec.Tool, words []command.Word, at locate, prog command.Word) {
	args := make([]string, len(words))
	for i, w := range words {
		args[i] = w.Text
		if w.Dynamic() {
			args[i] = placeholder
		}
	}
	// The verdict depends on the tool and the arguments alone (not on the
	// folder, the page or the session), and docs repeat the same
	// invocations: one that passed once passes again.
	key := t.Name + "\x00" + t.Package + "\x00" + strings.Join(args, "\x00")
	if _, ok := c.cleanToolCalls.Load(key); ok {
		return
	}
	before := len(r.findings) + len(r.doubts)
	c.judgeTool(r, t, args, words, at, prog)
	if len(r.findings)+len(r.doubts) == before {
		c.cleanToolCalls.Store(key, true)
	}
}

// judgeTool is checkTool's verdict on args, the words' texts.
func (c *Checker) judgeTool(r *report, t clispec.Tool, args []string, words []command.Word, at locate, prog command.Word) {
	wordAt := func(i int) command.Word {
		if i >= 0 && i < len(words) {
			return words[i]
		}
		return prog
	}
	cmd, rest, err := t.Resolve(args)
	if err != nil {
		if len(words) > 0 && words[0].Dynamic() {
			return
		}
		if len(words) == 0 || strings.HasPrefix(words[0].Text, "-") {
			r.addWord(prog, at, ruleCommand, "", "%s needs a command (valid: %s)", t.Name, strings.Join(t.Paths(), ", "))
			return
		}
		c.unknownSubcommand(r, t, args, words, prog, at)
		return
	}
	consumed := len(args) - len(rest)
	// A shorter path matched but the next word looks like a subcommand of
	// a longer one ("migrate stauts" against "migrate status"): say so.
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && rest[0] != placeholder && cmd.Args == nil && hasLonger(t, cmd.Path) {
		c.unknownSubcommand(r, t, args, words, prog, at)
		return
	}
	name := strings.TrimSpace(t.Name + " " + strings.Join(cmd.Path, " "))
	fs := cmd.FlagSet(t.Name)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) || strings.Contains(err.Error(), placeholder) {
			return
		}
		idx := consumed + flagIndex(rest, err)
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, "--"+f.Name) })
		hint := ""
		if bad := badFlagName(err); bad != "" {
			hint = suggest.Nearest("--"+bad, names)
		} else if m := invalidValue.FindStringSubmatch(err.Error()); m != nil {
			// A value the flag refuses: offer the nearest of its choices.
			if f := fs.Lookup(m[2]); f != nil {
				if ch, ok := f.Value.(clispec.Chooser); ok {
					if v := suggest.Nearest(m[1], ch.Choices()); v != "" {
						hint = "`--" + m[2] + " " + v + "`"
					}
				}
			}
		}
		r.addWord(wordAt(idx), at, ruleCommand, hint, "`%s`: %s", name, flagError(err))
		return
	}
	positional := fs.Args()
	firstPos := len(args) - len(positional)
	for i, a := range positional {
		if strings.HasPrefix(a, "-") && len(a) > 1 && a != placeholder {
			r.addWord(wordAt(firstPos+i), at, ruleCommand, "", "`%s`: flag %s comes after the argument %q; flags must come first, or it is taken as an argument", name, a, positional[0])
			return
		}
	}
	if slices.Contains(c.opts.ProofCommands, name) {
		for i, a := range positional {
			if a == placeholder || slices.Contains(c.opts.ProofNames, a) {
				continue
			}
			r.addWord(wordAt(firstPos+i), at, ruleProof, suggest.Nearest(a, c.opts.ProofNames),
				"%q is not a registered proof", a)
			return
		}
	}
	if slices.Contains(positional, placeholder) {
		return
	}
	if cmd.Args == nil {
		if len(positional) > 0 {
			r.addWord(wordAt(firstPos), at, ruleCommand, "", "`%s` takes no arguments, got %q", name, positional[0])
		}
		return
	}
	if err := cmd.Args(positional); err != nil {
		r.addWord(wordAt(firstPos), at, ruleCommand, "", "`%s`: %v", name, err)
	}
}

func hasLonger(t clispec.Tool, prefix []string) bool {
	for _, c := range t.Commands {
		if len(c.Path) > len(prefix) && slices.Equal(c.Path[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}

// unknownSubcommand reports the first word that leaves the command table,
// suggesting the nearest valid path at that depth.
func (c *Checker) unknownSubcommand(r *report, t clispec.Tool, args []string, words []command.Word, prog command.Word, at locate) {
	var typed []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		typed = append(typed, a)
	}
	paths := make([][]string, 0, len(t.Commands))
	for _, cmd := range t.Commands {
		paths = append(paths, cmd.Path)
	}
	// k: how many typed words are still on some command path.
	k := 0
	for k < len(typed) && slices.ContainsFunc(paths, func(p []string) bool {
		return len(p) > k && slices.Equal(p[:k+1], typed[:k+1])
	}) {
		k++
	}
	if k == len(typed) {
		k = max(0, len(typed)-1)
	}
	var candidates []string
	for _, p := range paths {
		if len(p) > k && slices.Equal(p[:k], typed[:k]) {
			candidates = append(candidates, strings.Join(p[:k+1], " "))
		}
	}
	candidates = slices.Compact(candidates)
	bad := strings.Join(typed[:min(k+1, len(typed))], " ")
	hint := suggest.Nearest(bad, candidates)
	if hint != "" {
		hint = "`" + t.Name + " " + hint + "`"
	}
	w := prog
	if k < len(words) {
		w = words[k]
	}
	r.addWord(w, at, ruleCommand, hint, "%s has no command %q (valid: %s)", t.Name, bad, strings.Join(t.Paths(), ", "))
}

// invalidValue is the flag package's error for a refused value.
var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -([^:\s]+): `)

// badFlagName pulls the flag name out of the flag package's error.
func badFlagName(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return strings.TrimLeft(rest, "-")
	}
	return ""
}

func flagError(err error) string {
	if bad := badFlagName(err); bad != "" {
		return "unknown flag --" + bad
	}
	return err.Error()
}

// flagIndex finds which argument the flag error is about, for the column.
func flagIndex(args []string, err error) int {
	msg := err.Error()
	for i, a := range args {
		name := strings.TrimLeft(a, "-")
		name, _, _ = strings.Cut(name, "=")
		if strings.HasPrefix(a, "-") && name != "" && strings.Contains(msg, "-"+name) {
			return i
		}
	}
	return 0
}
