package sandbox

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// Data diff life cycle and results. A created diff is "waiting" for
// Sandbox.DiffQueued, then "processing" (reported as "running" by
// summary_results) for Sandbox.DiffRunning, then "done" (or "failed") with
// results the diff engine (warehouse/diff) finds in the demo warehouse's
// files (diffrun.go). The comparison starts when the diff is created, and a
// diff is "processing" for as long as the engine is still comparing, even
// once its time is up; the seeded diffs, finished long ago, wait for it
// when their results are first needed. Comparisons are shared by every
// diff, of every Sandbox of the process, that asks the same (the data is
// deterministic).

type diffOutcome struct {
	Failed         bool
	ErrType, ErrV  string
	Kind           string // in_db, cross_db
	TableA, TableB *table
	ColsA, ColsB   int
	ExclColsA      []string
	ExclColsB      []string
	PK             []string
	run            *diffRun
	stats          *tableDiff // the run's results, once read
}

// tableDiff is what a comparison found.
type tableDiff struct {
	RowsA, RowsB  int
	ExclA, ExclB  int
	ColumnDiffs   map[string]int // compared column -> rows whose value differs
	RowsWithDiffs int
	Compared      []string
}

func (o *diffOutcome) result() string {
	switch {
	case o.failed():
		return "error"
	case o.st().RowsA == 0 && o.st().RowsB == 0:
		return "empty"
	case o.identical():
		return "identical"
	}
	return "different"
}

func (o *diffOutcome) identical() bool {
	if o.st().ExclA+o.st().ExclB > 0 || len(o.ExclColsA)+len(o.ExclColsB) > 0 {
		return false
	}
	for _, n := range o.st().ColumnDiffs {
		if n > 0 {
			return false
		}
	}
	return true
}

// starQueryRE is the one form of query a diff side may be: a table,
// optionally filtered.
var starQueryRE = lazyRegexp(`(?is)^\s*select\s+\*\s+from\s+([^\s;()]+)(?:\s+where\s+(.+?))?\s*;?\s*$`)

// diffSide is one side of a diff, resolved.
type diffSide struct {
	w      *warehouse
	t      *table
	name   string // as the diff names it
	filter string // SQL for the engine
	err    string // why the side cannot be compared (ErrType: ErrV)
}

// dataset resolves one side of a diff: a table (path) or a query of the
// form SELECT * FROM table [WHERE condition], with an optional filter.
func (d *dfDiff) dataset(ds int, path []string, query string, filter any) diffSide {
	side := diffSide{w: warehouseFor(ds)}
	var conds []string
	if query != "" {
		m := starQueryRE().FindStringSubmatch(query)
		if m == nil {
			side.err = "DataDiffQueryError: not supported by the sandbox: a query diff other than SELECT * FROM <table> [WHERE <condition>]"
			return side
		}
		path = parsePath(m[1])
		if m[2] != "" {
			conds = append(conds, "("+m[2]+")")
		}
	}
	if f, _ := filter.(string); strings.TrimSpace(f) != "" {
		conds = append(conds, "("+f+")")
	}
	side.name = displayPath(path)
	if side.w != nil && len(path) > 0 {
		side.t = side.w.find(path)
	}
	if side.t == nil {
		name := side.name
		if side.w == nil || side.w.Kind == "snowflake" {
			name = strings.ToUpper(name)
		}
		side.err = fmt.Sprintf("NoSuchTableException: Table '%s' does not exist or not authorized.", name)
		return side
	}
	if len(conds) > 0 {
		f, err := side.w.rewriteNames(strings.Join(conds, " AND "))
		if err != nil {
			side.err = "DataDiffQueryError: " + err.Error()
			return side
		}
		side.filter = f
	}
	return side
}

// outcome resolves (once) what d compares and starts the comparison.
func (s *Sandbox) outcome(d *dfDiff) *diffOutcome {
	if d.out != nil {
		return d.out
	}
	o := &diffOutcome{Kind: "in_db"}
	if d.DS1 != d.DS2 {
		o.Kind = "cross_db"
	}
	d.out = o
	fail := func(typ, v string) *diffOutcome {
		o.Failed, o.ErrType, o.ErrV = true, typ, v
		return o
	}
	a := d.dataset(d.DS1, d.Table1, d.Query1, d.Filter1)
	b := d.dataset(d.DS2, d.Table2, d.Query2, d.Filter2)
	for _, side := range []diffSide{a, b} {
		if side.err != "" {
			typ, v, _ := strings.Cut(side.err, ": ")
			return fail(typ, v)
		}
	}
	tA, tB := a.t, b.t
	o.TableA, o.TableB = tA, tB
	pk := d.PK
	if len(pk) == 0 {
		pk = []string{tA.PK}
	}
	o.PK = pk
	for _, k := range pk {
		for _, t := range []*table{tA, tB} {
			if t.column(k) == nil {
				return fail("DataDiffPrimaryKeyError", fmt.Sprintf("Primary key column '%s' not found in %s.", k, t.fqn()))
			}
		}
	}
	o.ColsA, o.ColsB = len(tA.Columns), len(tB.Columns)
	var exclude []string
	for _, c := range tA.Columns {
		if tB.column(c.Name) == nil {
			o.ExclColsA = append(o.ExclColsA, c.Name)
			continue
		}
		if !slices.ContainsFunc(pk, func(k string) bool { return strings.EqualFold(k, c.Name) }) && !d.selected(c.Name) {
			exclude = append(exclude, c.Name)
		}
	}
	for _, c := range tB.Columns {
		if tA.column(c.Name) == nil {
			o.ExclColsB = append(o.ExclColsB, c.Name)
		}
	}
	o.run = s.startDiff(diffSpec{
		a:  diffTarget{file: a.w.file, table: tA.sqlName(), filter: a.filter},
		b:  diffTarget{file: b.w.file, table: tB.sqlName(), filter: b.filter},
		pk: pk, exclude: exclude,
	})
	return o
}

// failed reports whether the diff failed: on what it names, or in the
// engine (waiting for it).
func (o *diffOutcome) failed() bool {
	if o.Failed || o.run == nil {
		return true
	}
	<-o.run.done
	switch {
	case o.run.err != nil:
		o.Failed, o.ErrType, o.ErrV = true, "DataDiffError", o.run.err.Error()
	case o.run.res.A.DuplicateKeys+o.run.res.B.DuplicateKeys > 0:
		table := o.TableA.fqn()
		if o.run.res.A.DuplicateKeys == 0 {
			table = o.TableB.fqn()
		}
		o.Failed, o.ErrType = true, "DataDiffPrimaryKeyError"
		o.ErrV = fmt.Sprintf("Column(s) %s do not uniquely identify rows: found duplicate primary keys in %s.", strings.Join(o.PK, ", "), table)
	case o.run.res.A.NullKeys+o.run.res.B.NullKeys > 0:
		o.Failed, o.ErrType = true, "DataDiffPrimaryKeyError"
		o.ErrV = fmt.Sprintf("Column(s) %s hold NULLs: a primary key cannot.", strings.Join(o.PK, ", "))
	}
	return o.Failed
}

// st is what the comparison found (waiting for it); only for diffs that
// did not fail.
func (o *diffOutcome) st() *tableDiff {
	if o.stats == nil {
		<-o.run.done
		r := o.run.res
		st := &tableDiff{RowsA: int(r.A.Rows), RowsB: int(r.B.Rows), ExclA: int(r.A.RowsOnlyHere), ExclB: int(r.B.RowsOnlyHere),
			RowsWithDiffs: int(r.Values.RowsWithDifferences), ColumnDiffs: map[string]int{}}
		for _, c := range r.Values.Columns {
			st.Compared = append(st.Compared, c.Column)
			if c.ValuesDifferent > 0 {
				st.ColumnDiffs[c.Column] = int(c.ValuesDifferent)
			}
		}
		o.stats = st
	}
	return o.stats
}

func (d *dfDiff) selected(col string) bool {
	has := func(list []string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, col) })
	}
	if len(d.Compare) > 0 && !has(d.Compare) {
		return false
	}
	if len(d.Include) > 0 && !has(d.Include) {
		return false
	}
	return !has(d.Exclude)
}

// status is the JobStatus of d at now.
func (s *Sandbox) diffStatus(d *dfDiff, now time.Time) string {
	if d.Cancelled {
		return "cancelled"
	}
	if !d.Seeded {
		el := now.Sub(d.Created)
		switch {
		case el < s.DiffQueued:
			return "waiting"
		case el < s.DiffQueued+s.DiffRunning:
			return "processing"
		}
		if o := s.outcome(d); !o.Failed && !o.run.finished() {
			return "processing" // the engine is still comparing
		}
	}
	// A seeded diff finished long ago: its results are waited for.
	if s.outcome(d).failed() {
		return "failed"
	}
	return "done"
}

func (s *Sandbox) diffFinished(d *dfDiff) time.Time {
	if d.Seeded {
		return d.Created.Add(d.Runtime)
	}
	return d.Created.Add(s.DiffQueued + s.DiffRunning)
}

func finished(status string) bool {
	return status == "done" || status == "failed" || status == "cancelled"
}

func round(f float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(f*p) / p
}

// diffStats is the DiffStats object of a finished diff.
func (o *diffOutcome) diffStats() map[string]any {
	st := o.st()
	total := max(st.RowsA, st.RowsB, 1)
	common := st.RowsA - st.ExclA
	diffRows := st.ExclA + st.ExclB + st.RowsWithDiffs
	values := 0
	for _, n := range st.ColumnDiffs {
		values += n
	}
	totalValues := max(common*max(len(st.Compared), 1), 1)
	return map[string]any{
		"version": "2", "diff_rows_count": diffRows, "diff_rows": round(float64(diffRows)/float64(total)*100, 4),
		"diff_pks": round(float64(st.ExclA+st.ExclB)/float64(total)*100, 4), "diff_values": round(float64(values)/float64(totalValues)*100, 4),
		"diff_rows_number": float64(diffRows), "rows_added": st.ExclB, "rows_removed": st.ExclA,
		"match_ratio": round(1-float64(diffRows)/float64(total), 6), "table_a_row_count": st.RowsA, "table_b_row_count": st.RowsB,
		"diff_schema": float64(len(o.ExclColsA) + len(o.ExclColsB)), "errors": 0, "sampled": false,
		"diff_duplicate_pks": 0.0, "diff_null_pks": 0.0,
	}
}

func (o *diffOutcome) affected() []string {
	var out []string
	for _, c := range o.st().Compared {
		if o.st().ColumnDiffs[c] > 0 {
			out = append(out, c)
		}
	}
	return out
}

// diffFull is the ApiDataDiffFull view of d.
func (s *Sandbox) diffFull(d *dfDiff, now time.Time) map[string]any {
	status := s.diffStatus(d, now)
	m := map[string]any{}
	for k, v := range d.Req {
		m[k] = v
	}
	o := s.outcome(d)
	m["id"] = d.ID
	m["data_source1_id"], m["data_source2_id"] = d.DS1, d.DS2
	m["table1"], m["table2"] = orNilList(d.Table1), orNilList(d.Table2)
	m["query1"], m["query2"] = orNil(d.Query1), orNil(d.Query2)
	m["filter1"], m["filter2"] = d.Filter1, d.Filter2
	m["pk_columns"] = anyList(o.PKOr(d.PK))
	m["include_columns"], m["exclude_columns"] = orNilList(d.Include), orNilList(d.Exclude)
	m["columns_to_compare"] = orNilList(d.Compare)
	m["tags"] = anyList(d.Tags)
	m["kind"] = o.Kind
	m["algorithm"] = map[string]string{"in_db": "join", "cross_db": "hash"}[o.Kind]
	m["source"] = d.Source
	m["status"] = status
	m["done"] = finished(status)
	m["created_at"] = ptime(d.Created)
	m["updated_at"] = ptime(d.Created)
	m["user_id"] = 1
	m["archived"], m["purged"], m["infer_pk"] = false, false, false
	m["result_revisions"] = map[string]any{}
	m["monitor_id"] = orNil(d.MonitorID)
	m["result"], m["diff_stats"], m["finished_at"], m["runtime"], m["affected_columns"] = nil, nil, nil, nil, nil
	m["result_statuses"] = map[string]any{"pks": "pending", "schema": "pending", "values": "pending", "dependencies": "pending"}
	if d.CIRunID != 0 {
		m["ci_run_id"] = d.CIRunID
		if r := s.df.ciRun(d.CIRunID); r != nil {
			m["ci_pr_num"], m["ci_pr_branch"], m["ci_base_branch"], m["ci_pr_sha"] = r.PRNum, r.PRBranch, r.BaseBranch, r.PRSHA
			m["ci_pr_url"] = fmt.Sprintf("https://github.com/jaffle-labs/jaffle_shop/pull/%d", r.PRNum)
			m["ci_sha_url"] = "https://github.com/jaffle-labs/jaffle_shop/commit/" + r.PRSHA
			m["ci_pr_username"], m["ci_pr_user_display_name"] = "bbuilder", "Ben Builder"
		}
	}
	if finished(status) {
		fin := s.diffFinished(d)
		m["finished_at"] = ptime(fin)
		m["updated_at"] = ptime(fin)
		m["runtime"] = fin.Sub(d.Created).Seconds()
		switch status {
		case "done":
			m["result"] = o.result()
			m["diff_stats"] = o.diffStats()
			m["affected_columns"] = anyList(o.affected())
			m["result_statuses"] = map[string]any{"pks": "done", "schema": "done", "values": "done", "dependencies": "done"}
		case "failed":
			m["result"] = "error"
			m["result_statuses"] = map[string]any{"pks": "failed", "schema": "failed", "values": "failed", "dependencies": "failed"}
		case "cancelled":
			m["result_statuses"] = map[string]any{"pks": "cancelled", "schema": "cancelled", "values": "cancelled", "dependencies": "cancelled"}
		}
	}
	return m
}

func (o *diffOutcome) PKOr(pk []string) []string {
	if len(o.PK) > 0 {
		return o.PK
	}
	return pk
}

func orNilList(xs []string) any {
	if xs == nil {
		return nil
	}
	return anyList(xs)
}

// diffSummary is the ApiDataDiffSummary view of d.
func (s *Sandbox) diffSummary(d *dfDiff, now time.Time) map[string]any {
	status := s.diffStatus(d, now)
	o := s.outcome(d)
	m := map[string]any{
		"id": d.ID, "status": status, "data_source1_id": d.DS1, "data_source2_id": d.DS2,
		"data_source1_name": s.df.sourceName(d.DS1), "data_source2_name": s.df.sourceName(d.DS2),
		"table1": orNilList(d.Table1), "table2": orNilList(d.Table2), "pk_columns": anyList(o.PKOr(d.PK)),
		"include_columns": orNilList(d.Include), "algorithm": map[string]string{"in_db": "join", "cross_db": "hash"}[o.Kind],
		"created_at": ptime(d.Created), "finished_at": nil, "result": nil, "result_status": nil, "diff_stats": nil,
		"error": nil, "feedback": nil, "sampling_ratio": nil, "results_count": 0,
	}
	if finished(status) {
		m["finished_at"] = ptime(s.diffFinished(d))
	}
	switch status {
	case "done":
		m["result"], m["result_status"] = o.result(), "success"
		m["diff_stats"] = o.diffStats()
		m["results_count"] = o.st().ExclA + o.st().ExclB + o.st().RowsWithDiffs
	case "failed":
		m["result"], m["result_status"] = "error", "failed"
		m["error"] = o.ErrType + ": " + o.ErrV
	case "cancelled":
		m["result_status"] = "cancelled"
		m["error"] = "The data diff was cancelled."
	default:
		m["result_status"] = "running"
	}
	return m
}

// diffResults is the summary_results view of d.
func (s *Sandbox) diffResults(d *dfDiff, now time.Time) map[string]any {
	status := s.diffStatus(d, now)
	o := s.outcome(d)
	switch status {
	case "waiting", "queued", "needs_confirmation", "needs_authentication":
		return map[string]any{"status": "pending"}
	case "processing":
		return map[string]any{"status": "running"}
	case "failed":
		return map[string]any{"status": "failed", "error": map[string]any{"error_type": o.ErrType, "error_value": o.ErrV, "is_retryable": false}}
	case "cancelled":
		return map[string]any{"status": "failed", "error": map[string]any{"error_type": "DataDiffCancelled", "error_value": "The data diff was cancelled before it finished.", "is_retryable": true}}
	}
	st := o.st()
	var colStats []any
	total := 0
	for _, c := range st.Compared {
		n := st.ColumnDiffs[c]
		total += n
		common := max(st.RowsA-st.ExclA, 1)
		colStats = append(colStats, map[string]any{"column_name": c, "values_different": n, "match": round(100*(1-float64(n)/float64(common)), 4)})
	}
	if colStats == nil {
		colStats = []any{}
	}
	withDiffs := 0
	for _, n := range st.ColumnDiffs {
		if n > 0 {
			withDiffs++
		}
	}
	common := st.RowsA - st.ExclA
	var deps []any
	if g := lineageFor(d.DS1); g != nil {
		for _, t := range g.tableWalk(o.TableA, true, 10) {
			deps = append(deps, map[string]any{"uid": "table:" + t.fqn(), "name": t.Name, "path": t.path(), "item_type": "table",
				"data_source_id": d.DS1, "data_source_type": "snowflake", "table_name": t.fqn(), "primary_key": t.PK,
				"popularity": 50 + len(t.Columns)*5, "query_type": nil, "raw_sql": nil, "remote_id": nil})
		}
	}
	if deps == nil {
		deps = []any{}
	}
	exclA, exclB := anyList(o.ExclColsA), anyList(o.ExclColsB)
	return map[string]any{
		"status": "done",
		"pks": map[string]any{
			"total_rows": []any{st.RowsA, st.RowsB}, "nulls": []any{0, 0}, "dupes": []any{0, 0},
			"exclusives": []any{st.ExclA, st.ExclB}, "distincts": []any{st.RowsA, st.RowsB},
		},
		"schema": map[string]any{
			"columns_mismatched": []any{len(o.ExclColsA), len(o.ExclColsB)}, "column_type_mismatches": 0, "column_reorders": 0,
			"column_counts": []any{o.ColsA, o.ColsB}, "column_type_differs": []any{}, "exclusive_columns": []any{exclA, exclB},
		},
		"values": map[string]any{
			"columns_diff_stats": colStats, "columns_with_differences": withDiffs, "compared_columns": len(st.Compared),
			"rows_with_differences": st.RowsWithDiffs, "total_rows": common, "total_values": common * len(st.Compared),
			"values_with_differences": total,
		},
		"dependencies":         deps,
		"materialized_results": map[string]any{"diff": nil, "exclusives": nil, "duplicates1": nil, "duplicates2": nil},
		"exclusives_profile":   nil,
	}
}

var (
	lineageMu    sync.Mutex
	lineageCache = map[int]*lineageGraph{}
)

// lineageFor returns the lineage graph of a data source (nil if it has no
// warehouse). Graphs are immutable once built; the sandbox lock guards the
// cache.
func lineageFor(ds int) *lineageGraph {
	w := warehouseFor(ds)
	if w == nil {
		return nil
	}
	lineageMu.Lock()
	defer lineageMu.Unlock()
	if g, ok := lineageCache[ds]; ok {
		return g
	}
	g := newLineage(w)
	lineageCache[ds] = g
	return g
}
