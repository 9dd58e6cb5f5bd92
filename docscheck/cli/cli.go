// Package cli is docscheck's command line: its flags (published as a
// clispec.Tool so that docs quoting docscheck are checked too), how it finds
// the repository and its config, and the exit status.
package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/docscheck/check"
	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/internal/anchor"
	"github.com/prodproof/prodproof/internal/clispec"
)

// ConfigName is the config file looked up at the repository root.
const ConfigName = "docscheck.json"

// Exit statuses.
const (
	ExitClean    = 0
	ExitFindings = 1
	ExitUsage    = 2
)

type options struct {
	root     string
	config   string
	format   formatFlag
	slug     string
	siteRoot string
	external bool
	timeout  time.Duration
	cache    string
	version  bool
	// strict reports the cases not judged as findings; notJudged lists
	// them on stderr.
	strict    bool
	notJudged bool
}

func flags(o *options) *flag.FlagSet {
	if o.format == "" {
		o.format = formatFlag(finding.Text)
	}
	fs := flag.NewFlagSet("docscheck", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", "", "repository `DIR` (default: the git root of the current folder, else the current folder)")
	fs.StringVar(&o.config, "config", "", "config `FILE` with page contracts and the tools manifest (default: "+ConfigName+" at the root, when present)")
	fs.Var(&o.format, "format", "output `format`: text, json, github (workflow annotations) or sarif (SARIF 2.1.0 for code scanning)")
	fs.StringVar(&o.slug, "slug", "", "anchor `style`: github, vitepress, mkdocs or mkdocs-unicode (default: the config's, else the docs site generator's, else github)")
	fs.StringVar(&o.siteRoot, "site-root", "", "map links starting with / onto this `DIR` as a docs site would")
	fs.BoolVar(&o.external, "external", false, "also fetch http(s) links (off by default: CI is offline)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request `timeout` for --external")
	fs.StringVar(&o.cache, "cache", "", "`FILE` caching --external answers for a day")
	fs.BoolVar(&o.version, "version", false, "print docscheck's version and exit")
	fs.BoolVar(&o.strict, "strict", false, "also report what a rule could not call certainly broken (counted as \"not judged\" otherwise)")
	fs.BoolVar(&o.notJudged, "not-judged", false, "list the cases not judged, with their reasons, on stderr")
	return fs
}

// formatFlag is --format: only a known format is accepted, and the tools
// manifest records the choices, so docs cannot quote an unknown one.
type formatFlag finding.Format

func (f *formatFlag) String() string { return string(*f) }
func (f *formatFlag) Get() any       { return string(*f) }
func (f *formatFlag) Set(s string) error {
	format, err := finding.ParseFormat(s)
	if err != nil {
		return err
	}
	*f = formatFlag(format)
	return nil
}

// Choices lists the formats.
func (f *formatFlag) Choices() []string {
	var out []string
	for _, format := range finding.Formats {
		out = append(out, string(format))
	}
	return out
}

var _ clispec.Chooser = (*formatFlag)(nil)

const usageText = `usage: docscheck [flags] [PATH...]

Verifies that Markdown docs reference only files, anchors, make targets,
scripts, Go packages and tests, npm/yarn/pnpm scripts, cargo crates and
tests, Python modules, tests, pip requirement files, nox sessions, tox
environments, just recipes, and the repository's own commands that
exist. It never runs
what it reads.

PATH... are files or folders relative to the root (default: the root).
A folder means the published pages under it: the root's Markdown files,
.github/, the pages of a published docs site, and the pages they link to.

Exit status: 0 clean, 1 findings, 2 bad usage (unknown flag, bad config,
a PATH that is missing or outside the root).

Flags:
`

// Tool describes docscheck's command line for clispec users (docscheck
// itself, when docs quote docscheck commands).
func Tool() clispec.Tool {
	return clispec.Tool{
		Name:    "docscheck",
		Package: "./docscheck",
		Commands: []clispec.Command{{
			Summary: "verify that Markdown docs reference only things that exist",
			Flags:   func() *flag.FlagSet { return flags(&options{}) },
			Args:    func([]string) error { return nil },
		}},
	}
}

// Run runs docscheck with args (without the program name) and returns the
// exit status. A summary line goes to stderr on every run that checks.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flags(&o)
	fs.SetOutput(stderr)
	// The flag package would print the usage itself on every error,
	// --help included; it is printed here once: on stdout for --help, on
	// stderr after a bad flag.
	fs.Usage = func() {}
	usage := func(w io.Writer) {
		fmt.Fprint(w, usageText)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return ExitClean
		}
		usage(stderr)
		return ExitUsage
	}
	if o.version {
		fmt.Fprintln(stdout, "docscheck", Version())
		return ExitClean
	}
	if o.timeout <= 0 {
		fmt.Fprintln(stderr, "docscheck: --timeout must be positive")
		return ExitUsage
	}
	res, err := run(ctx, o, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "docscheck:", err)
		return ExitUsage
	}
	out := finding.Output{
		Format:  finding.Format(o.format),
		Prefix:  checkoutPrefix(res.root, os.Getenv("GITHUB_WORKSPACE")),
		Version: Version(),
		Source: func(p string) ([]byte, error) {
			return os.ReadFile(filepath.Join(res.root, filepath.FromSlash(p)))
		},
	}
	if err := out.Write(stdout, res.findings, res.stats); err != nil {
		fmt.Fprintln(stderr, "docscheck: write output:", err)
		return ExitUsage
	}
	if o.notJudged {
		for _, f := range res.notJudged {
			fmt.Fprintln(stderr, "not judged:", f.String())
		}
	}
	fmt.Fprintln(stderr, res.stats.Summary(len(res.findings)))
	if len(res.findings) > 0 {
		return ExitFindings
	}
	return ExitClean
}

// Version is the module version docscheck was built as (set by go install
// module@version), else the VCS revision the build stamped, else "devel".
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev[:min(12, len(rev))] + dirty
}

// checkoutPrefix is the root's path inside the checkout, which annotation
// and SARIF consumers resolve paths against: inside GITHUB_WORKSPACE when
// that is set, else inside the nearest parent holding .git. "" when the
// root is the checkout or lies outside it.
func checkoutPrefix(root, workspace string) string {
	base := workspace
	if base == "" {
		base = gitRoot(root)
	}
	if base == "" {
		return ""
	}
	if abs, err := filepath.Abs(base); err == nil {
		base = abs
	}
	rel, err := filepath.Rel(base, root)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	return filepath.ToSlash(rel)
}

// gitRoot is the nearest folder at or above dir holding .git, or "".
func gitRoot(dir string) string {
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

type result struct {
	root      string
	findings  []finding.Finding
	notJudged []finding.Finding
	stats     finding.Stats
}

func run(ctx context.Context, o options, paths []string) (result, error) {
	root, err := findRoot(o.root)
	if err != nil {
		return result{}, err
	}
	rp := repo.New(root)
	cfg, cfgPath, err := loadConfig(root, o.config)
	if err != nil {
		return result{}, err
	}
	style, err := anchor.ParseStyle(cmp.Or(o.slug, cfg.Slug))
	if err != nil {
		return result{}, err
	}
	if o.slug == "" && cfg.Slug == "" {
		style = "" // each page's site generator decides, else GitHub
	}
	opts := check.Options{
		Repo:       rp,
		Slug:       style,
		SiteRoot:   cmp.Or(o.siteRoot, cfg.SiteRoot),
		Contracts:  cfg.Pages,
		Ignore:     cfg.Ignore,
		ConfigPath: cfgPath,
		Strict:     o.strict,
	}
	if cfg.Tools != "" {
		manifest, err := loadManifest(rp, cfgPath, cfg.Tools)
		if err != nil {
			return result{}, err
		}
		opts.Tools = manifest.Build()
		if manifest.Proofs != nil {
			opts.ProofNames = manifest.Proofs.Names
			opts.ProofCommands = manifest.Proofs.Commands
		}
	}
	if opts.ProofNames == nil && slices.ContainsFunc(cfg.Pages, func(c check.Contract) bool { return c.MentionAllProofs }) {
		return result{}, fmt.Errorf("%s: mention_all_proofs needs the proof names of a tools manifest (config key \"tools\")", cfgPath)
	}
	if o.external {
		opts.External = check.NewLinkFetcher(o.timeout, o.cache)
	}
	checker, err := check.New(opts)
	if err != nil {
		return result{}, err
	}
	if len(paths) == 0 {
		paths = []string{"."} // the repository's published pages
	}
	for i, p := range paths {
		if paths[i], err = relativePath(root, p); err != nil {
			return result{}, err
		}
	}
	findings, err := checker.Check(ctx, paths)
	if err != nil {
		return result{}, err
	}
	for _, missing := range checker.MissingPages(paths) {
		findings = append(findings, finding.Finding{
			Path: cfgPath, Line: 1, Col: 1, Rule: "contract-page",
			Message: fmt.Sprintf("page %s has a contract but does not exist", missing),
		})
	}
	return result{root: root, findings: finding.Sort(findings), notJudged: checker.NotJudged(), stats: checker.Stats()}, nil
}

// findRoot picks the repository folder: the flag, else the nearest parent
// of the working folder holding .git, else the working folder.
func findRoot(flagRoot string) (string, error) {
	if flagRoot != "" {
		abs, err := filepath.Abs(flagRoot)
		if err != nil {
			return "", err
		}
		info, err := os.Stat(abs)
		if err != nil || !info.IsDir() {
			return "", fmt.Errorf("--root %s: not a folder", flagRoot)
		}
		return abs, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return cmp.Or(gitRoot(wd), wd), nil
}

// loadConfig reads the config named by the flag, or the root's
// docscheck.json when there is one. The path returned is for messages.
func loadConfig(root, flagPath string) (check.Config, string, error) {
	p := flagPath
	if p == "" {
		p = filepath.Join(root, ConfigName)
		if _, err := os.Stat(p); err != nil {
			return check.Config{}, ConfigName, nil
		}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return check.Config{}, "", fmt.Errorf("read config: %w", err)
	}
	cfg, err := check.ParseConfig(data)
	if err != nil {
		return check.Config{}, "", fmt.Errorf("%s: %w", p, err)
	}
	rel := p
	if abs, err := filepath.Abs(p); err == nil {
		if r, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(r, "..") {
			rel = filepath.ToSlash(r)
		}
	}
	return cfg, rel, nil
}

// loadManifest reads the tools manifest the config names, relative to the
// root.
func loadManifest(rp *repo.Repo, cfgPath, rel string) (clispec.Manifest, error) {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.ToSlash(filepath.Clean(rel)), "../") {
		return clispec.Manifest{}, fmt.Errorf("%s: tools %s must be a path inside the repository", cfgPath, rel)
	}
	data, err := os.ReadFile(filepath.Join(rp.Root(), filepath.FromSlash(rel)))
	if err != nil {
		return clispec.Manifest{}, fmt.Errorf("%s: tools: %w", cfgPath, err)
	}
	m, err := clispec.ParseManifest(data)
	if err != nil {
		return clispec.Manifest{}, fmt.Errorf("%s: %w", rel, err)
	}
	return m, nil
}

// relativePath turns a PATH argument (absolute, or relative to the root)
// into a root-relative slash path; a path leaving the root is bad usage.
func relativePath(root, p string) (string, error) {
	r := filepath.Clean(p)
	if filepath.IsAbs(p) {
		var err error
		if r, err = filepath.Rel(root, p); err != nil {
			return "", fmt.Errorf("%s is outside the repository %s", p, root)
		}
	}
	if r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository %s", p, root)
	}
	return filepath.ToSlash(r), nil
}
