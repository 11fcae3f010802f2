package sandbox

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A tiny SQL evaluator over the demo warehouse, enough for the queries people
// (and agents) type to poke at data: single-table SELECTs with column lists,
// count/sum/avg/min/max (also count(distinct x)), date_trunc, WHERE with
// comparisons / IN / IS [NOT] NULL joined by AND, GROUP BY, ORDER BY and
// LIMIT; SELECTs of literals without FROM; SHOW TABLES / SCHEMAS; DESCRIBE
// TABLE; INFORMATION_SCHEMA.TABLES and .COLUMNS. Anything else is refused
// with an error that says the sandbox does not support it (never answered
// with a made-up success, which would look like a real answer).

type qcol struct{ Name, Type string }

type queryResult struct {
	Columns []qcol
	Rows    [][]any
}

// objects turns the rows into column -> value maps.
func (r *queryResult) objects() []any {
	out := make([]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		m := map[string]any{}
		for i, c := range r.Columns {
			m[c.Name] = row[i]
		}
		out = append(out, m)
	}
	return out
}

type sqlError struct{ msg string }

func (e *sqlError) Error() string { return e.msg }

var (
	selectRE  = lazyRegexp(`(?is)^\s*select\s+(.+?)(?:\s+from\s+([^\s;]+)(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?)?(?:\s+where\s+(.+?))?(?:\s+group\s+by\s+(.+?))?(?:\s+order\s+by\s+(.+?))?(?:\s+limit\s+(\d+))?\s*;?\s*$`)
	aggRE     = lazyRegexp(`(?i)^(count|sum|avg|min|max)\s*\(\s*(distinct\s+)?([^)]*?)\s*\)$`)
	truncRE   = lazyRegexp(`(?i)^date_trunc\s*\(\s*'?(\w+)'?\s*,\s*([^)]+?)\s*\)$`)
	aliasRE   = lazyRegexp(`(?is)^(.+?)\s+(?:as\s+)?("?[a-z_][a-z0-9_ ]*"?)$`)
	condRE    = lazyRegexp(`(?is)^\s*([a-z_."][a-z0-9_."]*)\s*(=|!=|<>|>=|<=|>|<|\s+in\s+|\s+is\s+not\s+null|\s+is\s+null|\s+like\s+)\s*(.*?)\s*$`)
	reservedA = map[string]bool{"where": true, "group": true, "order": true, "limit": true}
)

type selItem struct {
	expr, alias string
	agg, aggArg string
	distinct    bool
	trunc       string // date_trunc unit
	col         string // column read (for plain / trunc / agg)
	literal     any
	isLit       bool
	star        bool
}

// runSQL evaluates sql against w.
func runSQL(w *warehouse, sql string) (*queryResult, error) {
	q := strings.TrimSpace(sql)
	lower := strings.ToLower(q)
	switch {
	case q == "":
		return nil, &sqlError{"SQL compilation error: empty statement"}
	case strings.HasPrefix(lower, "show tables") || strings.HasPrefix(lower, "show objects"):
		return runSQL(w, "select table_catalog, table_schema, table_name, table_type, row_count from information_schema.tables")
	case strings.HasPrefix(lower, "show schemas"):
		res := &queryResult{Columns: []qcol{{"name", "TEXT"}, {"database_name", "TEXT"}}}
		seen := map[string]bool{}
		for _, t := range w.Tables {
			if !seen[t.Schema] {
				seen[t.Schema] = true
				res.Rows = append(res.Rows, []any{t.Schema, t.DB})
			}
		}
		return res, nil
	case strings.HasPrefix(lower, "describe table ") || strings.HasPrefix(lower, "desc table "):
		name := strings.TrimSpace(q[strings.Index(lower, "table ")+6:])
		return runSQL(w, fmt.Sprintf("select column_name, data_type, is_nullable, comment from information_schema.columns where table_name = '%s'", tableNameOnly(name)))
	}
	if !strings.HasPrefix(lower, "select") {
		return nil, unsupported("%s statements (it runs SELECT, SHOW TABLES, SHOW SCHEMAS and DESCRIBE TABLE)", statementKind(q))
	}
	for _, kw := range []string{" join ", " union ", " having ", " over (", " over(", "(select "} {
		if strings.Contains(sqlSpaces().ReplaceAllString(lower, " "), kw) {
			return nil, unsupported("%s (it evaluates single-table SELECTs)", strings.TrimSpace(strings.Trim(kw, "( ")))
		}
	}
	m := selectRE().FindStringSubmatch(q)
	if m == nil || (m[3] != "" && reservedA[strings.ToLower(m[3])]) {
		return nil, unsupported("this SELECT (it evaluates single-table SELECTs of columns, count/sum/avg/min/max and date_trunc, with WHERE conditions joined by AND, GROUP BY, ORDER BY and LIMIT)")
	}
	items, err := parseSelect(m[1])
	if err != nil {
		return nil, err
	}
	if m[2] == "" {
		return evalNoFrom(items)
	}
	t := lookupTable(w, m[2])
	if t == nil {
		return nil, &sqlError{fmt.Sprintf("SQL compilation error: Object '%s' does not exist or not authorized.", strings.ToUpper(strings.Trim(m[2], `"`)))}
	}
	for i := range items {
		if items[i].col != "" {
			c := t.column(stripQual(items[i].col))
			if c == nil && !(items[i].agg == "count" && items[i].col == "*") {
				return nil, &sqlError{fmt.Sprintf("SQL compilation error: invalid identifier '%s'", strings.ToUpper(items[i].col))}
			}
			if c != nil {
				items[i].col = c.Name
			}
		}
	}
	conds, err := parseWhere(t, m[4])
	if err != nil {
		return nil, err
	}
	limit := 100
	if m[7] != "" {
		limit, _ = strconv.Atoi(m[7])
	}
	limit = min(limit, 1000)
	rowCap := limit
	if m[6] != "" {
		rowCap = math.MaxInt
	}
	res := evalSelect(w, t, items, conds, m[5], rowCap)
	if m[6] != "" {
		sortResult(res, m[6])
	}
	if len(res.Rows) > limit {
		res.Rows = res.Rows[:limit]
	}
	return res, nil
}

func tableNameOnly(name string) string {
	p := parsePath(strings.Trim(name, "; "))
	if len(p) == 0 {
		return name
	}
	return p[len(p)-1]
}

func stripQual(c string) string {
	c = strings.Trim(c, `"`)
	if i := strings.LastIndexByte(c, '.'); i >= 0 {
		c = c[i+1:]
	}
	return strings.Trim(c, `"`)
}

var (
	sqlSpaces = lazyRegexp(`\s+`)
	identRE   = lazyRegexp(`^"?[A-Za-z_][A-Za-z0-9_$]*"?(\."?[A-Za-z_][A-Za-z0-9_$]*"?)*$`)
)

// unsupported is the error for SQL the sandbox cannot evaluate.
func unsupported(format string, a ...any) error {
	return &sqlError{"SQL compilation error: not supported by the sandbox: " + fmt.Sprintf(format, a...)}
}

// shortSQL quotes a piece of SQL in an error, cut to a readable length.
func shortSQL(s string) string {
	s = sqlSpaces().ReplaceAllString(strings.TrimSpace(s), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return "'" + s + "'"
}

// statementKind names a statement by its first word ("CREATE", "WITH"), or
// "empty or unreadable" when it has none a reader would recognise.
func statementKind(q string) string {
	f := strings.Fields(q)
	if len(f) == 0 {
		return "empty or unreadable"
	}
	w := strings.ToUpper(strings.TrimLeft(f[0], "("))
	if len(w) > 20 || strings.IndexFunc(w, func(r rune) bool { return (r < 'A' || r > 'Z') && r != '_' }) >= 0 {
		return "unreadable"
	}
	return w
}

func lookupTable(w *warehouse, name string) *table {
	parts := parsePath(name)
	if len(parts) == 0 {
		return nil
	}
	if strings.EqualFold(parts[len(parts)-1], "tables") && len(parts) >= 2 && strings.EqualFold(parts[len(parts)-2], "information_schema") {
		return infoTables(w)
	}
	if strings.EqualFold(parts[len(parts)-1], "columns") && len(parts) >= 2 && strings.EqualFold(parts[len(parts)-2], "information_schema") {
		return infoColumns(w)
	}
	return w.find(parts)
}

func infoTables(w *warehouse) *table {
	ts := w.Tables
	at := func(f func(t *table) any) func(env, i int) any {
		return func(_, i int) any { return f(ts[i-1]) }
	}
	return &table{DB: w.DefaultD, Schema: "INFORMATION_SCHEMA", Name: "TABLES", rowsFn: seqRows(len(ts)), Columns: []*column{
		col("table_catalog", "TEXT", "", at(func(t *table) any { return t.DB })),
		col("table_schema", "TEXT", "", at(func(t *table) any { return t.Schema })),
		col("table_name", "TEXT", "", at(func(t *table) any { return t.Name })),
		col("table_type", "TEXT", "", at(func(t *table) any {
			if t.Kind == "VIEW" {
				return "VIEW"
			}
			return "BASE TABLE"
		})),
		{Name: "row_count", Type: "NUMBER", gen: func(env, i int) any { return len(ts[i-1].rows(env)) }},
		col("comment", "TEXT", "", at(func(t *table) any { return t.Description })),
	}}
}

func infoColumns(w *warehouse) *table {
	type tc struct {
		t *table
		c *column
		n int
	}
	var all []tc
	for _, t := range w.Tables {
		for i, c := range t.Columns {
			all = append(all, tc{t, c, i + 1})
		}
	}
	at := func(f func(x tc) any) func(env, i int) any { return func(_, i int) any { return f(all[i-1]) } }
	return &table{DB: w.DefaultD, Schema: "INFORMATION_SCHEMA", Name: "COLUMNS", rowsFn: seqRows(len(all)), Columns: []*column{
		col("table_catalog", "TEXT", "", at(func(x tc) any { return x.t.DB })),
		col("table_schema", "TEXT", "", at(func(x tc) any { return x.t.Schema })),
		col("table_name", "TEXT", "", at(func(x tc) any { return x.t.Name })),
		col("column_name", "TEXT", "", at(func(x tc) any { return x.c.Name })),
		col("ordinal_position", "NUMBER", "", at(func(x tc) any { return x.n })),
		col("data_type", "TEXT", "", at(func(x tc) any { return x.c.Type })),
		col("is_nullable", "TEXT", "", at(func(x tc) any {
			if x.c.Name == x.t.PK {
				return "NO"
			}
			return "YES"
		})),
		col("comment", "TEXT", "", at(func(x tc) any { return x.c.Description })),
	}}
}

// splitTop splits s on commas that are not inside parentheses or quotes.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	inQ := byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case inQ != 0:
			if ch == inQ {
				inQ = 0
			}
		case ch == '\'' || ch == '"':
			inQ = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

func parseSelect(list string) ([]selItem, error) {
	var items []selItem
	for _, raw := range splitTop(list) {
		it := selItem{expr: raw}
		expr := raw
		if am := aliasRE().FindStringSubmatch(raw); am != nil && !strings.HasSuffix(strings.ToLower(am[1]), "distinct") && !strings.Contains(am[2], " ") {
			if !strings.EqualFold(am[2], "desc") && !strings.EqualFold(am[2], "asc") {
				expr, it.alias = strings.TrimSpace(am[1]), strings.Trim(am[2], `"`)
			}
		}
		switch {
		case expr == "*" || strings.HasSuffix(expr, ".*"):
			it.star = true
		case aggRE().MatchString(expr):
			a := aggRE().FindStringSubmatch(expr)
			it.agg, it.distinct, it.col = strings.ToLower(a[1]), a[2] != "", a[3]
			if it.col == "*" && it.agg != "count" {
				return nil, &sqlError{"SQL compilation error: " + a[1] + "(*) is not supported"}
			}
		case truncRE().MatchString(expr):
			a := truncRE().FindStringSubmatch(expr)
			it.trunc, it.col = strings.ToLower(a[1]), a[2]
		default:
			switch lit, ok := parseLiteral(expr); {
			case ok:
				it.literal, it.isLit = lit, true
			case identRE().MatchString(expr):
				it.col = expr
			default:
				return nil, unsupported("the expression %s (it evaluates columns, literals, count/sum/avg/min/max and date_trunc)", shortSQL(expr))
			}
		}
		if it.alias == "" {
			it.alias = expr
			if it.col != "" && it.agg == "" && it.trunc == "" {
				it.alias = stripQual(expr)
			}
		}
		items = append(items, it)
	}
	return items, nil
}

func parseLiteral(s string) (any, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	case "null":
		return nil, true
	case "current_date", "current_date()":
		return time.Now().UTC().Format("2006-01-02"), true
	case "current_timestamp", "current_timestamp()", "now()":
		return time.Now().UTC().Format(time.RFC3339), true
	case "current_user", "current_user()":
		return "DATAFOLD", true
	case "current_warehouse()":
		return "TRANSFORMING", true
	case "current_version()", "version()":
		return "8.41.2", true
	}
	return nil, false
}

func evalNoFrom(items []selItem) (*queryResult, error) {
	res := &queryResult{}
	var row []any
	for _, it := range items {
		if !it.isLit {
			return nil, unsupported("expressions without FROM other than literals (%s)", it.expr)
		}
		res.Columns = append(res.Columns, qcol{strings.ToUpper(it.alias), litType(it.literal)})
		row = append(row, it.literal)
	}
	res.Rows = [][]any{row}
	return res, nil
}

func litType(v any) string {
	switch v.(type) {
	case int64, int:
		return "INTEGER"
	case float64:
		return "FLOAT"
	case bool:
		return "BOOLEAN"
	}
	return "TEXT"
}

type cond struct {
	col, op string
	vals    []any
}

func parseWhere(t *table, where string) ([]cond, error) {
	if strings.TrimSpace(where) == "" {
		return nil, nil
	}
	var out []cond
	for _, part := range regexp.MustCompile(`(?i)\s+and\s+`).Split(where, -1) {
		m := condRE().FindStringSubmatch(part)
		if m == nil {
			return nil, &sqlError{"SQL compilation error: unsupported condition '" + strings.TrimSpace(part) + "' (the sandbox evaluates comparisons, IN, LIKE and IS [NOT] NULL joined by AND)"}
		}
		c := t.column(stripQual(m[1]))
		if c == nil {
			return nil, &sqlError{fmt.Sprintf("SQL compilation error: invalid identifier '%s'", strings.ToUpper(m[1]))}
		}
		op := strings.ToLower(strings.TrimSpace(m[2]))
		cd := cond{col: c.Name, op: op}
		switch op {
		case "in":
			inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m[3]), "("), ")")
			for _, v := range splitTop(inner) {
				lit, _ := parseLiteral(v)
				cd.vals = append(cd.vals, lit)
			}
		case "is null", "is not null":
		default:
			lit, ok := parseLiteral(m[3])
			if !ok {
				return nil, &sqlError{"SQL compilation error: unsupported value " + m[3]}
			}
			cd.vals = []any{lit}
		}
		out = append(out, cd)
	}
	return out, nil
}

func compareVals(a, b any) int {
	fa, oka := numeric(a)
	fb, okb := numeric(b)
	if oka && okb {
		return cmp.Compare(fa, fb)
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func (cd cond) match(row map[string]any) bool {
	v := row[cd.col]
	switch cd.op {
	case "is null":
		return v == nil
	case "is not null":
		return v != nil
	case "in":
		for _, x := range cd.vals {
			if compareVals(v, x) == 0 {
				return true
			}
		}
		return false
	case "like":
		pat := "(?i)^" + strings.ReplaceAll(strings.ReplaceAll(regexp.QuoteMeta(fmt.Sprint(cd.vals[0])), "%", ".*"), "_", ".") + "$"
		ok, _ := regexp.MatchString(pat, fmt.Sprint(v))
		return ok
	}
	c := compareVals(v, cd.vals[0])
	switch cd.op {
	case "=":
		return c == 0
	case "!=", "<>":
		return c != 0
	case ">":
		return c > 0
	case "<":
		return c < 0
	case ">=":
		return c >= 0
	case "<=":
		return c <= 0
	}
	return false
}

func truncDate(unit string, v any) any {
	s := fmt.Sprint(v)
	if len(s) < 10 {
		return v
	}
	d, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		return v
	}
	switch unit {
	case "year":
		d = time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		d = time.Date(d.Year(), time.Month((int(d.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	case "month":
		d = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "week":
		d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	return d.Format("2006-01-02")
}

type aggState struct {
	n        int
	sum      float64
	min, max any
	distinct map[string]bool
}

func evalSelect(w *warehouse, t *table, items []selItem, conds []cond, groupBy string, rowCap int) *queryResult {
	res := &queryResult{}
	hasAgg := false
	for _, it := range items {
		if it.agg != "" {
			hasAgg = true
		}
	}
	// output columns
	var expanded []selItem
	for _, it := range items {
		if it.star {
			for _, c := range t.Columns {
				expanded = append(expanded, selItem{expr: c.Name, alias: c.Name, col: c.Name})
			}
			continue
		}
		expanded = append(expanded, it)
	}
	for _, it := range expanded {
		typ := "TEXT"
		switch {
		case it.agg == "count":
			typ = "INTEGER"
		case it.agg != "":
			typ = "FLOAT"
		case it.isLit:
			typ = litType(it.literal)
		case it.trunc != "":
			typ = "DATE"
		default:
			if c := t.column(it.col); c != nil {
				typ = c.Type
			}
		}
		name := it.alias
		if w.Kind == "snowflake" {
			name = strings.ToUpper(name)
		}
		res.Columns = append(res.Columns, qcol{name, typ})
	}
	truncCache := map[string]any{}
	value := func(it selItem, row map[string]any) any {
		switch {
		case it.isLit:
			return it.literal
		case it.trunc != "":
			raw := fmt.Sprint(row[it.col])
			v, ok := truncCache[it.trunc+raw]
			if !ok {
				v = truncDate(it.trunc, raw)
				truncCache[it.trunc+raw] = v
			}
			return v
		}
		return row[it.col]
	}
	grouped := hasAgg || strings.TrimSpace(groupBy) != ""
	type group struct {
		key  []any
		aggs []*aggState
	}
	var groups []*group
	byKey := map[string]*group{}
	need := map[string]bool{}
	for _, it := range expanded {
		if it.col != "" {
			need[it.col] = true
		}
	}
	for _, cd := range conds {
		need[cd.col] = true
	}
	var needCols []*column
	for _, c := range t.Columns {
		if need[c.Name] {
			needCols = append(needCols, c)
		}
	}
	row := make(map[string]any, len(needCols))
	var kb strings.Builder
	for _, i := range candidateRows(t, w.env, conds) {
		for _, c := range needCols {
			row[c.Name] = c.gen(w.env, i)
		}
		ok := true
		for _, cd := range conds {
			if !cd.match(row) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if !grouped {
			out := make([]any, len(expanded))
			for j, it := range expanded {
				out[j] = value(it, row)
			}
			res.Rows = append(res.Rows, out)
			if len(res.Rows) >= rowCap {
				break
			}
			continue
		}
		kb.Reset()
		for _, it := range expanded {
			if it.agg == "" {
				fmt.Fprint(&kb, value(it, row), "\x00")
			}
		}
		k := kb.String()
		g := byKey[k]
		if g == nil {
			var key []any
			for _, it := range expanded {
				if it.agg == "" {
					key = append(key, value(it, row))
				}
			}
			g = &group{key: key, aggs: make([]*aggState, len(expanded))}
			for j := range g.aggs {
				g.aggs[j] = &aggState{distinct: map[string]bool{}}
			}
			byKey[k] = g
			groups = append(groups, g)
		}
		for j, it := range expanded {
			if it.agg == "" {
				continue
			}
			st := g.aggs[j]
			var v any = 1
			if it.col != "*" {
				v = row[it.col]
			}
			if v == nil {
				continue
			}
			st.n++
			if f, ok := numeric(v); ok {
				st.sum += f
			}
			if st.min == nil || compareVals(v, st.min) < 0 {
				st.min = v
			}
			if st.max == nil || compareVals(v, st.max) > 0 {
				st.max = v
			}
			if it.distinct {
				st.distinct[fmt.Sprint(v)] = true
			}
		}
	}
	if grouped {
		if len(groups) == 0 && hasAgg && strings.TrimSpace(groupBy) == "" {
			g := &group{aggs: make([]*aggState, len(expanded))}
			for j := range g.aggs {
				g.aggs[j] = &aggState{distinct: map[string]bool{}}
			}
			groups = append(groups, g)
		}
		for _, g := range groups {
			out := make([]any, len(expanded))
			ki := 0
			for j, it := range expanded {
				if it.agg == "" {
					out[j] = g.key[ki]
					ki++
					continue
				}
				st := g.aggs[j]
				switch it.agg {
				case "count":
					if it.distinct {
						out[j] = len(st.distinct)
					} else {
						out[j] = st.n
					}
				case "sum":
					out[j] = math.Round(st.sum*100) / 100
				case "avg":
					if st.n > 0 {
						out[j] = math.Round(st.sum/float64(st.n)*100) / 100
					}
				case "min":
					out[j] = st.min
				case "max":
					out[j] = st.max
				}
			}
			res.Rows = append(res.Rows, out)
		}
	}
	return res
}

// sortResult sorts by ORDER BY items: column positions, names or aliases.
func sortResult(res *queryResult, orderBy string) {
	type key struct {
		idx  int
		desc bool
	}
	var keys []key
	for _, part := range splitTop(orderBy) {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		k := key{idx: -1, desc: len(f) > 1 && strings.EqualFold(f[len(f)-1], "desc")}
		if n, err := strconv.Atoi(f[0]); err == nil {
			k.idx = n - 1
		} else {
			name := stripQual(f[0])
			for i, c := range res.Columns {
				if strings.EqualFold(c.Name, name) {
					k.idx = i
				}
			}
		}
		if k.idx >= 0 && k.idx < len(res.Columns) {
			keys = append(keys, k)
		}
	}
	slices.SortStableFunc(res.Rows, func(a, b []any) int {
		for _, k := range keys {
			c := compareVals(a[k.idx], b[k.idx])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// candidateRows is the rows of t in env a query must look at: when the WHERE
// clause pins the primary key (pk = n, pk IN (...)), only those rows (every
// demo table's key is its row number).
func candidateRows(t *table, env int, conds []cond) []int {
	all := t.rows(env)
	if t.PK == "" || t.column(t.PK) == nil || t.Schema == "INFORMATION_SCHEMA" {
		return all
	}
	for _, cd := range conds {
		if cd.col != t.PK || (cd.op != "=" && cd.op != "in") {
			continue
		}
		var out []int
		for _, v := range cd.vals {
			f, ok := numeric(v)
			if !ok || f != math.Trunc(f) {
				continue
			}
			n := int(f)
			if i, found := slices.BinarySearch(all, n); found {
				out = append(out, all[i])
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return all
}
