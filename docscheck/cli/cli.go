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
	"slices"
	"strings"
	"time"

	"github.com/prodproof/prodproof/docscheck/check"
	"github.com/prodproof/prodproof/docscheck/finding"
	"github.com/prodproof/prodproof/docscheck/repo"
	"github.com/prodproof/prodproof/docscheck/slug"
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

// DefaultPaths are checked when no PATH is given.
var DefaultPaths = []string{"README.md", "docs"}

type options struct {
	root     string
	config   string
	format   string
	slug     string
	siteRoot string
	external bool
	timeout  time.Duration
	cache    string
}

func flags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("docscheck", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", "", "repository `DIR` (default: the git root of the current folder, else the current folder)")
	fs.StringVar(&o.config, "config", "", "config `FILE` with page contracts (default: "+ConfigName+" at the root, when present)")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or github")
	fs.StringVar(&o.slug, "slug", "", "anchor `style`: github or vitepress (default: the config's, else github)")
	fs.StringVar(&o.siteRoot, "site-root", "", "map links starting with / onto this `DIR` as a docs site would")
	fs.BoolVar(&o.external, "external", false, "also fetch http(s) links (off by default: CI is offline)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request `timeout` for --external")
	fs.StringVar(&o.cache, "cache", "", "`FILE` caching --external answers for a day")
	return fs
}

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
// exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flags(&o)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: docscheck [--root DIR] [--config FILE] [--format text|json|github] [PATH...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitClean
		}
		return ExitUsage
	}
	format, err := finding.ParseFormat(o.format)
	if err != nil {
		fmt.Fprintln(stderr, "docscheck:", err)
		return ExitUsage
	}
	findings, files, err := run(ctx, o, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "docscheck:", err)
		return ExitUsage
	}
	if err := finding.Write(stdout, format, findings, files); err != nil {
		fmt.Fprintln(stderr, "docscheck: write output:", err)
		return ExitUsage
	}
	if len(findings) > 0 {
		if format != finding.JSON {
			fmt.Fprintf(stderr, "docscheck: %d finding(s) in %d file(s) checked\n", len(findings), files)
		}
		return ExitFindings
	}
	return ExitClean
}

func run(ctx context.Context, o options, paths []string) ([]finding.Finding, int, error) {
	root, err := findRoot(o.root)
	if err != nil {
		return nil, 0, err
	}
	rp := repo.New(root)
	cfg, cfgPath, err := loadConfig(root, o.config)
	if err != nil {
		return nil, 0, err
	}
	style, err := slug.ParseStyle(cmp.Or(o.slug, cfg.Slug))
	if err != nil {
		return nil, 0, err
	}
	opts := check.Options{
		Repo:      rp,
		Slug:      style,
		SiteRoot:  cmp.Or(o.siteRoot, cfg.SiteRoot),
		Contracts: cfg.Pages,
	}
	if cfg.Tools != "" {
		manifest, err := loadManifest(rp, cfgPath, cfg.Tools)
		if err != nil {
			return nil, 0, err
		}
		opts.Tools = manifest.Build()
		if manifest.Proofs != nil {
			opts.ProofNames = manifest.Proofs.Names
			opts.ProofCommands = manifest.Proofs.Commands
		}
	}
	if opts.ProofNames == nil && slices.ContainsFunc(cfg.Pages, func(c check.Contract) bool { return c.MentionAllProofs }) {
		return nil, 0, fmt.Errorf("%s: mention_all_proofs needs the proof names of a tools manifest (config key \"tools\")", cfgPath)
	}
	if o.external {
		opts.External = check.NewLinkFetcher(o.timeout, o.cache)
	}
	checker, err := check.New(opts)
	if err != nil {
		return nil, 0, err
	}
	if len(paths) == 0 {
		for _, p := range DefaultPaths {
			if rp.Stat(p) != repo.Missing {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			return nil, 0, fmt.Errorf("nothing to check: neither README.md nor docs/ exists in %s", root)
		}
	}
	for i, p := range paths {
		if paths[i], err = relativePath(root, p); err != nil {
			return nil, 0, err
		}
	}
	files, err := checker.Files(paths)
	if err != nil {
		return nil, 0, err
	}
	findings, err := checker.Run(ctx, files)
	if err != nil {
		return nil, 0, err
	}
	for _, missing := range checker.MissingPages(paths) {
		findings = append(findings, finding.Finding{
			Path: cfgPath, Line: 1, Col: 1, Rule: "contract-page",
			Message: fmt.Sprintf("page %s has a contract but does not exist", missing),
		})
	}
	return finding.Sort(findings), len(files), nil
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
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return wd, nil
		}
	}
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

// relativePath turns a PATH argument into a root-relative slash path.
func relativePath(root, p string) (string, error) {
	if !filepath.IsAbs(p) {
		return filepath.ToSlash(filepath.Clean(p)), nil
	}
	r, err := filepath.Rel(root, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return "", fmt.Errorf("%s is outside the repository %s", p, root)
	}
	return filepath.ToSlash(r), nil
}
