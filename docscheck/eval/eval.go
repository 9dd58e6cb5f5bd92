package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prodproof/prodproof/docscheck/finding"
)

// The halves of the corpus: rules may be tuned on the first only. Rounds 2
// to lastRound are further corpora, each all held out (README.md, "Round 2"
// onwards); a new round raises lastRound.
const (
	halfTune    = "tune"
	halfHeldOut = "heldout"
	halfRound2  = "round2"
	lastRound   = 113
)

// emptyRounds are the rounds whose selection delivered no repository
// (README.md says what the rule dropped): they have no corpus and no half.
var emptyRounds = []int{86}

// halves lists every half in the order the report prints them.
var halves = func() []string {
	all := []string{halfTune, halfHeldOut}
	for n := 2; n <= lastRound; n++ {
		if !slices.Contains(emptyRounds, n) {
			all = append(all, fmt.Sprintf("round%d", n))
		}
	}
	return all
}()

// evalFiles returns the files of one kind in the eval folder: kind.tsv and
// every kind-*.tsv beside it (one per corpus round), sorted by name, so
// that each round keeps its corpus, labels and plants in files of its own.
func evalFiles(dir, kind string) ([]string, error) {
	more, err := filepath.Glob(filepath.Join(dir, kind+"-*.tsv"))
	if err != nil {
		return nil, err
	}
	slices.Sort(more)
	return append([]string{filepath.Join(dir, kind+".tsv")}, more...), nil
}

// loadEach runs load on every file evalFiles names and joins the rows; a
// missing kind.tsv is an error only when required.
func loadEach[T any](dir, kind string, required bool, load func(string) ([]T, error)) ([]T, error) {
	paths, err := evalFiles(dir, kind)
	if err != nil {
		return nil, err
	}
	var all []T
	for i, p := range paths {
		rows, err := load(p)
		if i == 0 && !required && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
	}
	return all, nil
}

// Verdicts a label gives a finding.
const (
	verdictReal   = "real"   // a reader following the page would hit it
	verdictFalse  = "false"  // a false alarm
	verdictUnsure = "unsure" // could not be judged from the repository
)

// repository is one row of corpus.tsv.
type repository struct {
	Name      string // owner/name
	Commit    string
	Half      string
	Ecosystem string
}

// folder is the repository's folder name in the corpus folder.
func (r repository) folder() string { return strings.ReplaceAll(r.Name, "/", "+") }

// label is one row of labels.tsv: the verdict on every finding of Rule at
// Path:Line in Repo at Commit.
type label struct {
	Repo, Commit, Path string
	Line               int
	Rule, Verdict      string
	Reason             string
}

// labelKey identifies the findings one label covers.
type labelKey struct {
	repo, path string
	line       int
	rule       string
}

// plant is one row of plants.tsv: a breakage planted in a scratch copy of a
// repository. Append is added at the end of Page (with `\n` for newlines)
// and Line counts from its first line; without Append, Line is a line of
// Page as it is. Delete names a file removed from the copy first.
type plant struct {
	ID, Repo, Kind, Page string
	Append               string
	Line                 int
	Delete               string
}

// readTSV reads a tab-separated file, skipping blank lines and lines that
// start with '#'; each row must have between minCols and maxCols fields.
func readTSV(path string, minCols, maxCols int) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < minCols || len(cols) > maxCols {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d to %d", path, n, len(cols), minCols, maxCols)
		}
		rows = append(rows, cols)
	}
	return rows, sc.Err()
}

func loadCorpus(path string) ([]repository, error) {
	rows, err := readTSV(path, 4, 4)
	if err != nil {
		return nil, err
	}
	var repos []repository
	for _, c := range rows {
		if !slices.Contains(halves, c[2]) {
			return nil, fmt.Errorf("%s: %s: half %q is not one of %s", path, c[0], c[2], strings.Join(halves, ", "))
		}
		repos = append(repos, repository{Name: c[0], Commit: c[1], Half: c[2], Ecosystem: c[3]})
	}
	return repos, nil
}

func loadLabels(path string) ([]label, error) {
	rows, err := readTSV(path, 6, 6)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var labels []label
	for _, c := range rows {
		p, l, ok := strings.Cut(c[2], ":")
		line, err := strconv.Atoi(l)
		if !ok || err != nil {
			return nil, fmt.Errorf("%s: %q is not path:line", path, c[2])
		}
		switch c[4] {
		case verdictReal, verdictFalse, verdictUnsure:
		default:
			return nil, fmt.Errorf("%s: %s %s: verdict %q is not real, false or unsure", path, c[0], c[2], c[4])
		}
		labels = append(labels, label{Repo: c[0], Commit: c[1], Path: p, Line: line, Rule: c[3], Verdict: c[4], Reason: c[5]})
	}
	return labels, nil
}

func loadPlants(path string) ([]plant, error) {
	rows, err := readTSV(path, 6, 7)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var plants []plant
	for _, c := range rows {
		line, err := strconv.Atoi(c[5])
		if err != nil || line < 1 {
			return nil, fmt.Errorf("%s: %s: line %q is not a positive number", path, c[0], c[5])
		}
		p := plant{ID: c[0], Repo: c[1], Kind: c[2], Page: c[3], Append: strings.ReplaceAll(c[4], `\n`, "\n"), Line: line}
		if len(c) == 7 {
			p.Delete = c[6]
		}
		plants = append(plants, p)
	}
	return plants, nil
}

// output is the part of docscheck's --format json document read here.
type output struct {
	Findings []finding.Finding `json:"findings"`
}

// errDidNotFinish is returned by runDocscheck when the run outlasted its
// time limit and was killed: a tree docscheck never finishes on (round 7
// met one) must not stop the whole measurement.
var errDidNotFinish = errors.New("did not finish")

// runDocscheck runs bin over the tree at dir as a new user would and returns
// its findings. Exit status 0 (clean) and 1 (findings) are both answers.
// A positive limit kills the run after that long (errDidNotFinish).
func runDocscheck(ctx context.Context, bin, dir string, limit time.Duration) ([]byte, []finding.Finding, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, bin, "--root", abs, "--format", "json", ".")
	cmd.Dir = abs
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A killed run's children may still hold its output open; do not wait
	// for them.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	if limit > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, nil, fmt.Errorf("%s in %s: %w after %v", bin, dir, errDidNotFinish, limit)
	}
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, nil, fmt.Errorf("%s in %s: %v: %s", bin, dir, err, strings.TrimSpace(stderr.String()))
	}
	var out output
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, nil, fmt.Errorf("%s in %s: output is not docscheck JSON: %v", bin, dir, err)
	}
	return stdout.Bytes(), out.Findings, nil
}

// measurement is one run of one docscheck binary over the corpus.
type measurement struct {
	bin, corpusDir, evalDir, half, saveDir string
	timeout                                time.Duration // per docscheck run; 0: none
}

// repoResult is one repository's row of the report.
type repoResult struct {
	repository
	findings            int
	real, false, unsure int
	unlabeled           []finding.Finding
	staleLabels         int // labels of this repository for another commit
	plants, plantsFound int
	missing             bool // not checked out in the corpus folder
	notAClone           bool // checked out without the .git/ files a clone leaves
	unfinished          bool // the docscheck run outlasted --timeout
}

// report is everything one measurement prints.
type report struct {
	bin    string
	repos  []repoResult
	plants []plantResult
}

type plantResult struct {
	plant
	half  string
	found *finding.Finding // nil when docscheck missed it
	err   error
}

func (m measurement) run(ctx context.Context, withPlants bool) (*report, error) {
	repos, err := loadEach(m.evalDir, "corpus", true, loadCorpus)
	if err != nil {
		return nil, err
	}
	labels, err := loadEach(m.evalDir, "labels", false, loadLabels)
	if err != nil {
		return nil, err
	}
	plants, err := loadEach(m.evalDir, "plants", false, loadPlants)
	if err != nil {
		return nil, err
	}
	commits := map[string]string{}
	for _, r := range repos {
		commits[r.Name] = r.Commit
	}
	byKey := map[labelKey]label{}
	stale := map[string]int{}
	for _, l := range labels {
		if commits[l.Repo] != l.Commit {
			stale[l.Repo]++
			continue
		}
		byKey[labelKey{l.Repo, l.Path, l.Line, l.Rule}] = l
	}
	if m.saveDir != "" {
		if err := os.MkdirAll(m.saveDir, 0o755); err != nil {
			return nil, err
		}
	}
	rep := &report{bin: m.bin}
	halfOf := map[string]string{}
	for _, r := range repos {
		if _, dup := halfOf[r.Name]; dup {
			return nil, fmt.Errorf("corpus: %s is listed twice", r.Name)
		}
		halfOf[r.Name] = r.Half
		if m.half != "" && r.Half != m.half {
			continue
		}
		res := repoResult{repository: r, staleLabels: stale[r.Name]}
		dir := filepath.Join(m.corpusDir, r.folder())
		if _, err := os.Stat(dir); err != nil {
			res.missing = true
			rep.repos = append(rep.repos, res)
			continue
		}
		if !clonesFiles(dir) {
			res.notAClone = true
			rep.repos = append(rep.repos, res)
			continue
		}
		raw, fs, err := runDocscheck(ctx, m.bin, dir, m.timeout)
		if errors.Is(err, errDidNotFinish) {
			res.unfinished = true
			rep.repos = append(rep.repos, res)
			continue
		}
		if err != nil {
			return nil, err
		}
		if m.saveDir != "" {
			if err := os.WriteFile(filepath.Join(m.saveDir, r.folder()+".json"), raw, 0o644); err != nil {
				return nil, err
			}
		}
		res.findings = len(fs)
		for _, f := range fs {
			l, ok := byKey[labelKey{r.Name, f.Path, f.Line, f.Rule}]
			switch {
			case !ok:
				res.unlabeled = append(res.unlabeled, f)
			case l.Verdict == verdictReal:
				res.real++
			case l.Verdict == verdictFalse:
				res.false++
			default:
				res.unsure++
			}
		}
		rep.repos = append(rep.repos, res)
	}
	if !withPlants {
		return rep, nil
	}
	for _, p := range plants {
		h, ok := halfOf[p.Repo]
		if !ok {
			return nil, fmt.Errorf("plants.tsv: %s: repository %s is not in corpus.tsv", p.ID, p.Repo)
		}
		if m.half != "" && h != m.half {
			continue
		}
		res := plantResult{plant: p, half: h}
		res.found, res.err = m.runPlant(ctx, p)
		rep.plants = append(rep.plants, res)
		for i := range rep.repos {
			if rep.repos[i].Name == p.Repo && res.err == nil {
				rep.repos[i].plants++
				if res.found != nil {
					rep.repos[i].plantsFound++
				}
			}
		}
	}
	return rep, nil
}

// clonesFiles reports whether a checkout holds the .git/config and
// .git/HEAD every clone has: docscheck reads the repository's own
// github.com address and branch from them, so a checkout without them
// measures a docscheck no user runs (README.md, "Checkouts").
func clonesFiles(dir string) bool {
	for _, name := range []string{"config", "HEAD"} {
		if fi, err := os.Stat(filepath.Join(dir, ".git", name)); err != nil || !fi.Mode().IsRegular() {
			return false
		}
	}
	return true
}

// runPlant copies the repository to a scratch folder, plants the breakage
// and returns docscheck's finding at the planted line (nil if none).
func (m measurement) runPlant(ctx context.Context, p plant) (*finding.Finding, error) {
	src := filepath.Join(m.corpusDir, strings.ReplaceAll(p.Repo, "/", "+"))
	if !clonesFiles(src) {
		return nil, fmt.Errorf("plant %s: %s is not a clone's checkout (no .git/config or .git/HEAD)", p.ID, src)
	}
	tmp, err := os.MkdirTemp("", "docscheck-plant-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dst := filepath.Join(tmp, filepath.Base(src))
	if err := copyTree(src, dst); err != nil {
		return nil, fmt.Errorf("plant %s: copy: %w", p.ID, err)
	}
	if p.Delete != "" {
		if err := os.Remove(filepath.Join(dst, filepath.FromSlash(p.Delete))); err != nil {
			return nil, fmt.Errorf("plant %s: %w", p.ID, err)
		}
	}
	line := p.Line
	if p.Append != "" {
		page := filepath.Join(dst, filepath.FromSlash(p.Page))
		body, err := os.ReadFile(page)
		if err != nil {
			return nil, fmt.Errorf("plant %s: %w", p.ID, err)
		}
		if len(body) > 0 && body[len(body)-1] != '\n' {
			body = append(body, '\n')
		}
		line += bytes.Count(body, []byte("\n"))
		body = append(body, p.Append...)
		if !strings.HasSuffix(p.Append, "\n") {
			body = append(body, '\n')
		}
		if err := os.WriteFile(page, body, 0o644); err != nil {
			return nil, err
		}
	}
	_, fs, err := runDocscheck(ctx, m.bin, dst, m.timeout)
	if err != nil {
		return nil, fmt.Errorf("plant %s: %w", p.ID, err)
	}
	for _, f := range fs {
		if f.Path == p.Page && f.Line == line {
			return &f, nil
		}
	}
	return nil, nil
}

// copyTree copies regular files, folders and symbolic links (as links).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			in, err := os.Open(path)
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, in); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		}
		return nil
	})
}

// precision is real ÷ judged findings, as a whole percentage, or "–" when
// nothing was judged.
func precision(real, judged int) string {
	if judged == 0 {
		return "–"
	}
	return fmt.Sprintf("%d %%", (100*real+judged/2)/judged)
}

// write prints the per-repository tables, the per-half totals, the planted
// breakages and (when asked) the unlabeled findings, as Markdown.
func (r *report) write(w io.Writer, listUnlabeled bool) {
	fmt.Fprintf(w, "docscheck: %s\n", r.bin)
	for _, half := range halves {
		var rows []repoResult
		for _, rr := range r.repos {
			if rr.Half == half {
				rows = append(rows, rr)
			}
		}
		if len(rows) == 0 {
			continue
		}
		slices.SortFunc(rows, func(a, b repoResult) int {
			return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name))
		})
		fmt.Fprintf(w, "\n### %s half\n\n", half)
		fmt.Fprintln(w, "| repository | kind | findings | real | false | unsure | unlabeled | precision | planted found |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
		var t repoResult
		for _, rr := range rows {
			if rr.missing {
				fmt.Fprintf(w, "| %s | %s | not checked out | | | | | | |\n", rr.Name, rr.Ecosystem)
				continue
			}
			if rr.notAClone {
				fmt.Fprintf(w, "| %s | %s | not a clone's checkout (no .git/config or .git/HEAD) | | | | | | |\n", rr.Name, rr.Ecosystem)
				continue
			}
			if rr.unfinished {
				fmt.Fprintf(w, "| %s | %s | did not finish | | | | | | |\n", rr.Name, rr.Ecosystem)
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %d | %d | %s | %s |\n", rr.Name, rr.Ecosystem,
				rr.findings, rr.real, rr.false, rr.unsure, len(rr.unlabeled), precision(rr.real, rr.real+rr.false), planted(rr.plantsFound, rr.plants))
			t.findings += rr.findings
			t.real += rr.real
			t.false += rr.false
			t.unsure += rr.unsure
			t.unlabeled = append(t.unlabeled, rr.unlabeled...)
			t.plants += rr.plants
			t.plantsFound += rr.plantsFound
		}
		fmt.Fprintf(w, "| **all** | | **%d** | **%d** | **%d** | **%d** | **%d** | **%s** | **%s** |\n",
			t.findings, t.real, t.false, t.unsure, len(t.unlabeled), precision(t.real, t.real+t.false), planted(t.plantsFound, t.plants))
	}
	for _, rr := range r.repos {
		if rr.staleLabels > 0 {
			fmt.Fprintf(w, "\n%s: %d labels are for another commit than corpus.tsv's (ignored)\n", rr.Name, rr.staleLabels)
		}
	}
	if len(r.plants) > 0 {
		fmt.Fprint(w, "\n### planted breakages\n\n")
		fmt.Fprintln(w, "| plant | repository | half | kind | reported as |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
		for _, p := range r.plants {
			got := "**missed**"
			switch {
			case p.err != nil:
				got = "error: " + p.err.Error()
			case p.found != nil:
				got = "`" + p.found.Rule + "`"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", p.ID, p.Repo, p.half, p.Kind, got)
		}
	}
	if !listUnlabeled {
		return
	}
	for _, rr := range r.repos {
		for _, f := range rr.unlabeled {
			fmt.Fprintf(w, "unlabeled\t%s\t%s\t%s:%d\t%s\t%s\n", rr.Name, rr.Commit, f.Path, f.Line, f.Rule, strings.ReplaceAll(finding.EscapeInvalidUTF8(f.String()), "\t", " "))
		}
	}
}

// planted is "found / planted", or "–" when nothing was planted.
func planted(found, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%d / %d", found, total)
}
