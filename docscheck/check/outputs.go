package check

import (
	"path"
	"regexp"
	"strings"

	"github.com/prodproof/prodproof/docscheck/command"
	"github.com/prodproof/prodproof/docscheck/repo"
)

// recordOutputs notes in the session what a call evidently makes, run in
// folder dir, so that later commands on the page may use it. The rule is a
// reader's: a file the page has just told them to build, download, copy,
// unpack or write is there afterwards.
func (c *Checker) recordOutputs(r *report, call command.Call, dir string) {
	c.recordOutputsDepth(r, call, dir, 0)
}

func (c *Checker) recordOutputsDepth(r *report, call command.Call, dir string, depth int) {
	s := r.session
	for _, w := range call.Outputs {
		s.create(dir, w)
	}
	args := call.Args()
	operands := func(valueFlags ...string) []command.Word {
		var out []command.Word
		for i := 0; i < len(args); i++ {
			a := args[i].Text
			if strings.HasPrefix(a, "-") && len(a) > 1 {
				for _, f := range valueFlags {
					if a == f {
						i++
					}
				}
				continue
			}
			out = append(out, args[i])
		}
		return out
	}
	switch prog := path.Base(call.Program()); prog {
	case "mkdir", "touch", "tee":
		for _, w := range operands("-m", "--mode") {
			s.create(dir, w)
		}
	case "cp", "mv", "ln", "install", "rsync", "scp":
		ops := operands("-t", "--target-directory", "-m", "-o", "-g", "-e")
		if len(ops) < 2 {
			return
		}
		dst := ops[len(ops)-1]
		p, ok := localPath(dir, dst)
		if !ok {
			return
		}
		if k, _ := c.stat(r, p); k == repo.Dir {
			for _, src := range ops[:len(ops)-1] {
				s.created[path.Join(p, path.Base(src.Text))] = true
			}
			return
		}
		s.created[p] = true
	case "chmod":
		// "chmod +x run.sh", then "./run.sh": the page made it executable.
		ops := operands()
		if len(ops) < 2 || !givesExecute(ops[0].Text) {
			return
		}
		for _, w := range ops[1:] {
			if p, ok := localPath(dir, w); ok {
				if s.executable == nil {
					s.executable = map[string]bool{}
				}
				s.executable[p] = true
			}
		}
	case "git":
		if len(args) > 0 && args[0].Text == "clone" {
			c.recordClone(r, args[1:], dir)
		}
	case "gh":
		if len(args) > 1 && args[0].Text == "repo" && args[1].Text == "clone" {
			c.recordClone(r, args[2:], dir)
		}
	case "tar", "unzip", "bsdtar":
		target, ok := extractTarget(prog, args, dir)
		if !ok {
			return
		}
		if folder := ownArchiveFolder(s, args, dir); folder != "" {
			// An archive of this repository unpacks to one folder,
			// the repository's tree: a clone of it.
			s.addClone(path.Join(target, folder))
			return
		}
		if _, twice := s.unpackedHere[target]; twice || s.extracted[target] {
			s.unpackedHere[target] = ""
		} else {
			s.unpackedHere[target] = archiveStem(args)
		}
		s.extracted[target] = true
		s.created[target] = s.created[target] || target != dir
	case "cd", "pushd":
		narrowUnpacked(s, args, dir)
	case "curl", "wget":
		d := parseDownload(prog, args)
		recordDownload(s, d, dir)
		c.recordOwnArchive(s, d, dir)
	case "go":
		c.recordGo(r, args, dir)
	case "make", "gmake":
		c.recordMake(r, call, dir, depth)
	case "cargo":
		if len(args) > 0 && (args[0].Text == "build" || args[0].Text == "run" || args[0].Text == "test" || args[0].Text == "install") {
			s.created[path.Join(dir, "target")] = true
		}
	case "npm", "pnpm", "yarn", "bun":
		if len(args) == 0 || args[0].Text == "install" || args[0].Text == "i" || args[0].Text == "ci" || args[0].Text == "add" {
			s.created[path.Join(dir, "node_modules")] = true
		}
	case "python", "python3":
		if len(args) > 2 && args[0].Text == "-m" && (args[1].Text == "venv" || args[1].Text == "virtualenv") {
			s.create(dir, args[len(args)-1])
		}
	case "virtualenv":
		if ops := operands(); len(ops) > 0 {
			s.create(dir, ops[len(ops)-1])
		}
	case "cmake":
		for i, a := range args {
			if a.Text == "-B" && i+1 < len(args) {
				s.create(dir, args[i+1])
			} else if b, ok := strings.CutPrefix(a.Text, "-B"); ok && b != "" {
				s.create(dir, command.Word{Text: b})
			}
		}
		s.created[path.Join(dir, "Makefile")] = true
	case "rustc", "gcc", "cc", "clang", "g++", "c++", "clang++":
		recordCompile(s, prog, args, dir)
	case "configure", "autogen.sh", "bootstrap":
		s.created[path.Join(dir, "Makefile")] = true
		s.created[path.Join(dir, "configure")] = true
	}
}

// recordCompile: a compiler writes the binary -o names; without -o,
// rustc names it after the crate's source file (rustc hello.rs makes
// ./hello) and a C or C++ compiler that links writes a.out.
func recordCompile(s *session, prog string, args []command.Word, dir string) {
	compileOnly := false
	for i, a := range args {
		switch {
		case a.Text == "-o" && i+1 < len(args):
			s.create(dir, args[i+1])
			return
		case strings.HasPrefix(a.Text, "-o") && len(a.Text) > 2 && prog != "rustc":
			s.create(dir, command.Word{Text: a.Text[2:]})
			return
		case a.Text == "-c" || a.Text == "-S" || a.Text == "-E":
			compileOnly = true
		}
	}
	if prog != "rustc" {
		if !compileOnly {
			s.created[path.Join(dir, "a.out")] = true
		}
		return
	}
	for _, a := range args {
		if strings.HasSuffix(a.Text, ".rs") && !a.Dynamic() {
			s.create(dir, command.Word{Text: strings.TrimSuffix(path.Base(a.Text), ".rs")})
			return
		}
	}
}

// recordClone: git clone URL [folder] makes the folder, named after the
// repository when not given.
func (c *Checker) recordClone(r *report, args []command.Word, dir string) {
	ops := cloneOperands(args)
	if len(ops) == 0 {
		return
	}
	name := clonedRepositoryName(ops[0].Text)
	folder := path.Join(dir, name)
	if len(ops) > 1 {
		if dest := ops[1].Source; dest != "" && !ops[0].Dynamic() && ops[1].Dynamic() && !strings.ContainsAny(dest, "/~") && c.isThisRepository(name) {
			// "git clone URL apisix-${BRANCH}": a cd into the same word
			// as written ("cd apisix-${BRANCH}") moves into the clone
			// (intoClone).
			r.session.addClone(path.Join(dir, dest))
			return
		}
		p, ok := localPath(dir, ops[1])
		if !ok {
			if outside := ops[1].Text; !ops[0].Dynamic() && !ops[1].Dynamic() && isOutsidePath(outside) && c.isThisRepository(name) {
				// A clone of this repository outside the folder the
				// page starts in ("git clone URL ~/x"): a cd to that
				// very path moves into it (isCloneRoot).
				r.session.addClone(path.Clean(outside))
			}
			return
		}
		folder = p
	} else if name == "" || ops[0].Dynamic() {
		return
	}
	if !ops[0].Dynamic() && c.isThisRepository(name) {
		r.session.addClone(folder)
		return
	}
	r.session.created[folder] = true
	if r.session.otherClones == nil {
		r.session.otherClones = map[string]bool{}
	}
	r.session.otherClones[folder] = true
}

// cloneOperands are the operands of git clone's arguments (after
// "clone"): the repository, then the folder, if given.
func cloneOperands(args []command.Word) []command.Word {
	valueFlags := map[string]bool{"-b": true, "--branch": true, "--depth": true, "-o": true, "--origin": true,
		"-c": true, "--config": true, "--reference": true, "--template": true, "--filter": true,
		"--separate-git-dir": true, "-j": true, "--jobs": true, "-u": true, "--upload-pack": true}
	var ops []command.Word
	for i := 0; i < len(args); i++ {
		if strings.HasPrefix(args[i].Text, "-") {
			if valueFlags[args[i].Text] {
				i++
			}
			continue
		}
		ops = append(ops, args[i])
	}
	return ops
}

// clonedRepositoryName is the name of the repository a clone URL names,
// the folder git clone makes for it ("https://x/o/r.git", "git@x:o/r").
func clonedRepositoryName(url string) string {
	name := strings.TrimSuffix(path.Base(strings.TrimRight(url, "/")), ".git")
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// recordTemplateClone notes the folder of a template line that clones a
// repository from a URL with a placeholder
// ("git clone git@github.com:<your username>/repo.git"): this repository,
// as a clone under its own name, or else another project's folder the
// line makes.
func (c *Checker) recordTemplateClone(r *report, line string) {
	fields := strings.Fields(line)
	if len(fields) < 3 || fields[0] != "git" || fields[1] != "clone" || r.session.dirs == nil {
		return
	}
	name := strings.TrimSuffix(path.Base(strings.TrimRight(fields[len(fields)-1], "/")), ".git")
	if name == "" || strings.ContainsAny(name, "<>$") {
		return
	}
	if !c.isThisRepository(name) {
		// A clone of another repository, as recordClone says: the
		// folder is made, and what runs in it is that project's.
		for _, d := range r.session.dirs {
			r.session.created[path.Join(d, name)] = true
		}
		return
	}
	for _, d := range r.session.dirs {
		r.session.addClone(path.Join(d, name))
	}
}

// projectURL is a repository or source URL in pyproject.toml ([project.urls]),
// Cargo.toml ([package] repository), setup.py (setup(url=...)) or setup.cfg
// ([metadata] url).
var projectURL = regexp.MustCompile(`(?mi)^\s*["']?(?:repository|source|source code|homepage|url)["']?\s*=\s*["']?([^"'\s,]+)`)

// repositoryURL is package.json's "repository": a string, or an object's
// "url".
var repositoryURL = regexp.MustCompile(`"repository"\s*:\s*(?:"([^"]+)"|\{[^}]*?"url"\s*:\s*"([^"]+)")`)

// isThisRepository reports whether a repository named name (a clone URL's
// last part) is this one, as it names itself: the last part of a remote
// URL of its checkout (.git/config), of go.mod's module path (without a
// /vN suffix) or of the repository URL of the root package.json or of its
// workspace members, or of a repository or source URL of pyproject.toml,
// Cargo.toml, setup.py or setup.cfg, in any capitals: a code host takes
// a repository's name in any case (git clone .../lizardbyte/sunshine of
// LizardByte/Sunshine). A fork clones under the same name.
func (c *Checker) isThisRepository(name string) bool {
	if module := c.opts.Repo.ModulePath(); module != "" {
		parts := strings.Split(module, "/")
		last := parts[len(parts)-1]
		if len(parts) > 1 && len(last) > 1 && last[0] == 'v' && isNumber(last[1:]) {
			last = parts[len(parts)-2]
		}
		if len(parts) > 1 && strings.EqualFold(last, name) {
			return true
		}
	}
	var urls []string
	manifests := []string{"package.json"}
	if c.opts.Repo.Stat("package.json") == repo.File {
		// A monorepo's root often names no repository while its
		// members do (the URL, with the member's "directory").
		for _, m := range c.opts.Repo.PackageJSON("package.json").Workspaces {
			manifests = append(manifests, m.Path)
		}
	}
	for _, manifest := range manifests {
		if data, err := c.opts.Repo.ReadFile(manifest); err == nil {
			if m := repositoryURL.FindSubmatch(data); m != nil {
				urls = append(urls, string(m[1])+string(m[2]))
			}
		}
	}
	urls = append(urls, c.opts.Repo.Remotes()...)
	for _, manifest := range []string{"pyproject.toml", "Cargo.toml", "setup.py", "setup.cfg"} {
		if data, err := c.opts.Repo.ReadFile(manifest); err == nil {
			for _, m := range projectURL.FindAllSubmatch(data, -1) {
				urls = append(urls, string(m[1]))
			}
		}
	}
	for _, u := range urls {
		if rest, ok := strings.CutPrefix(u, "git@"); ok {
			// An scp-like address (git@host:owner/name.git), as a URL.
			u = "ssh://git@" + strings.Replace(rest, ":", "/", 1)
		}
		if strings.EqualFold(path.Base(strings.TrimSuffix(strings.TrimRight(u, "/"), ".git")), name) && strings.Count(u, "/") >= 3 {
			return true
		}
	}
	return false
}

// narrowUnpacked reads a cd into the folder named as the archive just
// unpacked there (tar xJf Python-3.6.3.tar.xz, then cd Python-3.6.3) as
// the page saying where that archive's files went: into that folder, as
// release archives hold one, and not beside it. The folder the reader
// unpacked it in holds no more than it did.
func narrowUnpacked(s *session, args []command.Word, dir string) {
	stem := s.unpackedHere[dir]
	if stem == "" || len(args) != 1 || args[0].Dynamic() {
		return
	}
	first, _, _ := strings.Cut(path.Clean(args[0].Text), "/")
	if first != stem {
		return
	}
	delete(s.extracted, dir)
	delete(s.unpackedHere, dir)
	into := path.Join(dir, stem)
	s.extracted[into] = true
	s.created[into] = true
}

// archiveStem is the name, without its suffix, of the one archive an
// unpacking command's words name (Python-3.6.3 for Python-3.6.3.tar.xz);
// "" when they name none or several.
func archiveStem(args []command.Word) string {
	stem := ""
	for _, a := range args {
		name := path.Base(a.Text)
		for _, suffix := range archiveSuffixes {
			if base, ok := strings.CutSuffix(name, suffix); ok && base != "" && !strings.HasPrefix(a.Text, "-") {
				if stem != "" {
					return ""
				}
				stem = base
				break
			}
		}
	}
	return stem
}

// archiveSuffixes are the suffixes of archive files, longest first.
var archiveSuffixes = []string{".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".txz", ".tbz2", ".tar", ".zip"}

// extractTarget is the folder an unpacking command writes into (-C, -d,
// or the current one), where anything may then exist; false when the
// command unpacks nothing (tar -c) or its folder is not known.
func extractTarget(prog string, args []command.Word, dir string) (string, bool) {
	extract := prog == "unzip"
	target := dir
	for i, a := range args {
		t := a.Text
		switch {
		case t == "-C" || t == "--directory" || prog == "unzip" && t == "-d":
			if i+1 < len(args) {
				p, ok := localPath(dir, args[i+1])
				if !ok {
					return "", false
				}
				target = p
			}
		case strings.HasPrefix(t, "--directory="):
			p, ok := localPath(dir, command.Word{Text: strings.TrimPrefix(t, "--directory=")})
			if !ok {
				return "", false
			}
			target = p
		case t == "--extract" || t == "--get":
			extract = true
		case i == 0 && !strings.HasPrefix(t, "--") && strings.Contains(strings.TrimPrefix(t, "-"), "x"):
			extract = true
		case strings.HasPrefix(t, "-") && !strings.HasPrefix(t, "--") && strings.Contains(t, "x"):
			extract = true
		}
	}
	return target, extract
}

// ownArchiveFolder is the folder an archive the command unpacks would
// make, when one of its words is a file the page downloaded from this
// repository's own archive address (recordOwnArchive); "" otherwise.
func ownArchiveFolder(s *session, args []command.Word, dir string) string {
	for _, a := range args {
		if p, ok := localPath(dir, a); ok && s.ownArchives[p] != "" {
			return s.ownArchives[p]
		}
	}
	return ""
}

// codeHostArchive is a code host's address of a repository's archive at a
// ref (https://github.com/o/r/archive/master.zip,
// .../archive/refs/tags/v1.2.tar.gz): the repository's name and the ref.
var codeHostArchive = regexp.MustCompile(`^https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org)/[^/]+/([^/]+)/(?:-/)?archive/(?:refs/(?:heads|tags)/)?([^/?#]+?)(?:\.zip|\.tar\.gz|\.tgz|\.tar\.bz2)$`)

// download is what a curl or wget command line fetches and where it
// writes it, read as the two programs read their options: short options
// may be bundled (curl -fsSLO URL, curl -sLo FILE URL, wget -qO- URL), an
// option's argument may be attached (-oFILE) or follow, and wget's long
// options may take it after "=".
type download struct {
	url        command.Word // the last URL argument
	out        command.Word // -o / -O FILE (curl / wget); "-" is stdout
	hasOut     bool
	prefix     command.Word // wget -P DIR
	hasPrefix  bool
	remoteName bool // the file is named after the URL (curl -O; wget by default)
}

// downloadArgOptions are the short options of curl and wget that take an
// argument: the rest of a bundle, or the next word, is theirs.
var downloadArgOptions = map[string]string{
	"curl": "oudHXAeTFbcxwrmKECYyzQUDt",
	"wget": "OoaPitTwUeBlARDIXQ",
}

func parseDownload(prog string, args []command.Word) download {
	d := download{remoteName: prog == "wget"}
	outOpt, nameOpt := byte('o'), byte('O')
	if prog == "wget" {
		outOpt, nameOpt = 'O', 0
	}
	// take records an option's argument: attached (the rest of the
	// word) or the next word.
	take := func(opt byte, attached string, i int) int {
		arg := command.Word{Text: attached}
		next := i
		if attached == "" {
			if i+1 >= len(args) {
				return i
			}
			arg, next = args[i+1], i+1
		}
		switch {
		case opt == outOpt:
			d.out, d.hasOut = arg, true
		case prog == "wget" && opt == 'P':
			d.prefix, d.hasPrefix = arg, true
		}
		return next
	}
	for i := 0; i < len(args); i++ {
		t := args[i].Text
		switch {
		case prog == "curl" && (t == "--output") || prog == "wget" && t == "--output-document":
			i = take(outOpt, "", i)
		case prog == "wget" && t == "--directory-prefix":
			i = take('P', "", i)
		case prog == "wget" && strings.HasPrefix(t, "--output-document="):
			take(outOpt, strings.TrimPrefix(t, "--output-document="), i)
		case prog == "wget" && strings.HasPrefix(t, "--directory-prefix="):
			take('P', strings.TrimPrefix(t, "--directory-prefix="), i)
		case prog == "curl" && t == "--remote-name":
			d.remoteName = true
		case strings.HasPrefix(t, "--"):
		case strings.HasPrefix(t, "-") && len(t) > 1:
			for j := 1; j < len(t); j++ {
				opt := t[j]
				if opt == nameOpt && nameOpt != 0 {
					d.remoteName = true
					continue
				}
				if strings.IndexByte(downloadArgOptions[prog], opt) >= 0 {
					i = take(opt, t[j+1:], i)
					break
				}
			}
		case isURL(t):
			d.url = args[i]
		}
	}
	return d
}

// written is the file the download writes, relative to where it runs;
// false when it writes to stdout or its name is not known.
func (d download) written() (command.Word, bool) {
	if d.hasOut {
		return d.out, d.out.Text != "-"
	}
	if !d.remoteName || d.url.Text == "" || d.url.Dynamic() {
		return command.Word{}, false
	}
	u, _, _ := strings.Cut(strings.TrimRight(d.url.Text, "/"), "?")
	name := path.Base(u)
	if name == "" || strings.Contains(name, ":") {
		return command.Word{}, false
	}
	if d.hasPrefix {
		if d.prefix.Dynamic() {
			return command.Word{}, false
		}
		name = path.Join(d.prefix.Text, name)
	}
	return command.Word{Text: name}, true
}

// recordDownload: the file a curl or wget command writes exists
// afterwards; where its name is not known, anything may be in wget's -P
// folder.
func recordDownload(s *session, d download, dir string) {
	if f, ok := d.written(); ok {
		s.create(dir, f)
	} else if d.hasPrefix {
		s.create(dir, d.prefix)
	}
}

// recordOwnArchive notes a download of this repository's archive from its
// code host (codeHostArchive), by the file it writes: unpacked, it makes
// one folder, named after the repository and the ref ("hdbscan-master";
// a tag's leading "v" dropped, as GitHub names it), that holds the
// repository's tree.
func (c *Checker) recordOwnArchive(s *session, d download, dir string) {
	if d.url.Dynamic() {
		return
	}
	m := codeHostArchive.FindStringSubmatch(d.url.Text)
	if m == nil || !c.isThisRepository(m[1]) {
		return
	}
	f, ok := d.written()
	if !ok {
		return
	}
	p, ok := localPath(dir, f)
	if !ok {
		return
	}
	ref := m[2]
	if len(ref) > 1 && ref[0] == 'v' && ref[1] >= '0' && ref[1] <= '9' {
		ref = ref[1:]
	}
	if s.ownArchives == nil {
		s.ownArchives = map[string]string{}
	}
	s.ownArchives[p] = m[1] + "-" + ref
}

// recordGo: go build writes -o, or a binary named after the package it
// builds (when it builds one main package); go mod vendor writes vendor/.
func (c *Checker) recordGo(r *report, args []command.Word, dir string) {
	if len(args) == 0 {
		return
	}
	s := r.session
	switch args[0].Text {
	case "build":
	case "mod":
		if len(args) > 1 && args[1].Text == "vendor" {
			s.created[path.Join(dir, "vendor")] = true
		}
		if len(args) > 1 && args[1].Text == "init" {
			s.created[path.Join(dir, "go.mod")] = true
		}
		return
	case "work":
		if len(args) > 1 && args[1].Text == "init" {
			s.created[path.Join(dir, "go.work")] = true
		}
		return
	default:
		return
	}
	g := parseGoArgs("build", args[1:])
	if o, ok := g.flag("o"); ok {
		s.create(dir, o)
		return
	}
	if len(g.pkgs) > 1 && !strings.HasSuffix(g.pkgs[0].Text, ".go") {
		return // several packages: nothing is written
	}
	var name string
	switch {
	case len(g.pkgs) == 0 || g.pkgs[0].Text == ".":
		name = path.Base(c.opts.Repo.ModulePath())
		if dir != "." {
			name = path.Base(dir)
		}
	case strings.HasSuffix(g.pkgs[0].Text, ".go"):
		name = strings.TrimSuffix(path.Base(g.pkgs[0].Text), ".go")
	case !g.pkgs[0].Dynamic() && !strings.HasSuffix(g.pkgs[0].Text, "..."):
		name = path.Base(strings.Split(g.pkgs[0].Text, "@")[0])
	}
	if (len(g.pkgs) == 0 || g.pkgs[0].Text == ".") && (name == "." || name == "") {
		// No module here: the program is named after the folder the
		// reader stands in, another project's checkout.
		if s.unnamedBinaries == nil {
			s.unnamedBinaries = map[string]bool{}
		}
		s.unnamedBinaries[dir] = true
		return
	}
	if name != "" && name != "." && name != "/" && !strings.ContainsAny(name, "*?[") {
		s.created[path.Join(dir, name)] = true
		if s.binaries == nil {
			s.binaries = map[string]bool{}
		}
		s.binaries[path.Join(dir, name)] = true
	}
}

// recordMake follows the rules make would run for the targets named (or
// the default one): a target that is a file path is written, and so is
// whatever their recipes evidently write (go build -o bin/x, mkdir dist).
func (c *Checker) recordMake(r *report, call command.Call, dir string, depth int) {
	if depth > 2 {
		return
	}
	mdir, file := dir, ""
	var targets []string
	args := call.Args()
	for i := 0; i < len(args); i++ {
		t := args[i].Text
		switch {
		case t == "-C" && i+1 < len(args):
			i++
			mdir = path.Join(mdir, args[i].Text)
		case t == "-f" && i+1 < len(args):
			i++
			file = args[i].Text
		case strings.HasPrefix(t, "-"), strings.Contains(t, "="):
		default:
			targets = append(targets, t)
		}
	}
	mf := c.opts.Repo.Makefile(mdir, file)
	if mf == nil {
		return
	}
	if len(targets) == 0 && mf.Default != "" {
		targets = []string{mf.Default}
	}
	seen := map[string]bool{}
	var visit func(t string, level int)
	visit = func(t string, level int) {
		if seen[t] || level > 4 {
			return
		}
		seen[t] = true
		// A file make is asked for, or one a rule of the Makefile
		// builds, is made; a prerequisite no rule builds is a source
		// make reads (backenddocs: bin/make_docs.py), not an output.
		if strings.ContainsAny(t, "/.") && !strings.Contains(t, "$") && (level == 0 || mf.Has(t)) {
			r.session.created[joinPath(mdir, t)] = true
		}
		rule := mf.Rules[t]
		if rule == nil {
			return
		}
		for _, p := range rule.Prereqs {
			visit(mf.Expand(p, t), level+1)
		}
		for _, line := range rule.Recipe {
			line = strings.TrimLeft(mf.Expand(line, t), "@-+ ")
			script, err := c.parseShell(line)
			if err != nil {
				continue
			}
			for _, inner := range script.Calls {
				if inner.Dir == "" {
					continue
				}
				c.recordOutputsDepth(r, inner, joinPath(mdir, inner.Dir), depth+1)
			}
		}
	}
	for _, t := range targets {
		visit(t, 0)
	}
}

// givesExecute reports whether a chmod mode lets its owner execute the
// file: a symbolic mode adding or setting x ("+x", "u+rx", "a=rwx") or an
// octal one whose owner digit is odd ("755", "0700").
func givesExecute(mode string) bool {
	if mode != "" && strings.Trim(mode, "01234567") == "" {
		return len(mode) >= 3 && (mode[len(mode)-3]-'0')&1 == 1
	}
	for _, clause := range strings.Split(mode, ",") {
		i := strings.IndexAny(clause, "+=")
		who := clause[:max(i, 0)]
		if i >= 0 && (who == "" || strings.ContainsAny(who, "ua")) && strings.Contains(clause[i:], "x") {
			return true
		}
	}
	return false
}
