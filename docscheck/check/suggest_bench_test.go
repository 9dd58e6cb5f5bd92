package check

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prodproof/prodproof/docscheck/repo"
)

// badAnchorPage is a page with n headings and n links to anchors that do
// not exist: most one typo (an inserted letter) away from a heading (a did-you-mean is found),
// every fourth matching nothing (the whole search runs and finds none).
func badAnchorPage(n int) string {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	words := strings.Fields("worker queue health lease retry backoff deploy migrate status proof " +
		"listen notify claim rescue supervisor restart outage shutdown retention payload")
	var b strings.Builder
	anchors := make([]string, n)
	for i := range n {
		h := fmt.Sprintf("%s %s %s %d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], i)
		fmt.Fprintf(&b, "## %s\n\n", h)
		anchors[i] = strings.ReplaceAll(h, " ", "-")
	}
	for i := range n {
		a := anchors[rng.IntN(n)]
		if i%4 == 3 {
			a = fmt.Sprintf("zz%dqx", rng.IntN(1<<30))
		} else {
			k := rng.IntN(len(a))
			a = a[:k] + "x" + a[k:] // a typo: no heading has an x
		}
		fmt.Fprintf(&b, "[link %d](#%s)\n", i, a)
	}
	return b.String()
}

// BenchmarkBadAnchors checks one page with n bad anchors; the time per
// anchor stays flat as n grows (near-linear in total), where comparing
// every anchor with every heading grew with n.
func BenchmarkBadAnchors(b *testing.B) {
	for _, n := range []int{1000, 5000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			root := b.TempDir()
			if err := os.WriteFile(filepath.Join(root, "page.md"), []byte(badAnchorPage(n)), 0o644); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				c, err := New(Options{Repo: repo.New(root)})
				if err != nil {
					b.Fatal(err)
				}
				findings, err := c.Run(context.Background(), []string{"page.md"})
				if err != nil {
					b.Fatal(err)
				}
				if len(findings) != n {
					b.Fatalf("%d findings, want %d", len(findings), n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/anchor")
		})
	}
}
