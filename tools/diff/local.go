package diff

import (
	"fmt"
	"math"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/sqlast"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// A diff of two tables in the user's own databases (warehouse sides) runs
// here, pushed down to the databases by the warehouse diff engine: a join
// diff when both tables are in one database, a hash diff (checksums of key
// ranges, bisected) across databases. It answers with the same verdict as
// a Datafold diff, plus the algorithm and what it cost, and samples of the
// differences. It runs within the call: there is no diff id, and
// get_diff_result does not apply (call diff_tables again to re-run).

// vetSQL returns why a side's SQL (query or filter) may not be forwarded:
// it must be plainly read-only (sqlast.Classify), "" when it may.
func vetSQL(side *DiffSide, name string) string {
	if side.Query != "" {
		if v := sqlast.Classify(side.Query); !v.ReadOnly {
			return fmt.Sprintf("%s: %s.query must be one plain read-only query, and this one is not: %s. Rewrite it as a plain SELECT.", TablesName, name, v.Reason)
		}
	}
	if side.Filter != "" {
		// A filter is a condition: it must read as one, alone, in a
		// read-only query.
		if v := sqlast.Classify("SELECT 1 WHERE (" + side.Filter + "\n)"); !v.ReadOnly {
			return fmt.Sprintf("%s: %s.filter must be a plain SQL condition (no statements, comments or side effects), and this one is not: %s.", TablesName, name, v.Reason)
		}
	}
	return ""
}

func (r *diffRun) warehouseNames() string {
	if names := r.o.Warehouses.Names(); len(names) > 0 {
		return strings.Join(names, ", ")
	}
	return "none configured"
}

// LocalRun is what a diff of warehouse sides ran and cost.
type LocalRun struct {
	// Algorithm is join (one database) or hash (across databases).
	Algorithm   string  `json:"algorithm"`
	Queries     int     `json:"queries"`
	RowsFetched int64   `json:"rows_fetched"`
	Segments    int     `json:"segments,omitempty"`
	Seconds     float64 `json:"seconds"`
}

// localSteps bounds the progress notifications of a local diff.
const localSteps = 50

// localDiff diffs two warehouse tables.
func (r *diffRun) localDiff(a DiffArgs) *tools.Result {
	req := whdiff.Request{PrimaryKey: a.PrimaryKey, Columns: a.IncludeColumns, Exclude: a.ExcludeColumns, SampleLimit: whdiff.DefaultSampleLimit}
	for i, side := range []*DiffSide{&a.A, &a.B} {
		name := []string{"a", "b"}[i]
		switch {
		case side.Query != "":
			return r.fail("%s: %s.query is for Datafold sides; on a warehouse give %s.table (and %s.filter to narrow it).", TablesName, name, name, name)
		case side.Table == "":
			return r.fail("%s: give %s.table (schema.table or table).", TablesName, name)
		case side.TimeTravel != nil:
			return r.fail("%s: %s.time_travel is for Datafold sides.", TablesName, name)
		}
		if bad := vetSQL(side, name); bad != "" {
			return r.fail("%s", bad)
		}
		c, err := r.o.Warehouses.Conn(r.ctx, side.Warehouse)
		if err != nil {
			return r.fail("%s: %s.warehouse: %v", TablesName, name, err)
		}
		s := whdiff.Side{Conn: c, Table: side.Table, Filter: side.Filter}
		if i == 0 {
			req.A = s
		} else {
			req.B = s
		}
	}
	if a.SamplingRatio > 0 || a.SamplingMaxRows > 0 || a.TimeColumn != "" {
		return r.fail("%s: sampling and time windows are for Datafold sides; on warehouses narrow a side with its filter.", TablesName)
	}
	for _, t := range a.Tolerances {
		if t.Mode == "relative" {
			return r.fail("%s: on warehouses a tolerance is absolute (column %s).", TablesName, t.Column)
		}
		if req.Tolerances == nil {
			req.Tolerances = map[string]float64{}
		}
		req.Tolerances[t.Column] = t.Value
	}
	prog := tools.NewProgress(r.ctx, localSteps)
	last := ""
	req.Progress = func(p whdiff.Progress) {
		if p.Stage != last {
			last = p.Stage
			prog.Report("Diff: %s (%d of %d).", p.Stage, p.Done, p.Total)
		}
	}
	res, err := whdiff.Diff(r.ctx, req)
	if err != nil {
		if r.ctx.Err() != nil {
			return r.fail("%s: cancelled; nothing was changed (the databases are only read).", TablesName)
		}
		return r.fail("%s: %v", TablesName, err)
	}
	v := verdictOfLocal(a, res)
	prog.Finish("Diff done: %s.", v.Result)
	return tools.StructuredResult(v, v.text())
}

// verdictOfLocal is the verdict of a warehouse diff.
func verdictOfLocal(a DiffArgs, res *whdiff.Result) *DiffVerdict {
	v := &DiffVerdict{Status: "done", Result: res.Result, PrimaryKey: res.PrimaryKey,
		WaitedSeconds: math.Round(res.Cost.Duration.Seconds()*10) / 10}
	for i, s := range []whdiff.SideResult{res.A, res.B} {
		out := DiffSideResult{Warehouse: s.Conn, Table: s.Table, Filter: s.Filter,
			Rows: ip(float64(s.Rows)), RowsOnlyHere: ip(float64(s.RowsOnlyHere)),
			DuplicateKeys: ip(float64(s.DuplicateKeys)), NullKeys: ip(float64(s.NullKeys)), Columns: ip(float64(s.Columns))}
		if i == 0 {
			out.ColumnsOnlyHere = res.Schema.OnlyInA
			v.A = out
		} else {
			out.ColumnsOnlyHere = res.Schema.OnlyInB
			v.B = out
		}
	}
	vals := res.Values
	v.Values = &DiffValues{RowsCompared: int(vals.RowsCompared), RowsWithDifferences: int(vals.RowsWithDifferences),
		ValuesWithDifferences: int(vals.ValuesWithDifferences), ColumnsCompared: vals.ColumnsCompared, ColumnsWithDifferences: vals.ColumnsWithDifferences}
	for _, c := range vals.Columns {
		if c.ValuesDifferent > 0 {
			v.Columns = append(v.Columns, DiffColumn{Column: c.Column, ValuesDifferent: int(c.ValuesDifferent), MatchPercent: c.MatchPct})
		}
	}
	v.Columns = topColumns(v.Columns)
	for _, tc := range res.Schema.TypeChanged {
		v.TypeMismatches = append(v.TypeMismatches, fmt.Sprintf("%s (%s → %s)", tc.Column, tc.A, tc.B))
	}
	v.Samples = &res.Samples
	v.Local = &LocalRun{Algorithm: res.Algorithm, Queries: res.Cost.Queries, RowsFetched: res.Cost.RowsFetched, Segments: res.Cost.Segments,
		Seconds: math.Round(res.Cost.Duration.Seconds()*1000) / 1000}
	v.Summary = v.doneSummary() + fmt.Sprintf(" Ran here as a %s diff: %d queries, %s rows fetched.", res.Algorithm, res.Cost.Queries, thousands(int(res.Cost.RowsFetched)))
	v.Next = localNext(a, v)
	return v
}

// localNext are the calls that explain a warehouse diff.
func localNext(a DiffArgs, v *DiffVerdict) []DiffNext {
	if v.Result == whdiff.Identical {
		return nil
	}
	var next []DiffNext
	if len(v.A.ColumnsOnlyHere)+len(v.B.ColumnsOnlyHere)+len(v.TypeMismatches) > 0 {
		for _, s := range []DiffSideResult{v.A, v.B} {
			next = append(next, DiffNext{Tool: databases.DescribeTableName, Arguments: map[string]any{"warehouse": s.Warehouse, "table": s.Table},
				Why: "the columns and types of " + s.Table + " on " + s.Warehouse})
		}
	}
	if len(v.Columns) > 0 && len(a.PrimaryKey) > 0 {
		c := v.Columns[0].Column
		for _, s := range []DiffSideResult{v.A, v.B} {
			next = append(next, DiffNext{Tool: databases.QueryName, Arguments: map[string]any{"warehouse": s.Warehouse,
				"sql": fmt.Sprintf("SELECT %s, %s FROM %s ORDER BY %s LIMIT 20", strings.Join(a.PrimaryKey, ", "), c, s.Table, strings.Join(a.PrimaryKey, ", "))},
				Why: fmt.Sprintf("rows of %s, the column that differs most, on %s (compare with the samples)", c, s.Warehouse)})
		}
	}
	return next
}
