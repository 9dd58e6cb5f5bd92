// Package cli is the website tool's command line: its subcommands and flags
// (Tool) and what each does (Run, which website's main calls). Run parses
// through Tool, and docscheck reads the same value, so the docs cannot quote
// a flag the tool lacks.
package cli

import (
	"flag"
	"strings"

	"github.com/prodproof/prodproof/internal/clispec"
)

// Defaults shared by the flags and the docs.
const (
	DefaultReport   = "report"
	DefaultOut      = "site"
	DefaultDocs     = "docs"
	DefaultReadme   = "README.md"
	DefaultAddr     = "127.0.0.1:8080"
	DefaultLogLines = 40
	// DefaultBench are the benchmark's results files whose growth curve
	// the benchmarks page plots.
	DefaultBench = "bench/results.json,bench/results-large.json"
)

// Tool returns the website tool's command-line surface.
func Tool() clispec.Tool {
	return clispec.Tool{
		Name:    "website",
		Package: "./website",
		Commands: []clispec.Command{
			{
				Path:    []string{"build"},
				Summary: "render docs/, README.md and the proofs report into a static site",
				Flags:   buildFlags,
			},
			{
				Path:    []string{"serve"},
				Summary: "serve a built site on a loopback address",
				Flags:   serveFlags,
			},
		},
	}
}

// BuildOptions are the parsed flags of `website build`.
type BuildOptions struct {
	Report   string // report folder written by the proofs runner
	Out      string // folder the site is written to (replaced)
	Docs     string // Markdown folder rendered as docs pages
	Readme   string // README rendered as a page; "" skips it
	Commit   string // checked-out commit to compare the report with; "" asks git
	LogLines int    // backend log lines shown on a proof page
	// Bench are the benchmark results files plotted on the benchmarks
	// page; missing ones are skipped.
	Bench []string
}

// ServeOptions are the parsed flags of `website serve`.
type ServeOptions struct {
	Dir  string // built site folder
	Addr string // listen address
}

func buildFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("website build", flag.ContinueOnError)
	fs.String("report", DefaultReport, "proofs report `folder` (results.json, history.ndjson, scenarios/)")
	fs.String("out", DefaultOut, "output `folder`; its previous content is replaced")
	fs.String("docs", DefaultDocs, "Markdown `folder` rendered as docs pages")
	fs.String("readme", DefaultReadme, "README `file` rendered as a page; empty to leave it out")
	fs.String("commit", "", "checked-out `commit` the report is compared with (default: git rev-parse HEAD)")
	fs.Int("log-lines", DefaultLogLines, "backend log `lines` shown on each proof page")
	fs.String("bench", DefaultBench, "comma-separated benchmark results `files` whose growth curve the benchmarks page plots; missing ones are skipped")
	return fs
}

func serveFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("website serve", flag.ContinueOnError)
	fs.String("dir", DefaultOut, "built site `folder`")
	fs.String("addr", DefaultAddr, "listen `address` (host:port; port 0 picks a free one)")
	return fs
}

// Build reads the options of `website build` from a flag set that Tool's
// build command parsed.
func Build(fs *flag.FlagSet) BuildOptions {
	return BuildOptions{
		Report:   value(fs, "report"),
		Out:      value(fs, "out"),
		Docs:     value(fs, "docs"),
		Readme:   value(fs, "readme"),
		Commit:   value(fs, "commit"),
		LogLines: fs.Lookup("log-lines").Value.(flag.Getter).Get().(int),
		Bench:    splitList(value(fs, "bench")),
	}
}

// Serve reads the options of `website serve` from a flag set that Tool's
// serve command parsed.
func Serve(fs *flag.FlagSet) ServeOptions {
	return ServeOptions{Dir: value(fs, "dir"), Addr: value(fs, "addr")}
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func value(fs *flag.FlagSet, name string) string {
	return fs.Lookup(name).Value.String()
}
