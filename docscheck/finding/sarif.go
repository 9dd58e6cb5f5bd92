package finding

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Rules describes every rule docscheck reports, by id: the SARIF rule
// records and the docs' rule table say the same thing.
var Rules = map[string]string{
	"link":             "A relative link, image or HTML href/src points to a file or folder that does not exist.",
	"anchor":           "A #fragment names no heading or id on the target page.",
	"reference":        "A reference-style link has no definition.",
	"external":         "An http(s) link answered 4xx/5xx or could not be fetched (--external).",
	"make-target":      "make names a target the Makefile does not define, or there is no Makefile.",
	"script":           "A script or program run by path is missing, is a folder, or is not executable.",
	"go-package":       "A go command names a package that does not exist.",
	"go-test":          "A -run, -bench or -fuzz pattern matches no function of the packages.",
	"command":          "One of the repository's own tools is given a subcommand, flag or argument it does not accept.",
	"proof":            "A proof command names a proof that is not registered.",
	"contract-heading": "A page lacks a heading its contract requires, or has them out of order.",
	"contract-mention": "A page lacks a mention its contract requires.",
	"contract-page":    "A page named by a contract does not exist.",
	"too-complex":      "A file exceeds a budget (size, nesting or time) and was skipped rather than checked.",
	"unused-ignore":    "An ignore comment or config entry silences no finding.",
	"npm-script":       "npm, yarn or pnpm runs a script that package.json does not define, or there is no package.json.",
	"cargo":            "cargo names a crate, target or test that the Cargo workspace does not have.",
	"python":           "python -m or pytest names a module, file or test that does not exist.",
	"just-recipe":      "just runs a recipe that the justfile in use does not define.",
}

// InformationURI is where the rules are documented.
const InformationURI = "https://github.com/prodproof/prodproof/blob/main/docs/docscheck.md"

// The SARIF 2.1.0 subset docscheck writes (OASIS SARIF v2.1.0, sections
// 3.13 sarifLog onwards). Field names are the standard's.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string       `json:"id"`
		ShortDescription sarifMessage `json:"shortDescription"`
		HelpURI          string       `json:"helpUri"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
	}
)

// writeSARIF writes one run. clean holds the findings made valid UTF-8 for
// messages; raw the same findings as reported, whose paths name the files
// (URIs percent-encode any byte, so they need no escaping first).
func (o Output) writeSARIF(w io.Writer, clean, raw []Finding) error {
	ids := make([]string, 0, len(Rules))
	for id := range Rules {
		ids = append(ids, id)
	}
	for _, f := range clean {
		if _, ok := Rules[f.Rule]; !ok && !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	rules := make([]sarifRule, len(ids))
	for i, id := range ids {
		desc := Rules[id]
		if desc == "" {
			desc = id
		}
		rules[i] = sarifRule{ID: id, ShortDescription: sarifMessage{desc}, HelpURI: InformationURI + "#rules"}
	}
	results := make([]sarifResult, len(clean))
	sources := map[string][]byte{}
	for i, f := range clean {
		col := f.Col
		if o.Source != nil {
			src, ok := sources[raw[i].Path]
			if !ok {
				src, _ = o.Source(raw[i].Path)
				sources[raw[i].Path] = src
			}
			col = utf16Column(src, f.Line, f.Col)
		}
		u := url.URL{Path: o.path(raw[i].Path)}
		results[i] = sarifResult{
			RuleID:    f.Rule,
			RuleIndex: slices.Index(ids, f.Rule),
			Level:     "error",
			Message:   sarifMessage{f.text()},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: u.EscapedPath(), URIBaseID: "%SRCROOT%"},
				Region:           sarifRegion{StartLine: max(1, f.Line), StartColumn: max(1, col)},
			}}},
		}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:       sarifTool{Driver: sarifDriver{Name: "docscheck", Version: o.Version, InformationURI: InformationURI, Rules: rules}},
			ColumnKind: "utf16CodeUnits",
			Results:    results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// utf16Column converts a 1-based byte column on a 1-based line into the
// 1-based UTF-16 code unit column SARIF counts by default. When the line
// is not in src the byte column is returned as it is.
func utf16Column(src []byte, line, col int) int {
	for i := 1; i < line; i++ {
		nl := bytes.IndexByte(src, '\n')
		if nl < 0 {
			return col
		}
		src = src[nl+1:]
	}
	if nl := bytes.IndexByte(src, '\n'); nl >= 0 {
		src = src[:nl]
	}
	if col-1 > len(src) {
		return col
	}
	units := 0
	for prefix := src[:col-1]; len(prefix) > 0; {
		r, size := utf8.DecodeRune(prefix)
		prefix = prefix[size:]
		units += utf16.RuneLen(r) // an invalid byte decodes as U+FFFD: one unit
	}
	return units + 1
}
