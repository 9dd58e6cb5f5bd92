// Package cli is the command-line surface of the proofs runner: its
// subcommands, flags and positional arguments. The runner parses its
// arguments through Tool, and docscheck reads the same value to verify the
// commands quoted in docs.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodproof/prodproof/internal/clispec"
	"github.com/prodproof/prodproof/internal/pgprovision"
	"github.com/prodproof/prodproof/internal/suggest"
	"github.com/prodproof/prodproof/proofs/catalog"
	"github.com/prodproof/prodproof/proofs/mutant"
)

// Flag names, shared by the runner and its docs.
const (
	FlagJSON            = "json"
	FlagDB              = "db"
	FlagReport          = "report"
	FlagResetExistingDB = "reset-existing-db"
	FlagJUnit           = "junit"
	FlagDockerImage     = "docker-image"

	FlagGenerated = "generated"
	FlagSample    = "sample"
	FlagIDs       = "ids"

	FlagJobs      = "jobs"
	FlagSeed      = "seed"
	FlagInstances = "instances"
	FlagRate      = "rate"
	FlagSettle    = "settle"

	FlagDuration     = "duration"
	FlagHealthStrict = "health-strict"
)

// Load defaults.
const (
	DefaultLoadDuration = time.Minute
	DefaultLoadRate     = 100
)

// Soak defaults.
const (
	DefaultSoakJobs      = 5000
	DefaultSoakInstances = 3
	DefaultSoakRate      = 50
	DefaultSoakSettle    = 2 * time.Minute
)

// DefaultReportDir is where `proofs run` writes evidence unless told.
const DefaultReportDir = "report"

// ErrUnknownProof is wrapped by the run command's argument check when a name
// is not a registered proof.
var ErrUnknownProof = errors.New("unknown proof")

// Tool describes the proofs runner. Its run command checks proof names
// against the catalog, which is what docscheck needs.
func Tool() clispec.Tool { return ToolResolving(CheckProofNames) }

// ToolResolving is Tool whose run command hands its proof names, at parse
// time, to resolve: the runner turns each name there, once, into the proof
// it runs (see Resolve).
func ToolResolving(resolve func(names []string) error) clispec.Tool {
	return clispec.Tool{
		Name:    "proofs",
		Package: "./proofs",
		Commands: []clispec.Command{
			{
				Path:    []string{"list"},
				Summary: "List the named proofs and their claims.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs list", flag.ContinueOnError)
					fs.Bool(FlagJSON, false, "print a JSON array of {name, claim, reproduce}")
					return fs
				},
			},
			{
				Path:    []string{"run"},
				Summary: "Run the named proofs (default: all, in catalog order) and write the report.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs run", flag.ContinueOnError)
					addSessionFlags(fs, "database source: auto|url|docker|local (auto: url if DATABASE_URL is set, else docker if a daemon answers, else local)", "folder to write results.json, history.ndjson and scenarios/ into", "allow the url source to drop and recreate schema public of DATABASE_URL's database before each proof (destroys its data)")
					fs.String(FlagJUnit, "", "also write the verdicts as JUnit XML to this file (one testcase per proof); with GITHUB_STEP_SUMMARY set, a Markdown table is appended there too")
					return fs
				},
				Args: resolve,
			},
			{
				Path:    []string{"mutants"},
				Summary: "Apply each curated claim-breaking change to a scratch copy of the repository, run the proofs that must catch it, and fail if one survives.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs mutants", flag.ContinueOnError)
					addSessionFlags(fs, "database source: auto|url|docker|local, as for run", "report folder; the run writes mutants.json and mutants/ into it (generated-mutants.json with --generated)", "allow the url source to drop and recreate schema public of DATABASE_URL's database before each proof (destroys its data)")
					fs.Bool(FlagGenerated, false, "instead of the curated mutants, generate mutants of backend/ and migrations/ (go/ast operators) and judge each by the proofs whose coverage reaches its line")
					fs.Int(FlagSample, 0, "with --generated: judge a random sample of this many mutants (0: all of them)")
					fs.Int64(FlagSeed, 1, "with --generated --sample: seed of the sample draw")
					fs.String(FlagIDs, "", "with --generated, instead of --sample: judge exactly the mutants whose ids this file lists, one a line (# comments and blank lines ignored), e.g. the survivors of an earlier run")
					return fs
				},
				Args: CheckMutantNames,
			},
			{
				Path:    []string{"load"},
				Summary: "Drive one backend at a steady rate; fail on an error, on memory, threads, files or database sessions that grow, or (with --health-strict) on a /health over 50 ms. Writes load/.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs load", flag.ContinueOnError)
					fs.Duration(FlagDuration, DefaultLoadDuration, "how long to drive the backend")
					fs.Int(FlagRate, DefaultLoadRate, "job posts per second, each followed by a GET")
					fs.Bool(FlagHealthStrict, false, "require every /health probe under 50 ms (for a run on a quiet machine)")
					addSessionFlags(fs, "database source: auto|url|docker|local, as for run", "report folder; the load run writes its evidence and load.json into its load/ folder", "allow the url source to drop and recreate schema public of DATABASE_URL's database (destroys its data)")
					return fs
				},
			},
			{
				Path:    []string{"soak"},
				Summary: "Post jobs to several backends while killing, restarting and cutting them off the database; check nothing was lost, done twice or leaked.",
				Flags: func() *flag.FlagSet {
					fs := flag.NewFlagSet("proofs soak", flag.ContinueOnError)
					fs.Int(FlagJobs, DefaultSoakJobs, "how many jobs the client posts")
					fs.Int64(FlagSeed, 0, "seed of the fault and chaos schedule (0: pick one and print it)")
					fs.Int(FlagInstances, DefaultSoakInstances, "backend instances sharing the database (2 or 3)")
					fs.Int(FlagRate, DefaultSoakRate, "jobs posted per second")
					fs.Duration(FlagSettle, DefaultSoakSettle, "deadline for every job to finish and every instance to report ok once the chaos stops")
					addSessionFlags(fs, "database source: auto|url|docker|local, as for run", "report folder; the soak writes into its soak/ folder", "allow the url source to drop and recreate schema public of DATABASE_URL's database (destroys its data)")
					return fs
				},
			},
		},
	}
}

// dockerImageUsage is --docker-image's help, shared by run and soak.
var dockerImageUsage = "image the docker source runs, NAME[:TAG] (default $" + pgprovision.DockerImageEnv + ", else " + pgprovision.DefaultDockerImage + "); it must behave like the official postgres image"

// RunOptions are the parsed flags of `proofs run`.
type RunOptions struct {
	DB              string
	DockerImage     string // as given; see DockerImage
	ReportDir       string
	ResetExistingDB bool
	// JUnit is the JUnit XML file to write, or "" (run only).
	JUnit string
	Names []string
	// Generated, Sample, Seed and IDsFile: mutants --generated (mutants
	// only).
	Generated bool
	Sample    int
	Seed      int64
	IDsFile   string
}

// LoadOptions are the parsed flags of `proofs load` beyond RunOptions.
type LoadOptions struct {
	Duration     time.Duration
	Rate         int
	HealthStrict bool
}

// ParseLoadOptions reads the load command's own values from its parsed
// flag set.
func ParseLoadOptions(fs *flag.FlagSet) LoadOptions {
	o := LoadOptions{HealthStrict: fs.Lookup(FlagHealthStrict).Value.String() == "true"}
	o.Duration, _ = time.ParseDuration(fs.Lookup(FlagDuration).Value.String())
	o.Rate, _ = strconv.Atoi(fs.Lookup(FlagRate).Value.String())
	return o
}

// ParseRunOptions reads the run command's values from its parsed flag set.
func ParseRunOptions(fs *flag.FlagSet) RunOptions {
	return RunOptions{
		DB:              fs.Lookup(FlagDB).Value.String(),
		DockerImage:     fs.Lookup(FlagDockerImage).Value.String(),
		ReportDir:       fs.Lookup(FlagReport).Value.String(),
		ResetExistingDB: fs.Lookup(FlagResetExistingDB).Value.String() == "true",
		JUnit:           lookupString(fs, FlagJUnit),
		Names:           fs.Args(),
		Generated:       lookupString(fs, FlagGenerated) == "true",
		Sample:          lookupInt(fs, FlagSample),
		Seed:            int64(lookupInt(fs, FlagSeed)),
		IDsFile:         lookupString(fs, FlagIDs),
	}
}

// lookupInt is a numeric flag's value, or 0 when the command has no such flag.
func lookupInt(fs *flag.FlagSet, name string) int {
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			switch v := g.Get().(type) {
			case int:
				return v
			case int64:
				return int(v)
			}
		}
	}
	return 0
}

// lookupString is a flag's value, or "" when the command has no such flag.
func lookupString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

// SoakOptions are the parsed flags of `proofs soak`.
type SoakOptions struct {
	Jobs            int
	Seed            int64
	Instances       int
	Rate            int
	Settle          time.Duration
	DB              string
	DockerImage     string // as given; see DockerImage
	ReportDir       string
	ResetExistingDB bool
}

// ParseSoakOptions reads the soak command's values from its parsed flag set.
func ParseSoakOptions(fs *flag.FlagSet) SoakOptions {
	get := func(name string) any { return fs.Lookup(name).Value.(flag.Getter).Get() }
	return SoakOptions{
		Jobs:            get(FlagJobs).(int),
		Seed:            get(FlagSeed).(int64),
		Instances:       get(FlagInstances).(int),
		Rate:            get(FlagRate).(int),
		Settle:          get(FlagSettle).(time.Duration),
		DB:              get(FlagDB).(string),
		DockerImage:     get(FlagDockerImage).(string),
		ReportDir:       get(FlagReport).(string),
		ResetExistingDB: get(FlagResetExistingDB).(bool),
	}
}

// CheckProofNames accepts registered proof names only. The error lists the
// valid names and, when one is close, suggests it.
func CheckProofNames(names []string) error {
	_, err := Resolve(names, catalog.Proofs, func(p catalog.Proof) string { return p.Name })
	return err
}

// Resolve turns proof names as given on the command line into entries of
// registry, a list in catalog order: all of it when names is empty, else
// each name once, in the order given. An unknown name is ErrUnknownProof,
// with the valid names and, when one is close, a suggestion.
func Resolve[P any](names []string, registry []P, nameOf func(P) string) ([]P, error) {
	if len(names) == 0 {
		return slices.Clone(registry), nil
	}
	valid := make([]string, len(registry))
	for i, p := range registry {
		valid[i] = nameOf(p)
	}
	var out []P
	var chosen []string
	for _, name := range names {
		i := slices.Index(valid, name)
		if i < 0 {
			return nil, checkNames([]string{name}, valid, ErrUnknownProof, "proofs")
		}
		if !slices.Contains(chosen, name) {
			chosen = append(chosen, name)
			out = append(out, registry[i])
		}
	}
	return out, nil
}

// ErrUnknownMutant is wrapped by the mutants command's argument check when a
// name is not a curated mutant.
var ErrUnknownMutant = errors.New("unknown mutant")

// CheckMutantNames accepts curated mutant names only.
func CheckMutantNames(names []string) error {
	return checkNames(names, mutant.Names(), ErrUnknownMutant, "mutants")
}

// checkNames returns unknown wrapping the first of names not in valid, with
// the valid names and, when one is close, a suggestion.
func checkNames(names, valid []string, unknown error, kind string) error {
	for _, name := range names {
		if slices.Contains(valid, name) {
			continue
		}
		hint := ""
		if s := suggest.Nearest(name, valid); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return fmt.Errorf("%w %q%s\nvalid %s:\n  %s", unknown, name, hint, kind, strings.Join(valid, "\n  "))
	}
	return nil
}

// sourceFlag is --db: it accepts only a source the provisioner knows, so a
// typo is a usage error (and docscheck flags it in docs) rather than a
// failure after the build.
type sourceFlag string

func newSourceFlag() *sourceFlag {
	v := sourceFlag(pgprovision.SourceAuto)
	return &v
}

func (v *sourceFlag) String() string { return string(*v) }

// Get makes the value readable through flag.Getter like the other flags.
func (v *sourceFlag) Get() any { return string(*v) }

// Choices lists the accepted sources for the tools manifest docscheck reads.
func (v *sourceFlag) Choices() []string {
	names := make([]string, len(pgprovision.Sources))
	for i, s := range pgprovision.Sources {
		names[i] = string(s)
	}
	return names
}

var _ clispec.Chooser = (*sourceFlag)(nil)

func (v *sourceFlag) Set(s string) error {
	src, err := pgprovision.ParseSource(s)
	if err != nil {
		return err
	}
	*v = sourceFlag(src)
	return nil
}

// dockerImageFlag is --docker-image: a malformed reference is a usage
// error, not a failed pull after the build.
type dockerImageFlag string

func (v *dockerImageFlag) String() string { return string(*v) }

// Get makes the value readable through flag.Getter like the other flags.
func (v *dockerImageFlag) Get() any { return string(*v) }

func (v *dockerImageFlag) Set(s string) error {
	if _, _, err := pgprovision.ParseDockerImage(s); err != nil {
		return err
	}
	*v = dockerImageFlag(s)
	return nil
}

// DockerImage is the image the docker source is to run: the flag's value,
// else the environment variable pgprovision.DockerImageEnv, else "" (the
// provisioner's default). A malformed environment value is an error naming
// the variable.
func DockerImage(flagValue string, getenv func(string) string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	image := getenv(pgprovision.DockerImageEnv)
	if image == "" {
		return "", nil
	}
	if _, _, err := pgprovision.ParseDockerImage(image); err != nil {
		return "", fmt.Errorf("%s: %w", pgprovision.DockerImageEnv, err)
	}
	return image, nil
}

// addSessionFlags adds the flags every command that starts a session takes
// (database source, docker image, report folder, reset consent), with each
// command's own words for what they mean to it.
func addSessionFlags(fs *flag.FlagSet, dbUsage, reportUsage, resetUsage string) {
	fs.Var(newSourceFlag(), FlagDB, dbUsage)
	fs.Var(new(dockerImageFlag), FlagDockerImage, dockerImageUsage)
	fs.String(FlagReport, DefaultReportDir, reportUsage)
	fs.Bool(FlagResetExistingDB, false, resetUsage)
}
