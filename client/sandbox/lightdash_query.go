package sandbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Lightdash's v2 async query API over the semantic layer:
// executeAsyncMetricQuery takes a metric query (an explore, its dimension
// and metric field ids, filters, sorts, a limit), runs it on the project's
// warehouse and answers a queryUuid; getAsyncQueryResults answers
// {queryUuid, status: "pending"} for Sandbox.QueryRunning after that, then
// pages of rows (status "ready"); downloadResults exports them.
//
// Queries are evaluated here, from the explore's field definitions, over
// the same generated rows the warehouse's SQL serves (query.go), so
// "revenue by month" agrees with
// SELECT date_trunc('month', order_date), sum(amount) FROM fct_orders.
// What the sandbox cannot evaluate is refused with a 400 that says so,
// never answered approximately: fields of joined tables, OR filter groups,
// metric filters, table calculations, custom dimensions and date filters
// relative to today.

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
	if _, err := c.s.runMetricQuery(p, base, mq); err != nil {
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
	res, err := c.s.runMetricQuery(p, ldTables[q.Explore], q.Query)
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

// runMetricQuery evaluates a MetricQuery on explore base over the
// project's warehouse.
func (s *Sandbox) runMetricQuery(p *ldProj, base *ldTable, mq map[string]any) (*ldQueryResult, *apiError) {
	unsupported := func(format string, a ...any) *apiError {
		return badRequest("not supported by the sandbox: "+format, a...)
	}
	for _, k := range []string{"tableCalculations", "customDimensions"} {
		if l, _ := mq[k].([]any); len(l) > 0 {
			return nil, unsupported("%s in metric queries", k)
		}
	}
	tbl := ldTableFor(warehouseFor(p.DS), base.Name)
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
	var items []selItem
	column := func(f *fieldRef, name string) (string, *apiError) {
		if f.Table != base {
			return "", unsupported("fields of joined tables (%s) in metric queries on %s", f.Table.Name, base.Name)
		}
		c := tbl.column(name)
		if c == nil {
			return "", badRequest("Column %s of %s does not exist in the warehouse", name, base.Name)
		}
		return c.Name, nil
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
		it := selItem{col: col, alias: id}
		if f.Interval != "" {
			it.trunc = strings.ToLower(f.Interval)
		}
		items = append(items, it)
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
		it := selItem{col: col, alias: id}
		switch typ {
		case "count_distinct":
			it.agg, it.distinct = "count", true
		case "average":
			it.agg = "avg"
		case "sum", "count", "min", "max":
			it.agg = typ
		default:
			return nil, unsupported("%s metrics", typ)
		}
		items = append(items, it)
		res.Fields, res.Types = append(res.Fields, id), append(res.Types, "number")
	}
	if len(items) == 0 {
		return nil, badRequest("The query needs at least one dimension or metric")
	}
	conds, err := metricFilters(base, tbl, mq["filters"])
	if err != nil {
		return nil, err
	}
	var order []string
	sorts, _ := mq["sorts"].([]any)
	for _, x := range sorts {
		m, _ := x.(map[string]any)
		pos := -1
		for i, id := range res.Fields {
			if id == str(m, "fieldId") {
				pos = i
			}
		}
		if pos < 0 {
			return nil, badRequest("Cannot sort by %q: it is not a dimension or metric of the query", str(m, "fieldId"))
		}
		dir := ""
		if d, _ := m["descending"].(bool); d {
			dir = " desc"
		}
		order = append(order, strconv.Itoa(pos+1)+dir)
	}
	limit := 500
	if l, ok := num(mq, "limit"); ok && l > 0 {
		limit = l
	}
	groupBy := ""
	if len(dims) > 0 {
		groupBy = "dimensions"
	}
	rowCap := limit
	if len(order) > 0 {
		rowCap = math.MaxInt
	}
	out := evalSelect(warehouseFor(p.DS), tbl, items, conds, groupBy, rowCap)
	if len(order) > 0 {
		sortResult(out, strings.Join(order, ", "))
	}
	if len(out.Rows) > limit {
		out.Rows = out.Rows[:limit]
	}
	res.Rows = out.Rows
	return res, nil
}

// metricFilters turns a MetricQuery's filters into conditions on tbl: one
// AND group of dimension rules of base.
func metricFilters(base *ldTable, tbl *table, v any) ([]cond, *apiError) {
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
	var out []cond
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
		col := tbl.column(f.Dim.Column)
		if col == nil {
			return nil, badRequest("Column %s of %s does not exist in the warehouse", f.Dim.Column, base.Name)
		}
		vals, _ := rule["values"].([]any)
		op := str(rule, "operator")
		add := func(o string, v ...any) { out = append(out, cond{col: col.Name, op: o, vals: v}) }
		need := func(n int) *apiError {
			if len(vals) < n {
				return badRequest("Filter %s on %s needs %d value(s)", op, id, n)
			}
			return nil
		}
		switch op {
		case "equals":
			if err := need(1); err != nil {
				return nil, err
			}
			add("in", vals...)
		case "notEquals":
			if err := need(1); err != nil {
				return nil, err
			}
			for _, x := range vals {
				add("!=", x)
			}
		case "isNull":
			add("is null")
		case "notNull":
			add("is not null")
		case "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual":
			if err := need(1); err != nil {
				return nil, err
			}
			add(map[string]string{"greaterThan": ">", "greaterThanOrEqual": ">=", "lessThan": "<", "lessThanOrEqual": "<="}[op], vals[0])
		case "inBetween":
			if err := need(2); err != nil {
				return nil, err
			}
			add(">=", vals[0])
			add("<=", vals[1])
		case "startsWith", "include":
			if err := need(1); err != nil {
				return nil, err
			}
			pat := fmt.Sprint(vals[0]) + "%"
			if op == "include" {
				pat = "%" + pat
			}
			add("like", pat)
		default:
			return nil, badRequest("not supported by the sandbox: the %q filter operator", op)
		}
	}
	return out, nil
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
	n, ok := numeric(v)
	if !ok {
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
