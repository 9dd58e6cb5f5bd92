package repo

import (
	"path"
	"regexp"
	"strings"
)

// chartName and chartVersion match the top-level keys of a Chart.yaml
// that Helm requires of every chart it packages.
var (
	chartName    = regexp.MustCompile(`(?m)^name\s*:\s*\S`)
	chartVersion = regexp.MustCompile(`(?m)^version\s*:\s*\S`)
)

// RegistryPage is a page a package registry shows for a package of the
// tree.
type RegistryPage struct {
	// Dir holds the package's manifest; Page is the page, both relative
	// to the root.
	Dir, Page string
}

// RegistryPages lists the tree's registry pages (memoized), found by a
// walk that skips hidden folders, node_modules and target, as every walk
// of the tree does. Whether something publishes the package is the
// caller's to decide.
//   - The README.md of each Helm chart: a folder holding a Chart.yaml
//     that names the chart and its version (both required by `helm
//     package`). `helm package` puts the README into the chart's archive,
//     `helm show readme` prints it, and Artifact Hub shows it as the
//     chart's page.
//   - The Markdown file a pyproject.toml declares as its project's readme
//     ([project] readme = "x.md" or {file = "x.md"}, [tool.poetry]
//     readme): the long description PyPI shows as the project's page.
func (r *Repo) RegistryPages() []RegistryPage {
	return r.memo("registry", ".", func() any {
		var pages []RegistryPage
		r.walkFiles(".", "", func(p string) {
			dir := path.Dir(p)
			switch path.Base(p) {
			case "Chart.yaml":
				data, err := r.ReadFile(p)
				if err != nil || !chartName.Match(data) || !chartVersion.Match(data) {
					return
				}
				for _, n := range r.Names(dir) {
					// helm show readme takes the README in any case.
					if strings.EqualFold(n, "readme.md") && r.Stat(path.Join(dir, n)) == File {
						pages = append(pages, RegistryPage{dir, path.Join(dir, n)})
					}
				}
			case "pyproject.toml":
				src, err := r.ReadFile(p)
				if err != nil {
					return
				}
				m := parseTOML(string(src))
				for _, table := range []string{"project", "tool.poetry"} {
					t := m.tables[table]
					if t == nil {
						continue
					}
					readme := t.strings["readme"]
					if readme == "" {
						readme = t.inline["readme"]["file"]
					}
					if ext := strings.ToLower(path.Ext(readme)); ext == ".md" || ext == ".markdown" {
						if f := path.Join(dir, readme); r.Stat(f) == File {
							pages = append(pages, RegistryPage{dir, f})
						}
					}
				}
			}
		})
		return pages
	}).([]RegistryPage)
}
