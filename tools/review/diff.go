package review

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// Diff statuses and the reason a keyless model is skipped.
const (
	statusDone    = "done"
	statusSkipped = "skipped"
	statusFailed  = "failed"
	reasonNoKey   = "no primary key: no column has both a unique and a not_null dbt test; give primary_keys"
)

// diff compares the node's production relation with its PR relation, in
// the warehouse connection of each project, within what is left of the
// call's diff wait.
func (r *run) diff(c dbt.NodeChange, keys map[string][]string, samples int, deadline time.Time) *ModelDiff {
	out := &ModelDiff{}
	skip := func(format string, a ...any) *ModelDiff {
		out.Status, out.Reason = statusSkipped, fmt.Sprintf(format, a...)
		out.Summary = "not diffed: " + out.Reason
		return out
	}
	switch {
	case c.Change == dbt.ChangeNew:
		return skip("new in the PR, there is no production table to compare with")
	case c.Change == dbt.ChangeRemoved:
		return skip("removed by the PR, there is no PR table to compare with")
	case !c.DataChanged():
		return skip("only descriptions changed, which changes no data")
	case c.BaseRelation == "" || c.PRRelation == "":
		return skip("an ephemeral model has no table")
	case r.out.Base.Warehouse == "" || r.out.PR.Warehouse == "":
		return skip("no warehouse connection is configured for both projects")
	case r.out.Base.Warehouse == r.out.PR.Warehouse && strings.EqualFold(c.BaseRelation, c.PRRelation):
		return skip("both manifests build %s in warehouse %s: one table, nothing to compare", c.BaseRelation, r.out.Base.Warehouse)
	}
	out.PrimaryKey, out.KeyFrom = keyFor(c, keys), "argument"
	if out.PrimaryKey == nil {
		out.PrimaryKey, out.KeyFrom = dbt.TestedKey(r.pr.Graph(), c.ID), "dbt tests"
	}
	if out.PrimaryKey == nil {
		out.KeyFrom = ""
		return skip(reasonNoKey)
	}
	if !r.o.now().Before(deadline) {
		return skip("the diff wait (%s) was spent on the models before; diff it alone with diff_tables", r.o.Wait)
	}
	ctx, cancel := context.WithDeadline(r.ctx, deadline)
	defer cancel()
	a, err := r.side(ctx, r.out.Base.Warehouse, c.BaseRelation)
	if err == nil {
		var b whdiff.Side
		if b, err = r.side(ctx, r.out.PR.Warehouse, c.PRRelation); err == nil {
			out.Base, out.PR = a.Conn.Name()+":"+a.Table, b.Conn.Name()+":"+b.Table
			var res *whdiff.Result
			res, err = whdiff.Diff(ctx, whdiff.Request{A: a, B: b, PrimaryKey: out.PrimaryKey, SampleLimit: samples})
			if err == nil {
				fill(out, res, samples)
				return out
			}
		}
	}
	out.Status = statusFailed
	switch {
	case r.ctx.Err() != nil:
		out.Reason = "cancelled; nothing was changed (the databases are only read)"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		out.Reason = fmt.Sprintf("not finished within the diff wait (%s); diff it alone with diff_tables", r.o.Wait)
	default:
		out.Reason = err.Error()
	}
	out.Summary = "diff failed: " + out.Reason
	return out
}

// keyFor is the key the primary_keys argument gives the node, by name or
// unique_id, or nil.
func keyFor(c dbt.NodeChange, keys map[string][]string) []string {
	for k, v := range keys {
		if len(v) > 0 && (strings.EqualFold(k, c.Name) || k == c.ID) {
			return v
		}
	}
	return nil
}

// side finds a relation (database.schema.identifier) in a warehouse
// connection: as schema.identifier, else as identifier alone (a database
// whose tables are not in the manifest's schemas, like the sandbox's
// SQLite files).
func (r *run) side(ctx context.Context, wh, relation string) (whdiff.Side, error) {
	conn, err := r.o.Warehouses.Conn(ctx, wh)
	if err != nil {
		return whdiff.Side{}, err
	}
	parts := warehouse.SplitName(relation)
	var tries []string
	if len(parts) >= 2 {
		tries = append(tries, quoteName(parts[len(parts)-2:]))
	}
	if len(parts) >= 1 {
		tries = append(tries, quoteName(parts[len(parts)-1:]))
	}
	var first error
	for _, t := range tries {
		info, err := conn.Describe(ctx, t)
		if err == nil {
			return whdiff.Side{Conn: conn, Table: info.Qualified()}, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if first == nil {
		first = fmt.Errorf("%q is not a relation name", relation)
	}
	return whdiff.Side{}, first
}

// quoteName writes parts as a dotted name, quoting those that need it.
func quoteName(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if strings.ContainsAny(p, `." `) {
			p = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
		}
		out[i] = p
	}
	return strings.Join(out, ".")
}

// fill copies a diff's result into out, samples bounded.
func fill(out *ModelDiff, res *whdiff.Result, samples int) {
	out.Status, out.Result = statusDone, res.Result
	out.RowsBase, out.RowsPR = res.A.Rows, res.B.Rows
	out.OnlyInBase, out.OnlyInPR = res.A.RowsOnlyHere, res.B.RowsOnlyHere
	out.DuplicateKeys = res.A.DuplicateKeys + res.B.DuplicateKeys
	out.NullKeys = res.A.NullKeys + res.B.NullKeys
	out.RowsWithDifferences = res.Values.RowsWithDifferences
	for _, c := range res.Values.Columns {
		if c.ValuesDifferent > 0 {
			out.Columns = append(out.Columns, diff.DiffColumn{Column: c.Column, ValuesDifferent: int(c.ValuesDifferent), MatchPercent: c.MatchPct})
		}
	}
	slices.SortStableFunc(out.Columns, func(a, b diff.DiffColumn) int { return b.ValuesDifferent - a.ValuesDifferent })
	if len(out.Columns) > 5 {
		out.Columns = out.Columns[:5]
	}
	out.ColumnsOnlyInBase, out.ColumnsOnlyInPR = res.Schema.OnlyInA, res.Schema.OnlyInB
	for _, tc := range res.Schema.TypeChanged {
		out.TypeChanges = append(out.TypeChanges, fmt.Sprintf("%s (%s → %s)", tc.Column, tc.A, tc.B))
	}
	if res.Result != whdiff.Identical {
		s := res.Samples
		s.OnlyInA, s.OnlyInB, s.Differing = first(s.OnlyInA, samples), first(s.OnlyInB, samples), first(s.Differing, samples)
		s.DuplicateKeysA, s.DuplicateKeysB = first(s.DuplicateKeysA, samples), first(s.DuplicateKeysB, samples)
		s.NullKeysA, s.NullKeysB = first(s.NullKeysA, samples), first(s.NullKeysB, samples)
		out.Samples = &s
	}
	out.Algorithm, out.Queries = res.Algorithm, res.Cost.Queries
	out.Seconds = math.Round(res.Cost.Duration.Seconds()*1000) / 1000
	out.Summary = diffSummary(out)
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// diffSummary is one diff in a sentence: "12 rows only in production, 40
// rows differ (status 40)".
func diffSummary(d *ModelDiff) string {
	if d.Result == whdiff.Identical {
		return fmt.Sprintf("identical in production and the PR (%s rows, key %s)", count(d.RowsBase), strings.Join(d.PrimaryKey, ", "))
	}
	var parts []string
	if d.OnlyInBase > 0 {
		parts = append(parts, count(d.OnlyInBase)+" "+rows(d.OnlyInBase)+" only in production")
	}
	if d.OnlyInPR > 0 {
		parts = append(parts, count(d.OnlyInPR)+" "+rows(d.OnlyInPR)+" only in the PR")
	}
	if d.RowsWithDifferences > 0 {
		var cols []string
		for _, c := range d.Columns {
			cols = append(cols, fmt.Sprintf("%s %s", c.Column, count(int64(c.ValuesDifferent))))
		}
		s := count(d.RowsWithDifferences) + " " + rows(d.RowsWithDifferences) + map[bool]string{true: " differs", false: " differ"}[d.RowsWithDifferences == 1]
		if len(cols) > 0 {
			s += " (" + strings.Join(cols, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if n := d.DuplicateKeys + d.NullKeys; n > 0 {
		parts = append(parts, fmt.Sprintf("%s duplicate or null keys (counts unreliable)", count(n)))
	}
	if k := len(d.ColumnsOnlyInBase) + len(d.ColumnsOnlyInPR) + len(d.TypeChanges); k > 0 {
		parts = append(parts, plural(k, "column")+" added, removed or retyped")
	}
	if len(parts) == 0 {
		parts = append(parts, "different")
	}
	return strings.Join(parts, ", ")
}

func rows(n int64) string {
	if n == 1 {
		return "row"
	}
	return "rows"
}

// count writes n with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}
