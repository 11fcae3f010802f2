package diff

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	whdiff "github.com/datastack-mcp/datastack-mcp/warehouse/diff"
)

// diff_tables answers "diff prod and dev orders and tell me what changed"
// in one call: it resolves the data sources (by id or name), creates the
// Datafold data diff, waits for it (bounded, with progress notifications,
// honouring cancellation) and answers with a verdict: rows only on each
// side, duplicate and null keys, rows and values that differ, the columns
// that differ most, schema changes, the error of a failed diff, the link
// to the diff in the Datafold app, and the next calls that explain the
// difference. A diff that outlives the wait answers status "running" with
// its id; get_diff_result picks it up later. The diff id is the only
// handle: nothing is kept between calls, so any replica can answer. A diff
// of the user's own databases runs here instead (local.go); one outliving
// the wait keeps running as a job of this server and answers a handle that
// describes it, so any replica can answer that too (by running it again).
//
// Every upstream call goes through the generated tools, so validation,
// authentication, connections, errors and redaction are those of a direct
// call.

// Names of the diff tools.
const (
	TablesName    = "diff_tables"
	GetResultName = "get_diff_result"
	toolset       = "datafold-data-diffs"
)

// Defaults of Deps.DiffWait and Deps.DiffPoll.
const (
	DefaultWait = 45 * time.Second
	DefaultPoll = 2 * time.Second
	// DefaultDatafoldAppURL is the Datafold app diffs link to when no base
	// URL is configured for the connection.
	DefaultDatafoldAppURL = "https://app.datafold.com"
	// diffTopColumns bounds the columns listed as differing most.
	diffTopColumns = 10
	// diffLineageColumns bounds the columns whose lineage is suggested.
	diffLineageColumns = 3
)

// Options tune the diff tools; the zero value gives the defaults.
type Options struct {
	// Wait bounds how long diff_tables and get_diff_result wait for a
	// diff to finish before answering status "running" with the diff id
	// (Datafold) or handle (warehouse sides, which keep running here) (0:
	// DefaultWait; keep it under the clients' tool call patience, about
	// 60 s for Claude Desktop).
	Wait time.Duration
	// Poll is the interval between status checks while waiting (0:
	// DefaultPoll).
	Poll time.Duration
	// Warehouses are the user's own databases, diffed here when a side
	// names one (nil: none).
	Warehouses *databases.Registry
	// AppURLs maps Datafold connection names to the base URL of their app,
	// for links to diffs (missing: DefaultDatafoldAppURL).
	AppURLs map[string]string

	// Jobs hold the warehouse diffs that outlive a call (nil: Tools makes
	// a set with the default limits, never closed); the server closes its
	// own when it stops.
	Jobs *Jobs

	// clock is the time the waits run on (nil: the wall clock); tests
	// replace it.
	clock clock
	// run runs a warehouse diff (nil: the engine's); tests hold it.
	run runFunc
}

func (o Options) runner() runFunc {
	if o.run != nil {
		return o.run
	}
	return whdiff.Diff
}

// clock is what waiting for a diff needs of time.
type clock interface {
	Now() time.Time
	// After delivers once d has passed.
	After(d time.Duration) <-chan time.Time
}

// wallClock is the real time.
type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (o Options) clockOrWall() clock {
	if o.clock != nil {
		return o.clock
	}
	return wallClock{}
}

func (o Options) wait() time.Duration {
	if o.Wait > 0 {
		return o.Wait
	}
	return DefaultWait
}

func (o Options) poll() time.Duration {
	if o.Poll > 0 {
		return o.Poll
	}
	return DefaultPoll
}

// appURL is the Datafold app of the connection the call runs on.
func (o Options) appURL(ctx context.Context) string {
	if len(o.AppURLs) > 0 {
		if c := tools.ConnectionFrom(ctx); c != nil {
			if u := o.AppURLs[c.Name]; u != "" {
				return strings.TrimRight(u, "/")
			}
		}
		if len(o.AppURLs) == 1 {
			for _, u := range o.AppURLs {
				return strings.TrimRight(u, "/")
			}
		}
	}
	return DefaultDatafoldAppURL
}

type DiffSide struct {
	DataSource any    `json:"data_source,omitempty" jsonschema:"oneof_type=integer;string" jsonschema_description:"Datafold data source id, or name or a unique part of it (e.g. prod)."`
	Warehouse  string `json:"warehouse,omitempty" jsonschema_description:"Or one of your own databases: a warehouse connection name (diffed here, no Datafold needed)."`
	Table      string `json:"table,omitempty" jsonschema_description:"DATABASE.SCHEMA.TABLE (or give query)."`
	Query      string `json:"query,omitempty" jsonschema_description:"SQL whose rows to compare, instead of table."`
	Filter     string `json:"filter,omitempty" jsonschema_description:"SQL condition without WHERE."`
	TimeTravel any    `json:"time_travel,omitempty" jsonschema:"oneof_type=string;integer" jsonschema_description:"Time travel point (timestamp or offset)."`
}

// DiffTolerance is a per-column tolerance for numeric differences.
type DiffTolerance struct {
	Column string  `json:"column"`
	Mode   string  `json:"mode" jsonschema:"enum=absolute,enum=relative"`
	Value  float64 `json:"value" jsonschema:"minimum=0"`
}

// DiffArgs are the arguments of diff_tables.
type DiffArgs struct {
	A               DiffSide        `json:"a" jsonschema_description:"Baseline, e.g. prod."`
	B               DiffSide        `json:"b" jsonschema_description:"Side to check, e.g. dev; table defaults to a's."`
	PrimaryKey      []string        `json:"primary_key" jsonschema:"minItems=1" jsonschema_description:"Columns identifying a row."`
	IncludeColumns  []string        `json:"include_columns,omitempty" jsonschema_description:"Compare only these columns."`
	ExcludeColumns  []string        `json:"exclude_columns,omitempty" jsonschema_description:"Do not compare these columns."`
	TimeColumn      string          `json:"time_column,omitempty" jsonschema_description:"Column time_from/time_to apply to."`
	TimeFrom        string          `json:"time_from,omitempty" jsonschema:"format=date-time"`
	TimeTo          string          `json:"time_to,omitempty" jsonschema:"format=date-time"`
	Tolerances      []DiffTolerance `json:"tolerances,omitempty" jsonschema_description:"Numeric differences to ignore, per column."`
	SamplingRatio   float64         `json:"sampling_ratio,omitempty" jsonschema:"exclusiveMinimum=0,maximum=1" jsonschema_description:"Compare this fraction of rows (faster on big tables)."`
	SamplingMaxRows int             `json:"sampling_max_rows,omitempty" jsonschema:"minimum=1"`
}

// DiffResultArgs are the arguments of get_diff_result: one of the two.
type DiffResultArgs struct {
	DiffID int    `json:"diff_id,omitempty" jsonschema:"minimum=1" jsonschema_description:"The diff_id diff_tables answered (a Datafold diff)."`
	Handle string `json:"handle,omitempty" jsonschema_description:"Or the handle diff_tables answered (a diff of your own databases)."`
}

// DiffVerdict is the structured answer of diff_tables and get_diff_result.
type DiffVerdict struct {
	// Status is running (not finished yet: call get_diff_result later),
	// done, failed, cancelled, or needs_action (Datafold waits for someone
	// to confirm or authenticate in its app).
	Status string `json:"status" jsonschema:"enum=running,enum=done,enum=failed,enum=cancelled,enum=needs_action"`
	// Result of a done diff: identical, different or empty.
	Result string `json:"result,omitempty"`
	// DiffID is the Datafold diff (none for a diff of warehouse sides).
	DiffID int `json:"diff_id,omitempty"`
	// Handle names a diff of warehouse sides for get_diff_result.
	Handle string `json:"handle,omitempty"`
	// Rerun is set when get_diff_result ran a warehouse diff again: the
	// server answering did not hold it.
	Rerun bool `json:"rerun,omitempty"`
	// URL opens the diff in the Datafold app.
	URL string `json:"url,omitempty"`
	// Summary is the verdict in a few sentences.
	Summary    string         `json:"summary"`
	PrimaryKey []string       `json:"primary_key,omitempty"`
	A          DiffSideResult `json:"a"`
	B          DiffSideResult `json:"b"`
	Values     *DiffValues    `json:"values,omitempty"`
	// Columns are the compared columns with differences, most first.
	Columns []DiffColumn `json:"columns_with_differences,omitempty"`
	// TypeMismatches are columns whose type differs between the sides.
	TypeMismatches []string `json:"type_mismatches,omitempty"`
	Sampled        bool     `json:"sampled,omitempty"`
	Error          *DiffErr `json:"error,omitempty"`
	// RetryAfterSeconds says when to call get_diff_result (running only).
	RetryAfterSeconds int     `json:"retry_after_seconds,omitempty"`
	WaitedSeconds     float64 `json:"waited_seconds"`
	// Next are the calls that explain the verdict.
	Next []DiffNext `json:"next,omitempty"`
	// Samples are examples of each kind of difference (warehouse sides).
	Samples *whdiff.Samples `json:"samples,omitempty"`
	// Local is how a diff of warehouse sides ran and what it cost.
	Local *LocalRun `json:"local,omitempty"`
}

// DiffSideResult is what the diff found on one side.
type DiffSideResult struct {
	DataSourceID int    `json:"data_source_id,omitempty"`
	Warehouse    string `json:"warehouse,omitempty"`
	Filter       string `json:"filter,omitempty"`
	DataSource   string `json:"data_source,omitempty"`
	Table        string `json:"table,omitempty"`
	Query        string `json:"query,omitempty"`
	Rows         *int   `json:"rows,omitempty"`
	// RowsOnlyHere are rows whose key the other side lacks.
	RowsOnlyHere    *int     `json:"rows_only_here,omitempty"`
	DuplicateKeys   *int     `json:"duplicate_keys,omitempty"`
	NullKeys        *int     `json:"null_keys,omitempty"`
	Columns         *int     `json:"columns,omitempty"`
	ColumnsOnlyHere []string `json:"columns_only_here,omitempty"`
}

// DiffValues compares the rows present on both sides.
type DiffValues struct {
	RowsCompared           int `json:"rows_compared"`
	RowsWithDifferences    int `json:"rows_with_differences"`
	ValuesWithDifferences  int `json:"values_with_differences"`
	ColumnsCompared        int `json:"columns_compared"`
	ColumnsWithDifferences int `json:"columns_with_differences"`
}

// DiffColumn is one column with differences.
type DiffColumn struct {
	Column          string  `json:"column"`
	ValuesDifferent int     `json:"values_different"`
	MatchPercent    float64 `json:"match_percent"`
	// Estimated is set when Datafold gave only the match percentage (its
	// documented answers carry no values_different): ValuesDifferent is
	// then derived from it and the rows compared.
	Estimated bool `json:"values_different_estimated,omitempty"`
}

// DiffErr is why a diff failed, as Datafold says it.
type DiffErr struct {
	Type      string `json:"type,omitempty"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable,omitempty"`
}

// topColumns orders columns with differences, most first (then least
// matching), and keeps the first diffTopColumns.
func topColumns(cols []DiffColumn) []DiffColumn {
	sort.SliceStable(cols, func(i, j int) bool {
		if cols[i].ValuesDifferent != cols[j].ValuesDifferent {
			return cols[i].ValuesDifferent > cols[j].ValuesDifferent
		}
		return cols[i].MatchPercent < cols[j].MatchPercent
	})
	if len(cols) > diffTopColumns {
		cols = cols[:diffTopColumns]
	}
	return cols
}

// DiffNext is a call worth making next.
type DiffNext struct {
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
	Why       string         `json:"why"`
}

// Tools returns diff_tables and get_diff_result. generated are the
// generated tools they call (the inventory, unbound: when the server binds
// the diff tools to connections, the chosen connection travels in the
// context and the connection's policy is checked on every call).
func Tools(generated []*tools.Tool, o Options) ([]*tools.Tool, error) {
	if o.Jobs == nil {
		o.Jobs = NewJobs(JobLimits{})
	}
	for _, name := range []string{"datafold_create_data_diff", "datafold_get_data_diff", "datafold_get_data_diff_summary_results", "datafold_list_data_sources"} {
		if tools.Find(generated, name) == nil {
			return nil, fmt.Errorf("diff: %s needs %s", TablesName, name)
		}
	}
	diff, err := tools.New(tools.Spec{Name: TablesName, Provider: providers.Datafold, Toolset: toolset, Title: "Diff two tables",
		Description: "Compare two tables (e.g. prod vs dev) and get the verdict: rows only on each side, duplicate/null keys, differing rows, values and columns, " +
			"schema changes and the calls that explain why; sides in your own databases (warehouse) are diffed here, pushed down, Datafold data sources with a Datafold data diff " +
			"(still running after the wait: status running and a diff_id or handle for get_diff_result).",
		Annotations: tools.Annotations{OpenWorld: true}, Output: &DiffVerdict{}},
		func(ctx context.Context, d *tools.Deps, a DiffArgs) *tools.Result {
			return newDiffRun(ctx, d, generated, o).diffTables(a)
		})
	if err != nil {
		return nil, err
	}
	get, err := tools.New(tools.Spec{Name: GetResultName, Provider: providers.Datafold, Toolset: toolset, Title: "Get a diff's verdict",
		Description: "Get the verdict of a diff diff_tables left running, by its diff_id (Datafold) or handle (your own databases), waiting a while if it is still running; same answer as diff_tables.",
		Annotations: tools.Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}, Output: &DiffVerdict{}},
		func(ctx context.Context, d *tools.Deps, a DiffResultArgs) *tools.Result {
			r := newDiffRun(ctx, d, generated, o)
			switch {
			case a.Handle != "" && a.DiffID != 0:
				return r.fail("%s: give diff_id or handle, not both.", GetResultName)
			case a.Handle != "":
				return r.localResult(a.Handle)
			case a.DiffID == 0:
				return r.fail("%s: give diff_id (a Datafold diff) or handle (a diff of your own databases), as diff_tables answered.", GetResultName)
			case d.Callers[providers.Datafold] == nil:
				return r.fail("%s: a diff_id names a Datafold diff, and Datafold is not configured on this server; a diff of your own databases answers a handle.", GetResultName)
			}
			return r.getResult(a.DiffID)
		})
	if err != nil {
		return nil, err
	}
	return []*tools.Tool{diff, get}, nil
}

// diffRun is one diff_tables or get_diff_result call.
type diffRun struct {
	ctx       context.Context
	d         *tools.Deps
	o         Options
	generated []*tools.Tool
	clock     clock
	start     time.Time
	wait      time.Duration
	poll      time.Duration
	sources   []dataSource // listed on first use
}

type dataSource struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

func newDiffRun(ctx context.Context, d *tools.Deps, generated []*tools.Tool, o Options) *diffRun {
	c := o.clockOrWall()
	return &diffRun{ctx: ctx, d: d, o: o, generated: generated, clock: c, start: c.Now(), wait: o.wait(), poll: o.poll()}
}

// maxSteps is the most progress steps a wait can take: one before the
// first check, one per check, one at the end.
func (r *diffRun) maxSteps() int {
	return 2 + int(r.wait/r.poll)
}

// call runs a generated tool through the data path (tools.Fetch) and
// decodes its answer into out.
func (r *diffRun) call(name string, args map[string]any, out any) error {
	t := tools.Find(r.generated, name)
	if t == nil {
		return fmt.Errorf("%s is not available on this server", name)
	}
	if c := tools.ConnectionFrom(r.ctx); c != nil && c.Provider == t.Provider && !c.Policy.Allows(t) {
		return fmt.Errorf("the %s connection %s does not allow %s", tools.ProviderName(c.Provider), c.Name, name)
	}
	v, err := tools.Fetch(r.ctx, r.d, t, args)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		return fmt.Errorf("%s answered something unexpected: %v", name, err)
	}
	return nil
}

// dataSources lists the Datafold data sources, once per call.
func (r *diffRun) dataSources() ([]dataSource, error) {
	if r.sources != nil {
		return r.sources, nil
	}
	var ans struct {
		Items []dataSource `json:"items"`
	}
	if err := r.call("datafold_list_data_sources", map[string]any{"fields": []any{"items.#.id", "items.#.name", "items.#.type"}}, &ans); err != nil {
		return nil, err
	}
	r.sources = ans.Items
	if r.sources == nil {
		r.sources = []dataSource{}
	}
	return r.sources, nil
}

// resolve turns a data source id or name into its id.
func (r *diffRun) resolve(side string, v any) (int, error) {
	switch x := v.(type) {
	case float64:
		if x >= 1 && x == math.Trunc(x) {
			return int(x), nil
		}
	case json.Number:
		if n, err := x.Int64(); err == nil && n >= 1 {
			return int(n), nil
		}
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.Atoi(s); err == nil && n >= 1 {
			return n, nil
		}
		if s == "" {
			break
		}
		list, err := r.dataSources()
		if err != nil {
			return 0, fmt.Errorf("could not list the data sources to find %q: %v", s, err)
		}
		var exact, partial []dataSource
		for _, ds := range list {
			switch name := strings.ToLower(ds.Name); {
			case name == strings.ToLower(s):
				exact = append(exact, ds)
			case strings.Contains(name, strings.ToLower(s)):
				partial = append(partial, ds)
			}
		}
		switch {
		case len(exact) == 1:
			return exact[0].ID, nil
		case len(exact) == 0 && len(partial) == 1:
			return partial[0].ID, nil
		case len(exact)+len(partial) > 1:
			return 0, fmt.Errorf("%s.data_source %q matches several data sources: %s; pass the id", side, s, describeSources(append(exact, partial...)))
		}
		return 0, fmt.Errorf("%s.data_source %q matches no data source; they are: %s", side, s, describeSources(list))
	}
	return 0, fmt.Errorf("%s.data_source must be a data source id (a positive integer) or name", side)
}

func describeSources(list []dataSource) string {
	if len(list) == 0 {
		return "none"
	}
	var parts []string
	for _, ds := range list {
		parts = append(parts, fmt.Sprintf("%d %q", ds.ID, ds.Name))
	}
	return strings.Join(parts, ", ")
}

func (r *diffRun) sourceName(id int) string {
	list, err := r.dataSources()
	if err != nil {
		return ""
	}
	for _, ds := range list {
		if ds.ID == id {
			return ds.Name
		}
	}
	return ""
}

func (r *diffRun) fail(format string, a ...any) *tools.Result {
	return tools.ErrorResult(format, a...)
}

// diffTables creates the diff and waits for its verdict.
func (r *diffRun) diffTables(a DiffArgs) *tools.Result {
	if a.B.DataSource == nil && a.B.Warehouse == "" {
		a.B.DataSource, a.B.Warehouse = a.A.DataSource, a.A.Warehouse
	}
	if a.B.Table == "" && a.B.Query == "" {
		a.B.Table = a.A.Table
	}
	switch wa, wb := a.A.Warehouse != "", a.B.Warehouse != ""; {
	case wa && wb:
		return r.localDiff(a)
	case wa || wb:
		return r.fail("%s: both sides must be warehouse connections, or both Datafold data sources; give a and b the same kind.", TablesName)
	case a.A.DataSource == nil:
		return r.fail("%s: name each side's data: a.warehouse (one of your databases: %s) or a.data_source (a Datafold data source).", TablesName, r.warehouseNames())
	case r.d.Callers[providers.Datafold] == nil:
		return r.fail("%s: Datafold is not configured on this server, so data_source sides cannot be diffed; use warehouse sides (%s).", TablesName, r.warehouseNames())
	}
	body := map[string]any{"pk_columns": toAnyList(a.PrimaryKey), "tags": []any{"datastack-mcp"}}
	for i, side := range []*DiffSide{&a.A, &a.B} {
		name, n := []string{"a", "b"}[i], strconv.Itoa(i+1)
		if (side.Table == "") == (side.Query == "") {
			return r.fail("%s: give %s.table (DATABASE.SCHEMA.TABLE) or %s.query, not both.", TablesName, name, name)
		}
		id, err := r.resolve(name, side.DataSource)
		if err != nil {
			return r.fail("%s: %v.", TablesName, strings.TrimSuffix(err.Error(), "."))
		}
		body["data_source"+n+"_id"] = id
		if side.Table != "" {
			parts := client.SplitTablePath(side.Table)
			if len(parts) == 0 {
				return r.fail("%s: %s.table %q is not a table path; use DATABASE.SCHEMA.TABLE.", TablesName, name, side.Table)
			}
			body["table"+n] = toAnyList(parts)
		} else {
			body["query"+n] = side.Query
		}
		if bad := vetSQL(side, name); bad != "" {
			return r.fail("%s", bad)
		}
		if side.Filter != "" {
			body["filter"+n] = side.Filter
		}
		if side.TimeTravel != nil {
			body["time_travel_point"+n] = side.TimeTravel
		}
	}
	if len(a.IncludeColumns) > 0 {
		body["include_columns"] = toAnyList(a.IncludeColumns)
	}
	if len(a.ExcludeColumns) > 0 {
		body["exclude_columns"] = toAnyList(a.ExcludeColumns)
	}
	if a.TimeColumn != "" {
		body["time_column"] = a.TimeColumn
	}
	if a.TimeFrom != "" {
		body["time_interval_start"] = a.TimeFrom
	}
	if a.TimeTo != "" {
		body["time_interval_end"] = a.TimeTo
	}
	if (a.TimeFrom != "" || a.TimeTo != "") && a.TimeColumn == "" {
		return r.fail("%s: time_from and time_to need time_column, the timestamp column they apply to.", TablesName)
	}
	var tol []any
	for _, t := range a.Tolerances {
		tol = append(tol, map[string]any{"column_name": t.Column, "tolerance_mode": t.Mode, "tolerance_value": t.Value})
	}
	if tol != nil {
		body["diff_tolerances_per_column"] = tol
	}
	if a.SamplingRatio > 0 {
		body["sampling_ratio"] = a.SamplingRatio
	}
	if a.SamplingMaxRows > 0 {
		body["sampling_max_rows"] = a.SamplingMaxRows
	}
	var created dfDiff
	if err := r.call("datafold_create_data_diff", body, &created); err != nil {
		return r.fail("%s: could not create the diff: %s", TablesName, err)
	}
	if created.ID == 0 {
		return r.fail("%s: Datafold created the diff but answered no id; list recent diffs with datafold_list_data_diffs.", TablesName)
	}
	prog := tools.NewProgress(r.ctx, r.maxSteps())
	prog.Report("Created Datafold diff %d (%s); waiting for it.", created.ID, statusLabel(created.Status))
	return r.awaitVerdict(created.ID, prog, false)
}

// getResult reports a diff's verdict, waiting while it runs.
func (r *diffRun) getResult(id int) *tools.Result {
	prog := tools.NewProgress(r.ctx, r.maxSteps())
	return r.awaitVerdict(id, prog, true)
}

// dfDiff is the part of Datafold's data diff answer the verdict reads.
type dfDiff struct {
	ID            int       `json:"id"`
	Status        string    `json:"status"`
	Result        *string   `json:"result"`
	DataSource1ID int       `json:"data_source1_id"`
	DataSource2ID int       `json:"data_source2_id"`
	Table1        []string  `json:"table1"`
	Table2        []string  `json:"table2"`
	Query1        *string   `json:"query1"`
	Query2        *string   `json:"query2"`
	PKColumns     []string  `json:"pk_columns"`
	DiffStats     *dfStats  `json:"diff_stats"`
	DiffProgress  *struct { // Datafold's own progress, when it reports it
		CompletedSteps *int `json:"completed_steps"`
		TotalSteps     *int `json:"total_steps"`
	} `json:"diff_progress"`
}

type dfStats struct {
	Sampled *bool `json:"sampled"`
}

// dfResults is Datafold's summary_results answer.
type dfResults struct {
	Status string          `json:"status"`
	Error  json.RawMessage `json:"error"`
	PKs    *struct {
		TotalRows  []float64 `json:"total_rows"`
		Nulls      []float64 `json:"nulls"`
		Dupes      []float64 `json:"dupes"`
		Exclusives []float64 `json:"exclusives"`
	} `json:"pks"`
	Schema *struct {
		ColumnCounts      []float64  `json:"column_counts"`
		ColumnTypeDiffers []string   `json:"column_type_differs"`
		ExclusiveColumns  [][]string `json:"exclusive_columns"`
	} `json:"schema"`
	Values *struct {
		ColumnsDiffStats []struct {
			ColumnName      string  `json:"column_name"`
			Match           float64 `json:"match"`
			ValuesDifferent float64 `json:"values_different"`
		} `json:"columns_diff_stats"`
		ColumnsWithDifferences float64 `json:"columns_with_differences"`
		ComparedColumns        float64 `json:"compared_columns"`
		RowsWithDifferences    float64 `json:"rows_with_differences"`
		TotalRows              float64 `json:"total_rows"`
		ValuesWithDifferences  float64 `json:"values_with_differences"`
	} `json:"values"`
}

func finishedStatus(s string) bool {
	return s == "done" || s == "failed" || s == "cancelled"
}

func blockedStatus(s string) bool {
	return s == "needs_confirmation" || s == "needs_authentication"
}

func statusLabel(s string) string {
	switch s {
	case "waiting", "queued", "":
		return "queued"
	case "processing":
		return "running"
	case "needs_confirmation":
		return "waiting for confirmation in Datafold"
	case "needs_authentication":
		return "waiting for authentication in Datafold"
	}
	return s
}

// awaitVerdict polls the diff until its verdict is in or the wait is
// over: while the diff is queued or running, and then while Datafold is
// still writing the results of a finished diff ("finishing"), it checks
// again every poll interval, so a call answers "still running" only once
// the wait (Options.Wait) has passed. checkFirst checks at once
// (get_diff_result); diff_tables, which just created the diff, waits one
// interval first. A diff blocked on the user (needs confirmation or
// authentication in Datafold) is answered at once: waiting would not
// change it.
func (r *diffRun) awaitVerdict(id int, prog *tools.Progress, checkFirst bool) *tools.Result {
	name := TablesName
	if checkFirst {
		name = GetResultName
	}
	deadline := r.start.Add(r.wait)
	var st dfDiff
	var v *DiffVerdict
	finishing := false // done, its results still being written: poll them
	for first := true; ; first = false {
		if !first || !checkFirst {
			select {
			case <-r.ctx.Done():
				return r.cancelled(name, id)
			case <-r.clock.After(r.poll):
			}
		}
		if !finishing {
			if err := r.call("datafold_get_data_diff", map[string]any{"datadiff_id": id, "fields": []any{"id", "status", "diff_progress"}}, &st); err != nil {
				if r.ctx.Err() != nil {
					return r.cancelled(name, id)
				}
				if checkFirst && first {
					return r.fail("%s: could not read diff %d: %s", name, id, err)
				}
				return r.fail("%s: could not check Datafold diff %d: %s Call get_diff_result {\"diff_id\": %d} to try again.", name, id, err, id)
			}
			if blockedStatus(st.Status) {
				break
			}
		}
		label := statusLabel(st.Status)
		if finishedStatus(st.Status) {
			var err error
			if v, err = r.verdict(id, st.Status); err != nil {
				return r.readFailed(name, id, st.Status, err)
			}
			if v.Status != "running" {
				break
			}
			finishing, label = true, "finishing"
		}
		if r.clock.Now().Add(r.poll).After(deadline) {
			break
		}
		step := ""
		if p := st.DiffProgress; !finishing && p != nil && p.CompletedSteps != nil && p.TotalSteps != nil && *p.TotalSteps > 0 {
			step = fmt.Sprintf(", step %d of %d", *p.CompletedSteps, *p.TotalSteps)
		}
		prog.Report("Datafold diff %d is %s%s (%s).", id, label, step, seconds(r.since()))
	}
	if v == nil {
		var err error
		if v, err = r.verdict(id, st.Status); err != nil {
			return r.readFailed(name, id, st.Status, err)
		}
	}
	prog.Finish("Datafold diff %d: %s.", id, v.headline())
	text := v.text()
	res := tools.StructuredResult(v, text)
	res.IsError = v.Status == "failed" || v.Status == "cancelled"
	return res
}

// since is how long this call has run, in seconds.
func (r *diffRun) since() float64 { return r.clock.Now().Sub(r.start).Seconds() }

// readFailed answers a diff whose verdict could not be read.
func (r *diffRun) readFailed(name string, id int, status string, err error) *tools.Result {
	if r.ctx.Err() != nil {
		return r.cancelled(name, id)
	}
	return r.fail("%s: Datafold diff %d is %s, but reading its results failed: %s Call get_diff_result {\"diff_id\": %d} to try again.", name, id, statusLabel(status), err, id)
}

// cancelled answers a call its caller gave up on.
func (r *diffRun) cancelled(name string, id int) *tools.Result {
	return r.fail("%s: stopped waiting: the call was cancelled. Datafold diff %d keeps running; get_diff_result {\"diff_id\": %d} gives its verdict.", name, id, id)
}

// verdict reads a diff's definition and, once finished, its results.
func (r *diffRun) verdict(id int, status string) (*DiffVerdict, error) {
	var full dfDiff
	if err := r.call("datafold_get_data_diff", map[string]any{"datadiff_id": id, "fields": []any{
		"id", "status", "result", "data_source1_id", "data_source2_id", "table1", "table2", "query1", "query2", "pk_columns", "diff_stats.sampled",
	}}, &full); err != nil {
		return nil, err
	}
	if full.Status != "" {
		status = full.Status
	}
	v := &DiffVerdict{DiffID: id, URL: fmt.Sprintf("%s/datadiffs/%d/overview", r.o.appURL(r.ctx), id), PrimaryKey: full.PKColumns,
		WaitedSeconds: math.Round(r.since()*10) / 10}
	v.A = DiffSideResult{DataSourceID: full.DataSource1ID, DataSource: r.sourceName(full.DataSource1ID), Table: client.JoinTablePath(full.Table1), Query: deref(full.Query1)}
	v.B = DiffSideResult{DataSourceID: full.DataSource2ID, DataSource: r.sourceName(full.DataSource2ID), Table: client.JoinTablePath(full.Table2), Query: deref(full.Query2)}
	if full.DiffStats != nil && full.DiffStats.Sampled != nil {
		v.Sampled = *full.DiffStats.Sampled
	}
	switch {
	case blockedStatus(status):
		v.Status = "needs_action"
		v.Summary = fmt.Sprintf("Datafold diff %d is %s; open %s to continue it, then call get_diff_result.", id, statusLabel(status), v.URL)
		v.Next = []DiffNext{{Tool: GetResultName, Arguments: map[string]any{"diff_id": id}, Why: "the verdict, once the diff runs"}}
		return v, nil
	case !finishedStatus(status):
		return r.runningVerdict(v, id, statusLabel(status))
	}
	var res dfResults
	if err := r.call("datafold_get_data_diff_summary_results", map[string]any{"datadiff_id": id, "fields": []any{"status", "error", "pks", "schema", "values"}}, &res); err != nil {
		return nil, err
	}
	if status == "done" && (res.Status == "running" || res.Status == "pending") {
		// The diff is done but its results are still being written.
		return r.runningVerdict(v, id, "finishing")
	}
	v.Status = status
	if status == "failed" || status == "cancelled" || res.Status == "failed" {
		if status == "done" {
			v.Status = "failed"
		}
		v.Error = decodeDiffError(res.Error, status)
		v.Summary = fmt.Sprintf("Datafold diff %d %s: %s", id, map[bool]string{true: "was cancelled", false: "failed"}[v.Status == "cancelled"], v.Error.line())
		v.Next = r.failureNext(v)
		return v, nil
	}
	if full.Result != nil {
		v.Result = *full.Result
	}
	r.fillResults(v, &res)
	if v.Result == "" || v.Result == "error" {
		v.Result = "different"
		if v.identical() {
			v.Result = "identical"
		}
	}
	v.Summary = v.doneSummary()
	v.Next = r.doneNext(v)
	return v, nil
}

// runningVerdict answers a diff that is not finished: its id and when to
// ask again.
func (r *diffRun) runningVerdict(v *DiffVerdict, id int, label string) (*DiffVerdict, error) {
	v.Status = "running"
	v.RetryAfterSeconds = int(min(60, max(5, math.Round(r.since()))))
	v.Summary = fmt.Sprintf("Datafold diff %d is still %s after %s. Call get_diff_result with diff_id %d in about %d s for the verdict.",
		id, label, seconds(v.WaitedSeconds), id, v.RetryAfterSeconds)
	v.Next = []DiffNext{{Tool: GetResultName, Arguments: map[string]any{"diff_id": id}, Why: fmt.Sprintf("the verdict; call in about %d s", v.RetryAfterSeconds)}}
	return v, nil
}

// seconds renders a duration in seconds for a person: 0.4 s, 12 s.
func seconds(s float64) string {
	if s < 10 {
		return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64) + " s"
	}
	return strconv.FormatFloat(math.Round(s), 'f', -1, 64) + " s"
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func decodeDiffError(raw json.RawMessage, status string) *DiffErr {
	e := &DiffErr{}
	var typed struct {
		Type      string `json:"error_type"`
		Value     string `json:"error_value"`
		Retryable *bool  `json:"is_retryable"`
	}
	if len(raw) > 0 && string(raw) != "null" {
		if json.Unmarshal(raw, &typed) == nil && (typed.Type != "" || typed.Value != "") {
			e.Type, e.Message = typed.Type, typed.Value
			if typed.Retryable != nil {
				e.Retryable = *typed.Retryable
			}
			return e
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			e.Message = s
			return e
		}
		e.Message = string(raw)
		return e
	}
	if status == "cancelled" {
		e.Message = "The data diff was cancelled."
	} else {
		e.Message = "Datafold reported no reason."
	}
	return e
}

func (e *DiffErr) line() string {
	if e.Type != "" {
		return e.Type + ": " + e.Message
	}
	return e.Message
}

func ip(n float64) *int {
	i := int(math.Round(n))
	return &i
}

// fillResults copies the summary results into the verdict.
func (r *diffRun) fillResults(v *DiffVerdict, res *dfResults) {
	sides := []*DiffSideResult{&v.A, &v.B}
	if p := res.PKs; p != nil {
		for i, s := range sides {
			if i < len(p.TotalRows) {
				s.Rows = ip(p.TotalRows[i])
			}
			if i < len(p.Exclusives) {
				s.RowsOnlyHere = ip(p.Exclusives[i])
			}
			if i < len(p.Dupes) {
				s.DuplicateKeys = ip(p.Dupes[i])
			}
			if i < len(p.Nulls) {
				s.NullKeys = ip(p.Nulls[i])
			}
		}
	}
	if sc := res.Schema; sc != nil {
		for i, s := range sides {
			if i < len(sc.ColumnCounts) {
				s.Columns = ip(sc.ColumnCounts[i])
			}
			if i < len(sc.ExclusiveColumns) && len(sc.ExclusiveColumns[i]) > 0 {
				s.ColumnsOnlyHere = sc.ExclusiveColumns[i]
			}
		}
		v.TypeMismatches = sc.ColumnTypeDiffers
	}
	if vals := res.Values; vals != nil {
		v.Values = &DiffValues{
			RowsCompared: int(vals.TotalRows), RowsWithDifferences: int(vals.RowsWithDifferences),
			ValuesWithDifferences: int(vals.ValuesWithDifferences), ColumnsCompared: int(vals.ComparedColumns),
			ColumnsWithDifferences: int(vals.ColumnsWithDifferences),
		}
		for _, c := range vals.ColumnsDiffStats {
			switch {
			case c.ValuesDifferent > 0:
				v.Columns = append(v.Columns, DiffColumn{Column: c.ColumnName, ValuesDifferent: int(c.ValuesDifferent), MatchPercent: c.Match})
			case c.ValuesDifferent == 0 && c.Match > 0 && c.Match < 100:
				// Only the match percentage: a column at 94 % differs even
				// though the count is missing.
				n := max(1, int(math.Round((100-c.Match)/100*vals.TotalRows)))
				v.Columns = append(v.Columns, DiffColumn{Column: c.ColumnName, ValuesDifferent: n, MatchPercent: c.Match, Estimated: true})
			}
		}
		v.Columns = topColumns(v.Columns)
	}
}

func val(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func (v *DiffVerdict) identical() bool {
	for _, s := range []DiffSideResult{v.A, v.B} {
		if val(s.RowsOnlyHere)+val(s.DuplicateKeys)+val(s.NullKeys) > 0 || len(s.ColumnsOnlyHere) > 0 {
			return false
		}
	}
	return len(v.TypeMismatches) == 0 && (v.Values == nil || v.Values.ValuesWithDifferences == 0)
}

// headline is the verdict in a few words, for the last progress message.
func (v *DiffVerdict) headline() string {
	switch v.Status {
	case "done":
		return v.Result
	case "running":
		return "still running"
	case "needs_action":
		return "needs action in Datafold"
	}
	return v.Status
}

func (s DiffSideResult) source() string {
	if s.Warehouse != "" {
		return "warehouse " + s.Warehouse
	}
	if s.DataSource != "" {
		return s.DataSource
	}
	return fmt.Sprintf("data source %d", s.DataSourceID)
}

func (s DiffSideResult) label() string {
	what := s.Table
	if what == "" {
		what = "query"
		if q := oneLineSQL(s.Query); q != "" {
			what = "query " + strconv.Quote(q)
		}
	}
	return s.source() + " " + what
}

func oneLineSQL(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 80 {
		q = tools.Clip(q, 80) + "…"
	}
	return q
}

// thousands formats a count with thousands separators.
func thousands(i int) string {
	s := strconv.Itoa(i)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func (v *DiffVerdict) doneSummary() string {
	var parts []string
	switch v.Result {
	case "identical":
		parts = append(parts, "No differences: every row and compared value matches.")
	case "empty":
		parts = append(parts, "Both sides are empty.")
	case "bad-pks":
		parts = append(parts, fmt.Sprintf("Not comparable as asked: the primary key (%s) does not identify one row on each side (%s duplicate and %s null keys), "+
			"so rows cannot be matched and no difference count is reliable. Choose a key that is unique and never null, then diff again.",
			strings.Join(v.PrimaryKey, ", "), thousands(val(v.A.DuplicateKeys)+val(v.B.DuplicateKeys)), thousands(val(v.A.NullKeys)+val(v.B.NullKeys))))
	case "missing-pks":
		parts = append(parts, "Not comparable as asked: Datafold found no primary key to match rows by (a key column missing on one side?). "+
			"Check the key column names on both sides, then diff again with primary_key set.")
	default:
		var what []string
		if a, b := val(v.A.RowsOnlyHere), val(v.B.RowsOnlyHere); a+b > 0 {
			what = append(what, fmt.Sprintf("%s rows only in A, %s only in B", thousands(a), thousands(b)))
		}
		if v.Values != nil && v.Values.RowsWithDifferences > 0 {
			what = append(what, fmt.Sprintf("%s matched rows with different values", thousands(v.Values.RowsWithDifferences)))
		}
		if k := val(v.A.DuplicateKeys) + val(v.B.DuplicateKeys) + val(v.A.NullKeys) + val(v.B.NullKeys); k > 0 {
			what = append(what, fmt.Sprintf("%s duplicate or null keys", thousands(k)))
		}
		if c := len(v.A.ColumnsOnlyHere) + len(v.B.ColumnsOnlyHere) + len(v.TypeMismatches); c > 0 {
			what = append(what, fmt.Sprintf("%d schema differences", c))
		}
		if len(what) == 0 {
			what = append(what, "differences")
		}
		parts = append(parts, "Different: "+joinWords(what)+".")
		if len(v.Columns) > 0 {
			var cols []string
			for _, c := range v.Columns[:min(3, len(v.Columns))] {
				if c.Estimated {
					cols = append(cols, fmt.Sprintf("%s (%.2f%% match, about %s)", c.Column, c.MatchPercent, thousands(c.ValuesDifferent)))
					continue
				}
				cols = append(cols, fmt.Sprintf("%s (%s)", c.Column, thousands(c.ValuesDifferent)))
			}
			parts = append(parts, "Most different columns: "+strings.Join(cols, ", ")+".")
		}
	}
	if v.Sampled {
		parts = append(parts, "Counts are from a sample.")
	}
	return strings.Join(parts, " ")
}

// doneNext are the calls that explain a finished diff.
func (r *diffRun) doneNext(v *DiffVerdict) []DiffNext {
	var next []DiffNext
	if v.Result == "identical" || v.Result == "empty" {
		return nil
	}
	if v.Result == "bad-pks" || v.Result == "missing-pks" {
		if key := strings.Join(v.PrimaryKey, ", "); key != "" {
			for _, s := range []DiffSideResult{v.A, v.B} {
				if s.Table == "" {
					continue
				}
				next = append(next, DiffNext{Tool: "datafold_run_sql_query", Arguments: map[string]any{"data_source_id": s.DataSourceID,
					"query": fmt.Sprintf("SELECT %s, COUNT(*) AS n FROM %s GROUP BY %s HAVING COUNT(*) > 1 ORDER BY n DESC LIMIT 20", key, s.Table, key)},
					Why: fmt.Sprintf("the keys that repeat on %s (a read-only query, no confirmation needed)", s.source())})
			}
		}
		return next
	}
	next = append(next, DiffNext{Tool: "datafold_get_data_diff_summary", Arguments: map[string]any{"datadiff_id": v.DiffID},
		Why: "Datafold's own reading of the diff with sample rows of what differs"})
	// Lineage is looked up on A, the baseline (usually production, where
	// Datafold indexes lineage).
	table := client.SplitTablePath(v.A.Table)
	if len(table) == 0 {
		return next
	}
	for i, c := range v.Columns {
		if i == diffLineageColumns {
			break
		}
		path := client.JoinTablePath(append(append([]string(nil), table...), c.Column))
		next = append(next, DiffNext{Tool: "datafold_get_column_upstreams", Arguments: map[string]any{"data_connection_id": v.A.DataSourceID, "column_path": path},
			Why: fmt.Sprintf("what %s is computed from: a changed model or source upstream explains its %s differing values", c.Column, thousands(c.ValuesDifferent))})
	}
	if len(v.Columns) > 0 {
		c := v.Columns[0]
		next = append(next, DiffNext{Tool: "datafold_get_column_downstreams", Arguments: map[string]any{"data_connection_id": v.A.DataSourceID, "column_path": client.JoinTablePath(append(append([]string(nil), table...), c.Column))},
			Why: fmt.Sprintf("what the %s difference would reach (models, dashboards) if B ships", c.Column)})
	}
	if val(v.A.RowsOnlyHere)+val(v.B.RowsOnlyHere) > 0 {
		next = append(next, DiffNext{Tool: "datafold_get_table_upstreams", Arguments: map[string]any{"data_connection_id": v.A.DataSourceID, "table_path": client.JoinTablePath(table)},
			Why: "the tables it is built from: missing or extra rows usually come from a changed filter or join upstream"})
	}
	return next
}

// failureNext suggests how to get a failed diff going.
func (r *diffRun) failureNext(v *DiffVerdict) []DiffNext {
	var next []DiffNext
	kind := strings.ToLower(v.Error.Type + " " + v.Error.Message)
	if strings.Contains(kind, "nosuchtable") || strings.Contains(kind, "does not exist") {
		for _, s := range []DiffSideResult{v.A, v.B} {
			parts := client.SplitTablePath(s.Table)
			if len(parts) < 2 {
				continue
			}
			next = append(next, DiffNext{Tool: "datafold_run_sql_query",
				Arguments: map[string]any{"data_source_id": s.DataSourceID, "query": "SHOW TABLES IN SCHEMA " + client.JoinTablePath(parts[:len(parts)-1])},
				Why:       fmt.Sprintf("check that %s exists and is readable on %s (a read-only query, no confirmation needed)", s.Table, s.source())})
		}
		return next
	}
	if strings.Contains(kind, "primarykey") || strings.Contains(kind, "primary key") {
		if parts := client.SplitTablePath(v.A.Table); len(parts) > 0 {
			next = append(next, DiffNext{Tool: "datafold_run_sql_query",
				Arguments: map[string]any{"data_source_id": v.A.DataSourceID, "query": "DESCRIBE TABLE " + client.JoinTablePath(parts)},
				Why:       "the columns, to pick a key that identifies each row on both sides"})
		}
		return next
	}
	return []DiffNext{{Tool: "datafold_get_data_diff_summary", Arguments: map[string]any{"datadiff_id": v.DiffID}, Why: "Datafold's account of the failure"}}
}

// text renders the verdict for a person (and a model reading text only).
func (v *DiffVerdict) text() string {
	var b strings.Builder
	if v.Local != nil {
		fmt.Fprintf(&b, "Warehouse diff (%s): ", v.Local.Algorithm)
	} else if v.Handle != "" {
		b.WriteString("Warehouse diff: ")
	} else {
		fmt.Fprintf(&b, "Datafold diff %d: ", v.DiffID)
	}
	switch v.Status {
	case "done":
		b.WriteString(v.Result)
	case "failed":
		b.WriteString("FAILED")
	default:
		b.WriteString(strings.ReplaceAll(v.Status, "_", " "))
	}
	fmt.Fprintf(&b, ". A = %s, B = %s", v.A.label(), v.B.label())
	if len(v.PrimaryKey) > 0 {
		fmt.Fprintf(&b, ", key %s", strings.Join(v.PrimaryKey, ", "))
	}
	b.WriteString(".\n")
	b.WriteString(v.Summary + "\n")
	if v.Status == "done" && v.A.Rows != nil {
		fmt.Fprintf(&b, "Rows: %s in A, %s in B; %s only in A, %s only in B; duplicate keys %s/%s, null keys %s/%s (A/B).\n",
			thousands(val(v.A.Rows)), thousands(val(v.B.Rows)), thousands(val(v.A.RowsOnlyHere)), thousands(val(v.B.RowsOnlyHere)),
			thousands(val(v.A.DuplicateKeys)), thousands(val(v.B.DuplicateKeys)), thousands(val(v.A.NullKeys)), thousands(val(v.B.NullKeys)))
	}
	if v.Values != nil {
		fmt.Fprintf(&b, "Values: %s of %s rows matched by key differ (%s values) in %d of %d compared columns",
			thousands(v.Values.RowsWithDifferences), thousands(v.Values.RowsCompared), thousands(v.Values.ValuesWithDifferences), v.Values.ColumnsWithDifferences, v.Values.ColumnsCompared)
		if len(v.Columns) > 0 {
			var cols []string
			for _, c := range v.Columns {
				cols = append(cols, fmt.Sprintf("%s %s (%.2f%% match)", c.Column, thousands(c.ValuesDifferent), c.MatchPercent))
			}
			b.WriteString(": " + strings.Join(cols, ", "))
		}
		b.WriteString(".\n")
	}
	if v.Status == "done" {
		var schema []string
		if len(v.A.ColumnsOnlyHere) > 0 {
			schema = append(schema, "only in A: "+strings.Join(v.A.ColumnsOnlyHere, ", "))
		}
		if len(v.B.ColumnsOnlyHere) > 0 {
			schema = append(schema, "only in B: "+strings.Join(v.B.ColumnsOnlyHere, ", "))
		}
		if len(v.TypeMismatches) > 0 {
			schema = append(schema, "type differs: "+strings.Join(v.TypeMismatches, ", "))
		}
		switch {
		case len(schema) > 0:
			b.WriteString("Schema: " + strings.Join(schema, "; ") + ".\n")
		case v.A.Columns != nil:
			fmt.Fprintf(&b, "Schema: the same %d columns.\n", val(v.A.Columns))
		}
	}
	if v.URL != "" {
		b.WriteString("Link: " + v.URL + "\n")
	}
	if len(v.Next) > 0 {
		b.WriteString("Next:\n")
		for _, x := range v.Next {
			args, _ := tools.EncodeJSON(x.Arguments)
			fmt.Fprintf(&b, "- %s %s: %s.\n", x.Tool, args, x.Why)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func toAnyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}
