package diff

import (
	"errors"
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
// differences. It runs as a job of this server (jobs.go): a diff not done
// within the wait answers status running and a handle (handle.go), keeps
// running, and get_diff_result picks it up (or, on a server that does not
// hold it, runs it again).

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

// rerunNote opens the answer of a diff get_diff_result ran again.
const rerunNote = "This server did not hold that diff (another server started it, this one restarted since, or its result was dropped after a while), so it ran it again here. "

// localRequest checks a diff of warehouse sides as diff_tables does (the
// arguments of a call, or those a handle carries: the same checks) and
// returns what to run; a result instead is the refusal, named for the
// tool answering.
func (r *diffRun) localRequest(tool string, a DiffArgs) (whdiff.Request, *tools.Result) {
	req := whdiff.Request{PrimaryKey: a.PrimaryKey, Columns: a.IncludeColumns, Exclude: a.ExcludeColumns, SampleLimit: whdiff.DefaultSampleLimit}
	if a.A.Warehouse == "" || a.B.Warehouse == "" || a.A.DataSource != nil || a.B.DataSource != nil {
		return req, r.fail("%s: both sides must be warehouse connections, or both Datafold data sources; give a and b the same kind.", tool)
	}
	for i, side := range []*DiffSide{&a.A, &a.B} {
		name := []string{"a", "b"}[i]
		switch {
		case side.Query != "":
			return req, r.fail("%s: %s.query is for Datafold sides; on a warehouse give %s.table (and %s.filter to narrow it).", tool, name, name, name)
		case side.Table == "":
			return req, r.fail("%s: give %s.table (schema.table or table).", tool, name)
		case side.TimeTravel != nil:
			return req, r.fail("%s: %s.time_travel is for Datafold sides.", tool, name)
		}
		if bad := vetSQL(side, name); bad != "" {
			return req, r.fail("%s", strings.Replace(bad, TablesName+":", tool+":", 1))
		}
		c, err := r.o.Warehouses.Conn(r.ctx, side.Warehouse)
		if err != nil {
			return req, r.fail("%s: %s.warehouse: %v", tool, name, err)
		}
		s := whdiff.Side{Conn: c, Table: side.Table, Filter: side.Filter}
		if i == 0 {
			req.A = s
		} else {
			req.B = s
		}
	}
	if len(a.PrimaryKey) == 0 {
		return req, r.fail("%s: primary_key is empty: name the columns that identify a row.", tool)
	}
	if a.SamplingRatio > 0 || a.SamplingMaxRows > 0 || a.TimeColumn != "" || a.TimeFrom != "" || a.TimeTo != "" {
		return req, r.fail("%s: sampling and time windows are for Datafold sides; on warehouses narrow a side with its filter.", tool)
	}
	for _, t := range a.Tolerances {
		if t.Mode == "relative" {
			return req, r.fail("%s: on warehouses a tolerance is absolute (column %s).", tool, t.Column)
		}
		if req.Tolerances == nil {
			req.Tolerances = map[string]float64{}
		}
		req.Tolerances[t.Column] = t.Value
	}
	return req, nil
}

// localDiff starts a diff of two warehouse tables and waits for it.
func (r *diffRun) localDiff(a DiffArgs) *tools.Result {
	req, refused := r.localRequest(TablesName, a)
	if refused != nil {
		return refused
	}
	jb, err := r.o.Jobs.start(newJobID(), requestKey(a), req, r.o.runner(), r.clock)
	if err != nil {
		return r.notStarted(TablesName, err)
	}
	return r.awaitLocal(TablesName, jb, a, false)
}

// localResult answers get_diff_result for a handle: from the job when
// this server holds it, else by running the diff again.
func (r *diffRun) localResult(handle string) *tools.Result {
	body, err := decodeHandle(handle)
	if err != nil {
		return r.fail("%s: handle is not one diff_tables answered: %v. Copy the handle exactly, or call diff_tables again.", GetResultName, err)
	}
	a := body.Args
	req, refused := r.localRequest(GetResultName, a)
	if refused != nil {
		return refused
	}
	key := requestKey(a)
	if jb := r.o.Jobs.lookup(body.ID, key, r.clock.Now()); jb != nil {
		return r.awaitLocal(GetResultName, jb, a, false)
	}
	id := body.ID
	if r.o.Jobs.taken(id) { // by another request: this one is not it
		id = newJobID()
	}
	jb, err := r.o.Jobs.start(id, key, req, r.o.runner(), r.clock)
	if err != nil {
		return r.notStarted(GetResultName, err)
	}
	return r.awaitLocal(GetResultName, jb, a, true)
}

// notStarted answers a diff the server would not start.
func (r *diffRun) notStarted(tool string, err error) *tools.Result {
	var many tooManyError
	if errors.As(err, &many) {
		return r.fail("%s: %v. Wait for one to finish (get_diff_result on its handle gives its verdict), or narrow this diff, then call again.", tool, err)
	}
	return r.fail("%s: the diff was not started: %v.", tool, err)
}

// awaitLocal waits for a warehouse diff, bounded by the wait, passing its
// progress on; a diff still running then answers status running with its
// handle and keeps going. rerun says this call ran it again from a
// handle. A diff_tables call cancelled before the wait is over stops its
// diff (nobody holds its handle yet); a get_diff_result call leaves it
// running.
func (r *diffRun) awaitLocal(tool string, jb *job, a DiffArgs, rerun bool) *tools.Result {
	handle := encodeHandle(jb.id, a)
	prog := tools.NewProgress(r.ctx, localSteps)
	var steps stepFilter
	detach := jb.attach(func(p whdiff.Progress) {
		if steps.worth(p) {
			prog.Report("Diff: %s (%d of %d).", p.Stage, p.Done, p.Total)
		}
	})
	select {
	case <-jb.done:
	default:
		select {
		case <-jb.done:
		case <-r.ctx.Done():
			detach()
			if tool == TablesName {
				jb.cancel()
				r.o.Jobs.drop(jb)
				return r.fail("%s: cancelled; the diff was stopped and nothing was changed (the databases are only read).", tool)
			}
			return r.fail("%s: stopped waiting: the call was cancelled. The warehouse diff keeps running; get_diff_result {\"handle\": %q} gives its verdict.", tool, handle)
		case <-r.clock.After(r.wait - r.clock.Now().Sub(r.start)):
			detach()
			v := r.localRunning(jb, a, handle, rerun)
			prog.Finish("Warehouse diff still running after %s.", seconds(r.since()))
			return tools.StructuredResult(v, v.text())
		}
	}
	detach()
	if jb.err != nil {
		note := ""
		if rerun {
			note = rerunNote
		}
		return r.fail("%s: %s%v", tool, note, jb.err)
	}
	v := verdictOfLocal(a, jb.res)
	v.Handle = handle
	if rerun {
		v.Rerun, v.Summary = true, rerunNote+v.Summary
	}
	prog.Finish("Diff done: %s.", v.Result)
	return tools.StructuredResult(v, v.text())
}

// stepFilter picks the steps of a diff worth a notification: each new
// stage, and within a stage (a bisection level checks segment after
// segment) every fifth of its segments and its end, so a call's
// notifications stay within localSteps.
type stepFilter struct{ last whdiff.Progress }

func (f *stepFilter) worth(p whdiff.Progress) bool {
	last := f.last
	switch {
	case p.Stage != last.Stage,
		p.Done == p.Total && last.Done != p.Total,
		p.Total > 0 && (p.Done-last.Done)*5 >= p.Total:
		f.last = p
		return true
	}
	return false
}

// localRunning is the verdict of a warehouse diff still running.
func (r *diffRun) localRunning(jb *job, a DiffArgs, handle string, rerun bool) *DiffVerdict {
	v := &DiffVerdict{Status: "running", Handle: handle, PrimaryKey: a.PrimaryKey, Rerun: rerun,
		WaitedSeconds: math.Round(r.since()*10) / 10,
		A:             DiffSideResult{Warehouse: a.A.Warehouse, Table: a.A.Table, Filter: a.A.Filter},
		B:             DiffSideResult{Warehouse: a.B.Warehouse, Table: a.B.Table, Filter: a.B.Filter}}
	v.RetryAfterSeconds = int(min(60, max(5, math.Round(r.since()))))
	at := ""
	if s := jb.stage(); s != "" {
		at = " (at " + s + ")"
	}
	v.Summary = fmt.Sprintf("The warehouse diff is still running%s after %s and keeps running on this server. Call get_diff_result with its handle in about %d s for the verdict.",
		at, seconds(v.WaitedSeconds), v.RetryAfterSeconds)
	if rerun {
		v.Summary = rerunNote + v.Summary
	}
	v.Next = []DiffNext{{Tool: GetResultName, Arguments: map[string]any{"handle": handle}, Why: fmt.Sprintf("the verdict; call in about %d s", v.RetryAfterSeconds)}}
	return v
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
