package sandbox

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	wh "github.com/datastack-mcp/datastack-mcp/warehouse"
)

// Lightdash's v2 async query API over the semantic layer:
// executeAsyncMetricQuery takes a metric query (an explore, its dimension
// and metric field ids, filters, sorts, a limit), runs it on the project's
// warehouse and answers a queryUuid; getAsyncQueryResults answers
// {queryUuid, status: "pending"} for Sandbox.QueryRunning after that, then
// pages of rows (status "ready"); downloadResults exports them.
//
// A query becomes SQL, from the explore's field definitions, and runs on
// the engine the warehouse's SQL queries run on (sqlrun.go), so "revenue by
// month" agrees with SELECT date(order_date, 'start of month'),
// sum(amount) FROM fct_orders GROUP BY 1. What the sandbox cannot compile
// is refused with a 400 that says so, never answered approximately: fields
// of joined tables, OR filter groups, metric filters, table calculations,
// custom dimensions and date filters relative to today.

// ldQuery is one executed metric query.
type ldQuery struct {
	UUID, Project, Explore string
	Query                  map[string]any // the MetricQuery as sent
	Created                time.Time
}

// ldQueryResult is a query's rows, evaluated when read.
type ldQueryResult struct {
	Fields []string // field ids, in column order
	Types  []string // DimensionType of each column
	Rows   [][]any
}

// maxQueryPageSize is Lightdash's largest results page.
const maxQueryPageSize = 5000

func ldExecuteMetricQuery(c *call, p *ldProj) (int, any) {
	mq, _ := c.bodyMap()["query"].(map[string]any)
	base := p.explore(str(mq, "exploreName"))
	if base == nil {
		return c.fail(notFound("Explore \"%s\" does not exist", str(mq, "exploreName")))
	}
	if _, err := c.s.runMetricQuery(c.r.Context(), p, base, mq); err != nil {
		return c.fail(err)
	}
	q := &ldQuery{UUID: uuidFor("ld-query", c.s.nextID("ld.query", 0)), Project: p.UUID, Explore: base.Name, Query: mq, Created: c.s.now()}
	c.s.ld.queries[q.UUID] = q
	fields := map[string]any{}
	ex := ldExplore(base)
	for _, id := range append(strList(mq, "dimensions"), strList(mq, "metrics")...) {
		if f := resolveField(id); f != nil {
			kind, name := "dimensions", id[len(f.Table.Name)+1:]
			if f.Metric != nil {
				kind = "metrics"
			}
			tables, _ := ex["tables"].(map[string]any)
			table, _ := tables[f.Table.Name].(map[string]any)
			defs, _ := table[kind].(map[string]any)
			if def := defs[name]; def != nil {
				fields[id] = def
			}
		}
	}
	return ldOK(map[string]any{"queryUuid": q.UUID, "fields": fields, "metricQuery": mq, "warnings": []any{},
		"cacheMetadata": map[string]any{"cacheHit": false}, "parameterReferences": []any{}, "usedParametersValues": map[string]any{},
		"resolvedTimezone": "UTC"})
}

// withQuery looks up the query of the queryUuid path parameter in the project.
func withQuery(h func(*call, *ldProj, *ldQuery) (int, any)) handlerFunc {
	return withProject(func(c *call, p *ldProj) (int, any) {
		q := c.s.ld.queries[c.param("queryUuid")]
		if q == nil || q.Project != p.UUID {
			return c.fail(notFound("Query %s not found", c.param("queryUuid")))
		}
		return h(c, p, q)
	})
}

// ready reports whether q has finished running.
func (s *Sandbox) ready(q *ldQuery) bool { return !s.now().Before(q.Created.Add(s.QueryRunning)) }

func ldGetQueryResults(c *call, p *ldProj, q *ldQuery) (int, any) {
	if !c.s.ready(q) {
		return ldOK(map[string]any{"queryUuid": q.UUID, "status": "pending"})
	}
	pg, size := c.queryInt("page", 1), c.queryInt("pageSize", 500)
	if pg < 1 || size < 1 || size > maxQueryPageSize {
		return c.fail(badRequest("page must be at least 1 and pageSize between 1 and %d", maxQueryPageSize))
	}
	res, err := c.s.runMetricQuery(c.r.Context(), p, ldTables[q.Explore], q.Query)
	if err != nil {
		return c.fail(err)
	}
	columns := map[string]any{}
	for i, id := range res.Fields {
		columns[id] = map[string]any{"reference": id, "type": res.Types[i]}
	}
	total := len(res.Rows)
	pages := (total + size - 1) / size
	rows := []any{}
	for _, r := range page(res.Rows, (pg-1)*size, size) {
		row := map[string]any{}
		for i, id := range res.Fields {
			row[id] = map[string]any{"value": map[string]any{"raw": rawValue(r[i], res.Types[i]), "formatted": formatValue(id, r[i])}}
		}
		rows = append(rows, row)
	}
	out := map[string]any{"queryUuid": q.UUID, "status": "ready", "rows": rows, "columns": columns, "pivotDetails": nil,
		"page": pg, "pageSize": size, "totalResults": total, "totalPageCount": pages,
		"metadata": map[string]any{"performance": map[string]any{"queueTimeMs": 0, "initialQueryExecutionMs": 38, "resultsPageExecutionMs": 2}}}
	if pg > 1 {
		out["previousPage"] = pg - 1
	}
	if pg < pages {
		out["nextPage"] = pg + 1
	}
	return ldOK(out)
}

func ldDownloadQueryResults(c *call, p *ldProj, q *ldQuery) (int, any) {
	if !c.s.ready(q) {
		return c.fail(badRequest("Query %s has not finished running; download it once getAsyncQueryResults says ready", q.UUID))
	}
	typ := str(c.bodyMap(), "type")
	if typ == "" {
		typ = "csv"
	}
	if typ != "csv" && typ != "xlsx" && typ != "jsonl" {
		return c.fail(badRequest("not supported by the sandbox: %s downloads (csv, xlsx and jsonl are)", typ))
	}
	name := str(c.bodyMap(), "attachmentDownloadName")
	if name == "" {
		name = q.Explore + "-" + q.UUID[:8]
	}
	url := fmt.Sprintf("https://lightdash.sandbox.invalid/api/v2/projects/%s/query/%s/files/%s.%s", p.UUID, q.UUID, slugify(name), typ)
	if typ == "jsonl" {
		return ldOK(map[string]any{"fileUrl": url})
	}
	return ldOK(map[string]any{"fileUrl": url, "truncated": false})
}

// runMetricQuery runs a MetricQuery on explore base: the SQL of its
// dimensions, metrics, filters, sorts and limit runs on the project's
// warehouse, the engine SQL queries run on (sqlrun.go).
func (s *Sandbox) runMetricQuery(ctx context.Context, p *ldProj, base *ldTable, mq map[string]any) (*ldQueryResult, *apiError) {
	unsupported := func(format string, a ...any) *apiError {
		return badRequest("not supported by the sandbox: "+format, a...)
	}
	for _, k := range []string{"tableCalculations", "customDimensions"} {
		if l, _ := mq[k].([]any); len(l) > 0 {
			return nil, unsupported("%s in metric queries", k)
		}
	}
	w := warehouseFor(p.DS)
	tbl := ldTableFor(w, base.Name)
	if tbl == nil {
		return nil, badRequest("Table ANALYTICS.MARTS.%s does not exist in the project's warehouse", strings.ToUpper(base.Name))
	}
	extra := map[string]map[string]any{}
	if arr, ok := mq["additionalMetrics"].([]any); ok {
		for _, a := range arr {
			if m, ok := a.(map[string]any); ok {
				extra[str(m, "table")+"_"+str(m, "name")] = m
			}
		}
	}
	res := &ldQueryResult{}
	var selects []string
	column := func(f *fieldRef, name string) (string, *apiError) {
		if f.Table != base {
			return "", unsupported("fields of joined tables (%s) in metric queries on %s", f.Table.Name, base.Name)
		}
		c := tbl.column(name)
		if c == nil {
			return "", badRequest("Column %s of %s does not exist in the warehouse", name, base.Name)
		}
		return sqlIdent(c.Name), nil
	}
	dims := strList(mq, "dimensions")
	for _, id := range dims {
		f := resolveField(id)
		if f == nil || f.Dim == nil {
			return nil, badRequest("Tried to reference a dimension that does not exist in explore %q: %s", base.Name, id)
		}
		col, err := column(f, f.Dim.Column)
		if err != nil {
			return nil, err
		}
		if f.Interval != "" {
			col = truncSQL(f.Interval, col)
		}
		selects = append(selects, col)
		res.Fields, res.Types = append(res.Fields, id), append(res.Types, f.Dim.Type)
	}
	for _, id := range strList(mq, "metrics") {
		f := resolveField(id)
		var typ, colName string
		switch {
		case f != nil && f.Metric != nil:
			typ, colName = f.Metric.Type, f.Metric.Column
		case extra[id] != nil && str(extra[id], "table") == base.Name:
			f = &fieldRef{Table: base}
			typ, colName = str(extra[id], "type"), strings.TrimPrefix(str(extra[id], "sql"), "${TABLE}.")
		default:
			return nil, badRequest("Tried to reference a metric that does not exist in explore %q: %s", base.Name, id)
		}
		col, err := column(f, colName)
		if err != nil {
			return nil, err
		}
		agg := map[string]string{"count_distinct": "count(DISTINCT %s)", "average": "round(avg(%s), 2)", "sum": "round(sum(%s), 2)",
			"count": "count(%s)", "min": "min(%s)", "max": "max(%s)"}[typ]
		if agg == "" {
			return nil, unsupported("%s metrics", typ)
		}
		selects = append(selects, fmt.Sprintf(agg, col))
		res.Fields, res.Types = append(res.Fields, id), append(res.Types, "number")
	}
	if len(selects) == 0 {
		return nil, badRequest("The query needs at least one dimension or metric")
	}
	where, err := metricFilters(base, tbl, mq["filters"])
	if err != nil {
		return nil, err
	}
	var order []string
	sorts, _ := mq["sorts"].([]any)
	for _, x := range sorts {
		m, _ := x.(map[string]any)
		pos := slices.Index(res.Fields, str(m, "fieldId"))
		if pos < 0 {
			return nil, badRequest("Cannot sort by %q: it is not a dimension or metric of the query", str(m, "fieldId"))
		}
		dir := ""
		if d, _ := m["descending"].(bool); d {
			dir = " DESC"
		}
		order = append(order, strconv.Itoa(pos+1)+dir)
	}
	limit := 500
	if l, ok := num(mq, "limit"); ok && l > 0 {
		limit = min(l, wh.MaxQueryRows)
	}
	q := "SELECT " + strings.Join(selects, ", ") + " FROM " + sqlIdent(tbl.sqlName())
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(dims) > 0 {
		var by []string
		for i := range dims {
			by = append(by, strconv.Itoa(i+1))
		}
		q += " GROUP BY " + strings.Join(by, ", ")
	}
	if len(order) > 0 {
		q += " ORDER BY " + strings.Join(order, ", ")
	}
	q += " LIMIT " + strconv.Itoa(limit)
	conn, cerr := s.demo.conn(ctx, w.file)
	if cerr != nil {
		return nil, sqlFailure(cerr)
	}
	out, qerr := conn.Query(ctx, q, limit)
	if qerr != nil {
		return nil, sqlFailure(w.sqlErr(qerr))
	}
	for _, row := range out.Rows {
		for i, v := range row {
			if t, ok := v.(string); ok && len(t) > 10 && strings.HasSuffix(t, "T00:00:00Z") && (res.Types[i] == "date" || res.Types[i] == "timestamp") {
				row[i] = t[:10]
			}
		}
	}
	res.Rows = out.Rows
	return res, nil
}

// truncSQL is SQLite's expression of column col truncated to a Lightdash
// time interval (weeks start on Monday).
func truncSQL(interval, col string) string {
	switch strings.ToUpper(interval) {
	case "YEAR":
		return "date(" + col + ", 'start of year')"
	case "QUARTER":
		return "date(" + col + ", 'start of month', printf('-%d months', (CAST(strftime('%m', " + col + ") AS INTEGER) - 1) % 3))"
	case "MONTH":
		return "date(" + col + ", 'start of month')"
	case "WEEK":
		return "date(" + col + ", '-6 days', 'weekday 1')"
	}
	return "date(" + col + ")"
}

// metricFilters turns a MetricQuery's filters into SQL conditions on tbl:
// one AND group of dimension rules of base.
func metricFilters(base *ldTable, tbl *table, v any) ([]string, *apiError) {
	filters, _ := v.(map[string]any)
	for _, k := range []string{"metrics", "tableCalculations"} {
		if g, ok := filters[k].(map[string]any); ok && len(groupRules(g)) > 0 {
			return nil, badRequest("not supported by the sandbox: %s filters in metric queries", k)
		}
	}
	g, _ := filters["dimensions"].(map[string]any)
	if g == nil {
		return nil, nil
	}
	if _, isOr := g["or"]; isOr && len(groupRules(g)) > 1 {
		return nil, badRequest("not supported by the sandbox: OR filter groups in metric queries")
	}
	var out []string
	for _, r := range groupRules(g) {
		rule, _ := r.(map[string]any)
		if _, nested := rule["and"]; nested {
			return nil, badRequest("not supported by the sandbox: nested filter groups in metric queries")
		}
		if _, nested := rule["or"]; nested {
			return nil, badRequest("not supported by the sandbox: nested filter groups in metric queries")
		}
		if d, _ := rule["disabled"].(bool); d {
			continue
		}
		target, _ := rule["target"].(map[string]any)
		id := str(target, "fieldId")
		f := resolveField(id)
		if f == nil || f.Dim == nil {
			return nil, badRequest("Filter on %q: no such dimension in explore %q", id, base.Name)
		}
		if f.Table != base {
			return nil, badRequest("not supported by the sandbox: filters on joined tables (%s)", id)
		}
		c := tbl.column(f.Dim.Column)
		if c == nil {
			return nil, badRequest("Column %s of %s does not exist in the warehouse", f.Dim.Column, base.Name)
		}
		col := sqlIdent(c.Name)
		vals, _ := rule["values"].([]any)
		op := str(rule, "operator")
		need := func(n int) *apiError {
			if len(vals) < n {
				return badRequest("Filter %s on %s needs %d value(s)", op, id, n)
			}
			return nil
		}
		list := func() string {
			var l []string
			for _, x := range vals {
				l = append(l, sqlLiteral(x))
			}
			return "(" + strings.Join(l, ", ") + ")"
		}
		switch op {
		case "equals", "notEquals":
			if err := need(1); err != nil {
				return nil, err
			}
			not := map[string]string{"equals": "", "notEquals": "NOT "}[op]
			out = append(out, col+" "+not+"IN "+list())
		case "isNull":
			out = append(out, col+" IS NULL")
		case "notNull":
			out = append(out, col+" IS NOT NULL")
		case "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual":
			if err := need(1); err != nil {
				return nil, err
			}
			sym := map[string]string{"greaterThan": ">", "greaterThanOrEqual": ">=", "lessThan": "<", "lessThanOrEqual": "<="}[op]
			out = append(out, col+" "+sym+" "+sqlLiteral(vals[0]))
		case "inBetween":
			if err := need(2); err != nil {
				return nil, err
			}
			out = append(out, col+" BETWEEN "+sqlLiteral(vals[0])+" AND "+sqlLiteral(vals[1]))
		case "startsWith", "include":
			if err := need(1); err != nil {
				return nil, err
			}
			pat := fmt.Sprint(vals[0]) + "%"
			if op == "include" {
				pat = "%" + pat
			}
			out = append(out, col+" LIKE "+sqlString(pat))
		default:
			return nil, badRequest("not supported by the sandbox: the %q filter operator", op)
		}
	}
	return out, nil
}

// sqlLiteral is a JSON value as a SQL literal.
func sqlLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	}
	return sqlString(fmt.Sprint(v))
}

// groupRules returns the rules of a filter group ({"and": [...]} or {"or": [...]}).
func groupRules(g map[string]any) []any {
	if l, ok := g["and"].([]any); ok {
		return l
	}
	l, _ := g["or"].([]any)
	return l
}

// rawValue is a cell as Lightdash returns it raw: dates as ISO timestamps.
func rawValue(v any, typ string) any {
	if s, ok := v.(string); ok && (typ == "date" || typ == "timestamp") && len(s) == 10 {
		return s + "T00:00:00.000Z"
	}
	return v
}

// formatValue formats a cell the way the field's definition says: dates
// truncated to their interval, money in dollars, counts with separators.
func formatValue(id string, v any) string {
	if v == nil {
		return "∅"
	}
	f := resolveField(id)
	if s, ok := v.(string); ok {
		if f != nil && f.Dim != nil && len(s) >= 10 {
			switch f.Interval {
			case "MONTH":
				return s[:7]
			case "YEAR":
				return s[:4]
			case "QUARTER":
				m, _ := strconv.Atoi(s[5:7])
				return fmt.Sprintf("%s-Q%d", s[:4], (m-1)/3+1)
			}
			return s[:10]
		}
		return s
	}
	var n float64
	switch x := v.(type) {
	case int64:
		n = float64(x)
	case float64:
		n = x
	default:
		return fmt.Sprint(v)
	}
	if f != nil && f.Metric != nil && f.Metric.Format == "usd" {
		return "$" + thousands(n, 2)
	}
	if n == math.Trunc(n) {
		return thousands(n, 0)
	}
	return thousands(n, 2)
}

// thousands writes n with comma separators and prec decimals.
func thousands(n float64, prec int) string {
	s := strconv.FormatFloat(math.Abs(n), 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
