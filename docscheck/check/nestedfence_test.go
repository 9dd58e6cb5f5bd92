package check

import (
	"slices"
	"testing"
)

// TestNestedSamples: a Markdown sample that nests a fence as long as its
// own is returned from its opening line to the fence that closes it as
// its author nested it; samples CommonMark reads as written are not.
func TestNestedSamples(t *testing.T) {
	for name, c := range map[string]struct {
		src  string
		want [][2]int
	}{
		"nested as long": {
			"# Guide\n\n```markdown\n## Setup\n\n```bash\nmake\n```\n\n[next](next.md)\n```\n\n[real](real.md)\n",
			[][2]int{{3, 11}},
		},
		"longer outer fence": {
			"````markdown\n```bash\nmake\n```\n[next](next.md)\n````\n",
			nil,
		},
		"tilde inner fence": {
			"```md\n~~~bash\nmake\n~~~\n[next](next.md)\n```\n",
			nil,
		},
		"nothing nested": {
			"```markdown\n[next](next.md)\n```\n```bash\nmake\n```\n",
			nil,
		},
		"not a Markdown sample": {
			"```bash\ncat <<EOF\n```python\nx\n```\nEOF\n```\n",
			nil,
		},
		"two samples, the second clashing": {
			"```markdown\nok\n```\ntext\n``` Markdown\n```json\n{}\n```\n[a](a.md)\n```\n",
			[][2]int{{5, 10}},
		},
		"never closed": {
			"```markdown\n```bash\nmake\n```\n[a](a.md)\n",
			[][2]int{{1, 5}},
		},
		"backtick in info is no fence": {
			"```markdown\n```bash`\n```\n[a](a.md)\n",
			nil,
		},
	} {
		if got := nestedSamples([]byte(c.src)); !slices.Equal(got, c.want) {
			t.Errorf("%s: nestedSamples = %v, want %v", name, got, c.want)
		}
	}
}
