package clispec

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ManifestVersion changes when a field of Manifest changes meaning or goes
// away.
const ManifestVersion = 1

// Manifest is the on-disk description of a project's command lines
// (docscheck-tools.json): what docscheck needs to verify quoted commands
// without linking the tools' code. A project writes it from its live Tool
// values (Describe), and docscheck rebuilds Tools from it (Build), so one
// definition still decides what the docs may quote.
type Manifest struct {
	Version int        `json:"version"`
	Tools   []ToolSpec `json:"tools"`
	// Proofs, when set, are named scenarios whose names some commands take
	// as their positional arguments.
	Proofs *ProofSpec `json:"proofs,omitempty"`
}

// ToolSpec is one Tool as data.
type ToolSpec struct {
	Name     string        `json:"name"`
	Package  string        `json:"package,omitempty"`
	Commands []CommandSpec `json:"commands"`
}

// CommandSpec is one Command as data.
type CommandSpec struct {
	Path    []string   `json:"path"`
	Summary string     `json:"summary,omitempty"`
	Flags   []FlagSpec `json:"flags,omitempty"`
	// Args is true when the command takes positional arguments.
	Args bool `json:"args,omitempty"`
}

// Flag kinds: how a flag's value is validated.
const (
	KindBool     = "bool"
	KindString   = "string"
	KindInt      = "int"
	KindUint     = "uint"
	KindFloat    = "float"
	KindDuration = "duration"
)

// FlagSpec is one flag as data.
type FlagSpec struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Default string `json:"default,omitempty"`
	Usage   string `json:"usage,omitempty"`
	// Choices, when set, are the only values accepted.
	Choices []string `json:"choices,omitempty"`
}

// ProofSpec names the proofs and the commands that take them.
type ProofSpec struct {
	// Commands are "tool subcommand" paths, e.g. "proofs run".
	Commands []string `json:"commands"`
	Names    []string `json:"names"`
}

// Chooser is implemented by a flag.Value that accepts a fixed set of
// values, so that Describe can record them.
type Chooser interface {
	Choices() []string
}

// Describe turns live tools into a manifest.
func Describe(tools []Tool, proofs *ProofSpec) (Manifest, error) {
	m := Manifest{Version: ManifestVersion, Proofs: proofs}
	for _, t := range tools {
		ts := ToolSpec{Name: t.Name, Package: t.Package, Commands: []CommandSpec{}}
		for _, c := range t.Commands {
			cs := CommandSpec{Path: c.Path, Summary: c.Summary, Args: c.Args != nil}
			if cs.Path == nil {
				cs.Path = []string{}
			}
			var err error
			c.FlagSet(t.Name).VisitAll(func(f *flag.Flag) {
				spec, ferr := describeFlag(f)
				if ferr != nil && err == nil {
					err = fmt.Errorf("%s %s: %w", t.Name, strings.Join(c.Path, " "), ferr)
				}
				cs.Flags = append(cs.Flags, spec)
			})
			if err != nil {
				return Manifest{}, err
			}
			ts.Commands = append(ts.Commands, cs)
		}
		m.Tools = append(m.Tools, ts)
	}
	return m, nil
}

func describeFlag(f *flag.Flag) (FlagSpec, error) {
	spec := FlagSpec{Name: f.Name, Default: f.DefValue, Usage: f.Usage}
	if c, ok := f.Value.(Chooser); ok {
		spec.Choices = c.Choices()
	}
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		return spec, fmt.Errorf("flag --%s: its value has no Get method, so its kind is unknown", f.Name)
	}
	switch getter.Get().(type) {
	case bool:
		spec.Kind = KindBool
	case string:
		spec.Kind = KindString
	case int, int64:
		spec.Kind = KindInt
	case uint, uint64:
		spec.Kind = KindUint
	case float64:
		spec.Kind = KindFloat
	case time.Duration:
		spec.Kind = KindDuration
	default:
		return spec, fmt.Errorf("flag --%s: value type %T has no manifest kind", f.Name, getter.Get())
	}
	return spec, nil
}

// Marshal encodes the manifest as indented JSON with a final newline.
func (m Manifest) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ParseManifest decodes and validates a manifest. Unknown fields are
// errors, so a typo is not silently ignored.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, fmt.Errorf("parse tools manifest: %w", err)
	}
	if m.Version != ManifestVersion {
		return Manifest{}, fmt.Errorf("parse tools manifest: version %d, want %d", m.Version, ManifestVersion)
	}
	for _, t := range m.Tools {
		if t.Name == "" {
			return Manifest{}, errors.New("parse tools manifest: a tool has no name")
		}
		for _, c := range t.Commands {
			for _, f := range c.Flags {
				if _, err := kindParser(f.Kind); err != nil {
					return Manifest{}, fmt.Errorf("parse tools manifest: %s %s --%s: %w", t.Name, strings.Join(c.Path, " "), f.Name, err)
				}
			}
		}
	}
	return m, nil
}

// Build rebuilds the tools: commands with flag sets that accept and refuse
// what the originals do (kinds, choices, bool flags, positional arguments).
func (m Manifest) Build() []Tool {
	var tools []Tool
	for _, ts := range m.Tools {
		t := Tool{Name: ts.Name, Package: ts.Package}
		for _, cs := range ts.Commands {
			c := Command{Path: cs.Path, Summary: cs.Summary}
			if len(c.Path) == 0 {
				c.Path = nil
			}
			if len(cs.Flags) > 0 {
				name := strings.TrimSpace(ts.Name + " " + strings.Join(cs.Path, " "))
				flags := cs.Flags
				c.Flags = func() *flag.FlagSet {
					fs := flag.NewFlagSet(name, flag.ContinueOnError)
					for _, f := range flags {
						parse, _ := kindParser(f.Kind) // validated by ParseManifest
						fs.Var(&specValue{spec: f, parse: parse, value: f.Default}, f.Name, f.Usage)
					}
					return fs
				}
			}
			if cs.Args {
				c.Args = func([]string) error { return nil }
			}
			t.Commands = append(t.Commands, c)
		}
		tools = append(tools, t)
	}
	return tools
}

func kindParser(kind string) (func(string) error, error) {
	switch kind {
	case KindBool:
		return func(s string) error { _, err := strconv.ParseBool(s); return err }, nil
	case KindString:
		return func(string) error { return nil }, nil
	case KindInt:
		return func(s string) error { _, err := strconv.ParseInt(s, 0, 64); return err }, nil
	case KindUint:
		return func(s string) error { _, err := strconv.ParseUint(s, 0, 64); return err }, nil
	case KindFloat:
		return func(s string) error { _, err := strconv.ParseFloat(s, 64); return err }, nil
	case KindDuration:
		return func(s string) error { _, err := time.ParseDuration(s); return err }, nil
	}
	return nil, fmt.Errorf("unknown flag kind %q", kind)
}

// specValue is a flag rebuilt from a FlagSpec: it validates like the
// original and remembers the text it was given.
type specValue struct {
	spec  FlagSpec
	parse func(string) error
	value string
}

func (v *specValue) String() string {
	if v == nil {
		return ""
	}
	return v.value
}

func (v *specValue) Set(s string) error {
	if len(v.spec.Choices) > 0 && !slices.Contains(v.spec.Choices, s) {
		return fmt.Errorf("%q is not one of %s", s, strings.Join(v.spec.Choices, ", "))
	}
	if err := v.parse(s); err != nil {
		return fmt.Errorf("parse error")
	}
	v.value = s
	return nil
}

// IsBoolFlag lets the flag package accept a bare --name for bool kinds.
func (v *specValue) IsBoolFlag() bool { return v.spec.Kind == KindBool }

// Get returns the text value; the rebuilt tools only validate.
func (v *specValue) Get() any { return v.value }

// Choices returns the accepted values (none means any), so a rebuilt flag
// is a Chooser like the original.
func (v *specValue) Choices() []string { return v.spec.Choices }
