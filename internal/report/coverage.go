package report

// Coverage is how much of the backend's code (the packages under backend/
// and migrations/) a set of proofs executed: statements as `go build
// -cover` counts them. A scenario's Coverage is what its own backend
// processes ran; the Run's is the union over every scenario of the run.
// It was added to schema version 1 without a bump: readers that predate it
// ignore it, and it is absent (nil) in reports written before it.
type Coverage struct {
	// Statements is the number of statements in the measured packages.
	Statements int `json:"statements"`
	// Covered is how many of them ran at least once.
	Covered int `json:"covered"`
	// Packages breaks the numbers down by package import path, sorted.
	Packages []PackageCoverage `json:"packages"`
	// Listing is the report-relative path of an offline HTML page that
	// shows each measured file with the lines that ran, or "".
	Listing string `json:"listing,omitempty"`
	// Profile is the report-relative path of the merged text profile
	// (`go tool covdata textfmt` format), or "".
	Profile string `json:"profile,omitempty"`
}

// PackageCoverage is one package's share of a Coverage.
type PackageCoverage struct {
	Package    string `json:"package"`
	Statements int    `json:"statements"`
	Covered    int    `json:"covered"`
}

// Percent is Covered as a percentage of Statements (0 when there are none).
func (c Coverage) Percent() float64 { return percent(c.Covered, c.Statements) }

// Percent is Covered as a percentage of Statements (0 when there are none).
func (p PackageCoverage) Percent() float64 { return percent(p.Covered, p.Statements) }

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// CoverageListingIcon is the listing's icon link: an empty inline icon, so the
// page stands alone in a report folder (no favicon request). The website
// swaps it for the site's own icon when it copies a listing.
const CoverageListingIcon = `<link rel="icon" href="data:,">`
