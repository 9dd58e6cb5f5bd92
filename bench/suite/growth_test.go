package suite

import (
	"slices"
	"testing"
)

func TestParsePlanSummarisesTheTree(t *testing.T) {
	doc := []byte(`[{"Plan": {"Node Type": "ModifyTable", "Relation Name": "jobs", "Shared Hit Blocks": 1665, "Shared Read Blocks": 3,
		"Plans": [{"Node Type": "Limit", "Plans": [{"Node Type": "Index Scan", "Index Name": "jobs_pending_created_at_idx", "Relation Name": "jobs"}]},
		          {"Node Type": "Bitmap Index Scan", "Index Name": "jobs_pkey"}]},
		"Planning Time": 0.25, "Execution Time": 2.5}]`)
	p, err := parsePlan(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ModifyTable on jobs", "Limit", "Index Scan using jobs_pending_created_at_idx on jobs", "Bitmap Index Scan using jobs_pkey"}
	if !slices.Equal(p.Nodes, want) || p.ExecutionMS != 2.5 || p.PlanningMS != 0.25 || p.SharedHitBlocks != 1665 || p.SharedReadBlocks != 3 {
		t.Errorf("plan = %+v", p)
	}
	for _, bad := range []string{`{`, `[]`, `[{}, {}]`} {
		if _, err := parsePlan([]byte(bad)); err == nil {
			t.Errorf("parsePlan(%s) gave no error", bad)
		}
	}
}

func TestTrialsAndBacklogsPerMode(t *testing.T) {
	for _, tt := range []struct {
		name     string
		opts     Options
		backlogs []int
		trials   int
		at1M     int
	}{
		{"full", Options{}, []int{10000, 100000}, 5, 0},
		{"quick", Options{Quick: true}, []int{500, 2000}, 2, 0},
		{"large", Options{Large: true}, []int{10000, 100000, 1000000}, 3, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.setDefaults()
			if !slices.Equal(o.GrowthBacklogs, tt.backlogs) || o.Trials != tt.trials {
				t.Errorf("backlogs %v trials %d", o.GrowthBacklogs, o.Trials)
			}
			if !slices.Contains(o.GrowthBacklogs, o.Backlog) {
				t.Errorf("the main backlog %d is not on the growth curve %v", o.Backlog, o.GrowthBacklogs)
			}
			if tt.at1M > 0 && o.trialsFor(1000000) != tt.at1M {
				t.Errorf("trials at 1M = %d, want %d", o.trialsFor(1000000), tt.at1M)
			}
		})
	}
}

func TestTheMainBacklogJoinsTheCurve(t *testing.T) {
	o := Options{Backlog: 50000, GrowthBacklogs: []int{100000, 10000}}
	o.setDefaults()
	if !slices.Equal(o.GrowthBacklogs, []int{10000, 50000, 100000}) {
		t.Errorf("backlogs %v", o.GrowthBacklogs)
	}
}
