package suite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/prodproof/prodproof/bench/pgbench"
	"github.com/prodproof/prodproof/bench/results"
	"github.com/prodproof/prodproof/bench/stats"
	"github.com/prodproof/prodproof/internal/pgprovision"
)

// drainTrials runs the drain comparison trial by trial. One trial is, for
// each growth backlog, ours and River back to back (at the main backlog
// also ours ×2 and pgbench's limit), then the same pair on the durable
// server; the order of the contenders rotates from trial to trial, so
// neither side always runs first or right after the same neighbour. A ratio
// is taken within a trial.
func (r *run) drainTrials(ctx context.Context) error {
	r.res.Growth = make([]results.GrowthPoint, len(r.opts.GrowthBacklogs))
	for i, b := range r.opts.GrowthBacklogs {
		r.res.Growth[i].Backlog = b
	}
	if r.durable != nil {
		r.res.Durable = &results.Durable{Backlog: r.opts.Backlog, Settings: durableSettings}
	}
	for trial := range r.opts.Trials {
		for i, b := range r.opts.GrowthBacklogs {
			if trial >= r.opts.trialsFor(b) {
				continue
			}
			if err := r.growthTrial(ctx, trial, &r.res.Growth[i]); err != nil {
				return fmt.Errorf("trial %d, backlog %d: %w", trial+1, b, err)
			}
			if r.durable != nil {
				if err := r.durableTrial(ctx, trial, &r.res.Growth[i]); err != nil {
					return fmt.Errorf("trial %d, durable, backlog %d: %w", trial+1, b, err)
				}
			}
		}
	}
	return nil
}

// durableTrial is one trial of the pair on the durable server at one
// growth backlog.
func (r *run) durableTrial(ctx context.Context, trial int, g *results.GrowthPoint) error {
	ours, river, err := r.pair(ctx, r.durable, trial, g.Backlog, nil)
	if err != nil {
		return err
	}
	if g.Durable == nil {
		g.Durable = &results.Pair{}
	}
	g.Durable.AddTrial(ours.side(), river.side())
	if g.Backlog == r.opts.Backlog {
		r.res.Durable.Durable.AddTrial(ours.side(), river.side())
	}
	r.logf("trial %d: durable, %d jobs: ours %.0f, River %.0f jobs/s (%.2f); %s", trial+1, g.Backlog,
		ours.jobsPerSec, river.JobsPerSecond, ours.jobsPerSec/river.JobsPerSecond, trialNote(ours.side(), river.side()))
	return nil
}

// trialNote is the load at each side's start and end and their CPU µs per
// job, for the progress line.
func trialNote(ours, river results.Side) string {
	note := fmt.Sprintf("load at start → end: ours %.2f → %.2f, River %.2f → %.2f", ours.Load1, ours.Load1End, river.Load1, river.Load1End)
	if ours.Load1 >= results.QuietLoad1 || river.Load1 >= results.QuietLoad1 {
		note += " (loaded)"
	}
	if ours.CPU != nil && river.CPU != nil {
		note += fmt.Sprintf("; CPU µs/job ours %.0f (process %.0f + postgres %.0f), River %.0f (%.0f + %.0f)",
			ours.CPU.Total, ours.CPU.Process, ours.CPU.Postgres, river.CPU.Total, river.CPU.Process, river.CPU.Postgres)
	}
	if ours.StartUpSeconds != nil {
		note += fmt.Sprintf("; ours' start-up %.0f ms (outside the clock)", *ours.StartUpSeconds*1000)
	}
	return note
}

// growthTrial is one trial at one growth backlog.
func (r *run) growthTrial(ctx context.Context, trial int, g *results.GrowthPoint) error {
	var extra []func() error
	main := g.Backlog == r.opts.Backlog
	if main {
		extra = []func() error{
			func() error {
				t, err := r.oursDrain(ctx, r.srv, 2, g.Backlog, false)
				if err == nil {
					r.res.AddDrain("ours_2", t.jobsPerSec)
					r.logf("trial %d: %d jobs: ours ×2 %.0f jobs/s", trial+1, g.Backlog, t.jobsPerSec)
				}
				return err
			},
			func() error { return r.pgbenchLimit(ctx, trial+1) },
		}
	}
	ours, river, err := r.pair(ctx, r.srv, trial, g.Backlog, extra)
	if err != nil {
		return err
	}
	g.AddTrial(ours.side(), river.side())
	g.AddJobLatency(false, ours.p50MS, ours.p99MS)
	g.AddJobLatency(true, river.P50MS, river.P99MS)
	g.OursClaimMS = stats.SpreadOf(append(g.OursClaimMS.Values, ours.probe.claimMS...))
	g.OursCompleteMS = stats.SpreadOf(append(g.OursCompleteMS.Values, ours.probe.completeMS...))
	if g.ClaimPlan == nil {
		g.ClaimPlan = ours.probe.plan
	}
	if main {
		r.res.AddDrain("ours_1", ours.jobsPerSec)
		r.res.AddDrain("river_best", river.JobsPerSecond)
		if r.res.Durable != nil {
			r.res.Durable.Throwaway.AddTrial(ours.side(), river.side())
		}
	}
	r.logf("trial %d: %d jobs: ours %.0f, River %.0f jobs/s (%.2f); %s", trial+1, g.Backlog,
		ours.jobsPerSec, river.JobsPerSecond, ours.jobsPerSec/river.JobsPerSecond, trialNote(ours.side(), river.side()))
	return nil
}

// pair drains backlog with ours (one instance, claim probe on) and with
// River at its best settings on srv, plus the extra contenders, in an order
// rotated by trial.
func (r *run) pair(ctx context.Context, srv *pgprovision.Server, trial, backlog int, extra []func() error) (drainTrial, riverResult, error) {
	var ours drainTrial
	var river riverResult
	steps := append([]func() error{
		func() (err error) {
			ours, err = r.oursDrain(ctx, srv, 1, backlog, true)
			if err != nil {
				err = fmt.Errorf("reference backend: %w", err)
			}
			return err
		},
		func() (err error) {
			river, err = r.riverDrain(ctx, srv, "river_best", riverBest(), backlog)
			return err
		},
	}, extra...)
	for i := range steps {
		if err := steps[(i+trial)%len(steps)](); err != nil {
			return ours, river, err
		}
	}
	return ours, river, nil
}

// probeRounds is how often the claim and completion are timed per backlog
// and trial.
const probeRounds = 5

// claimProbe times the backend's claim of one batch and its completion on
// a backlog.
type claimProbe struct {
	claimMS, completeMS []float64
	plan                *results.Plan
}

// probeOwner is the owner the probe claims as (no backend runs then).
const probeOwner = "00000000-0000-4000-8000-00000000b0b0"

// probeClaim claims a batch of backendBatch jobs with the backend's own SQL
// and completes it, each in a transaction that is rolled back so the
// backlog stays as it was, timing both statements from this side of the
// loopback; then it takes EXPLAIN (ANALYZE, BUFFERS) of the claim the same
// way.
func probeClaim(ctx context.Context, conn *pgx.Conn, sql pgbench.StoreSQL, rounds int) (claimProbe, error) {
	var out claimProbe
	for range rounds {
		claimMS, completeMS, err := claimAndCompleteOnce(ctx, conn, sql)
		if err != nil {
			return out, err
		}
		out.claimMS = append(out.claimMS, claimMS)
		out.completeMS = append(out.completeMS, completeMS)
	}
	plan, err := explainClaim(ctx, conn, sql)
	if err != nil {
		return out, err
	}
	out.plan = plan
	return out, nil
}

func claimAndCompleteOnce(ctx context.Context, conn *pgx.Conn, sql pgbench.StoreSQL) (claimMS, completeMS float64, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	began := time.Now()
	rows, err := tx.Query(ctx, sql.Claim, probeOwner, backendBatch, 30000)
	if err != nil {
		return 0, 0, fmt.Errorf("probe claim: %w", err)
	}
	var ids []string
	var attempts []int32
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, 0, fmt.Errorf("probe claim: %w", err)
		}
		var id string
		if err := scanUUID(vals[0], &id); err != nil {
			return 0, 0, err
		}
		ids = append(ids, id)
		attempts = append(attempts, vals[1].(int32))
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("probe claim: %w", err)
	}
	claimMS = ms(time.Since(began))
	if len(ids) != backendBatch {
		return 0, 0, fmt.Errorf("probe claim took %d jobs, want %d", len(ids), backendBatch)
	}
	began = time.Now()
	tag, err := tx.Exec(ctx, sql.Complete, ids, attempts, make([]*string, len(ids)), probeOwner, 5)
	if err != nil {
		return 0, 0, fmt.Errorf("probe completion: %w", err)
	}
	completeMS = ms(time.Since(began))
	if tag.RowsAffected() != int64(len(ids)) {
		return 0, 0, fmt.Errorf("probe completion changed %d rows, want %d", tag.RowsAffected(), len(ids))
	}
	return claimMS, completeMS, nil
}

// scanUUID turns the driver's uuid value into its text form.
func scanUUID(v any, out *string) error {
	b, ok := v.([16]byte)
	if !ok {
		return fmt.Errorf("probe claim: id is %T, not a uuid", v)
	}
	*out = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// explainClaim runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the claim in
// a transaction rolled back afterwards.
func explainClaim(ctx context.Context, conn *pgx.Conn, sql pgbench.StoreSQL) (*results.Plan, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var doc []byte
	if err := tx.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+sql.Claim, probeOwner, backendBatch, 30000).Scan(&doc); err != nil {
		return nil, fmt.Errorf("explain claim: %w", err)
	}
	return parsePlan(doc)
}

// planNode is the part of an EXPLAIN JSON node the summary reads.
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	SharedHit    int64      `json:"Shared Hit Blocks"`
	SharedRead   int64      `json:"Shared Read Blocks"`
	Plans        []planNode `json:"Plans"`
}

// parsePlan summarises EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output.
func parsePlan(doc []byte) (*results.Plan, error) {
	var plans []struct {
		Plan          planNode `json:"Plan"`
		PlanningTime  float64  `json:"Planning Time"`
		ExecutionTime float64  `json:"Execution Time"`
	}
	if err := json.Unmarshal(doc, &plans); err != nil || len(plans) != 1 {
		return nil, fmt.Errorf("explain output is not one JSON plan: %v", err)
	}
	p := plans[0]
	out := &results.Plan{
		ExecutionMS: p.ExecutionTime, PlanningMS: p.PlanningTime,
		SharedHitBlocks: p.Plan.SharedHit, SharedReadBlocks: p.Plan.SharedRead,
	}
	var walk func(n planNode)
	walk = func(n planNode) {
		label := n.NodeType
		if n.IndexName != "" {
			label += " using " + n.IndexName
		}
		if n.RelationName != "" {
			label += " on " + n.RelationName
		}
		out.Nodes = append(out.Nodes, label)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(p.Plan)
	return out, nil
}
