package sqllineage

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCatalog knows tables by their last name part; columns listed are
// complete unless the name ends in _docs; unknown_* tables are unknown
// and open_* tables are known with no columns.
func testCatalog() Catalog {
	tables := map[string][]string{
		"orders":         {"id", "user_id", "order_date", "status", "amount"},
		"customers":      {"id", "name", "email"},
		"payments":       {"id", "order_id", "method", "amount"},
		"events":         {"id", "payload", "tags"},
		"t1":             {"a", "b"},
		"t2":             {"c", "d"},
		"customers_docs": {"id", "name"},
		"open_events":    nil,
	}
	return CatalogFunc(func(parts []string) (Table, bool) {
		name := strings.ToLower(parts[len(parts)-1])
		if name == "__dbt__cte__eph" {
			return Table{ID: "model.p.eph", Columns: []string{"x", "y"}, Complete: true}, true
		}
		cols, ok := tables[name]
		if !ok {
			return Table{}, false
		}
		return Table{ID: name, Columns: cols, Complete: cols != nil && !strings.HasSuffix(name, "_docs")}, true
	})
}

// render is a column's sources as "table.column:kind", sorted.
func render(c Column) []string {
	out := []string{}
	for _, s := range c.Sources {
		out = append(out, s.Table+"."+s.Column+":"+string(s.Kind))
	}
	return out
}

func columns(res *Result) map[string][]string {
	out := map[string][]string{}
	for _, c := range res.Columns {
		out[c.Name] = render(c)
	}
	return out
}

func names(res *Result) []string {
	var out []string
	for _, c := range res.Columns {
		out = append(out, c.Name)
	}
	return out
}

func TestAnalyze(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sql   string
		cols  []string
		want  map[string][]string
		unres []string // substrings, in order
	}{
		{name: "copy and rename", sql: `select id as order_id, status, amount * 2 as double_amount, 1 as one from "db"."raw"."orders"`,
			cols: []string{"order_id", "status", "double_amount", "one"},
			want: map[string][]string{"order_id": {"orders.id:copy"}, "status": {"orders.status:copy"}, "double_amount": {"orders.amount:transformation"}, "one": {}}},
		{name: "cte chain", sql: `with a as (select id, amount from orders), b as (select id as order_id, amount as amt from a), c as (select order_id, amt + 1 as amt from b) select * from c`,
			cols: []string{"order_id", "amt"},
			want: map[string][]string{"order_id": {"orders.id:copy"}, "amt": {"orders.amount:transformation"}}},
		{name: "join with aliases", sql: `select o.id as order_id, c.name, o.amount from raw.orders o left join raw.customers as c on o.user_id = c.id`,
			want: map[string][]string{"order_id": {"orders.id:copy"}, "name": {"customers.name:copy"}, "amount": {"orders.amount:copy"}}},
		{name: "unqualified column found in one joined table", sql: `select status, name from orders join customers on orders.user_id = customers.id`,
			want: map[string][]string{"status": {"orders.status:copy"}, "name": {"customers.name:copy"}}},
		{name: "ambiguous column", sql: `select id from orders join customers on orders.user_id = customers.id`,
			want:  map[string][]string{"id": {}},
			unres: []string{`id: column "id" is ambiguous: orders, customers all have it`}},
		{name: "join using", sql: `select id, status, name from orders join customers using (id)`,
			want: map[string][]string{"id": {"customers.id:copy", "orders.id:copy"}, "status": {"orders.status:copy"}, "name": {"customers.name:copy"}}},
		{name: "star over join using shows the column once", sql: `select * from t1 join t1 as x using (a)`,
			cols: []string{"a", "b", "b"},
			want: map[string][]string{"a": {"t1.a:copy"}}},
		{name: "union by position", sql: `select a as x, b from t1 union all select d, c from t2`,
			cols: []string{"x", "b"},
			want: map[string][]string{"x": {"t1.a:copy", "t2.d:copy"}, "b": {"t1.b:copy", "t2.c:copy"}}},
		{name: "except keeps the left", sql: `select a from t1 except select c from t2`,
			want: map[string][]string{"a": {"t1.a:copy"}}},
		{name: "union of a star that cannot be expanded", sql: `select * from unknown_x union all select a from t1`,
			unres: []string{"could not be expanded"}},
		{name: "window functions", sql: `select row_number() over (partition by user_id order by order_date) as rn, sum(amount) over (partition by status) as status_total, lag(amount) over (order by id) as prev from orders`,
			want: map[string][]string{
				"rn":           {"orders.order_date:transformation", "orders.user_id:transformation"},
				"status_total": {"orders.amount:aggregation", "orders.status:transformation"},
				"prev":         {"orders.amount:transformation", "orders.id:transformation"}}},
		{name: "aggregates", sql: `select user_id, count(*) as n, count(distinct status) as statuses, max(case when status = 'x' then amount end) as m, sum(amount) filter (where status = 'ok') as ok from orders group by 1`,
			want: map[string][]string{"user_id": {"orders.user_id:copy"}, "n": {}, "statuses": {"orders.status:aggregation"},
				"m": {"orders.amount:aggregation", "orders.status:aggregation"}, "ok": {"orders.amount:aggregation", "orders.status:aggregation"}}},
		{name: "case and casts", sql: `select case when status = 'a' then 1 else amount end as c, cast(order_date as varchar) as d, id::text as i, coalesce(amount, 0) from orders`,
			cols: []string{"c", "d", "i", "coalesce"},
			want: map[string][]string{"c": {"orders.amount:transformation", "orders.status:transformation"}, "d": {"orders.order_date:transformation"}, "i": {"orders.id:transformation"}, "coalesce": {"orders.amount:transformation"}}},
		{name: "star expanded from the catalog", sql: `select * from customers`,
			cols: []string{"id", "name", "email"},
			want: map[string][]string{"id": {"customers.id:copy"}, "name": {"customers.name:copy"}, "email": {"customers.email:copy"}}},
		{name: "qualified star and more", sql: `select c.*, o.amount from customers c join orders o on o.user_id = c.id`,
			cols: []string{"id", "name", "email", "amount"}},
		{name: "star over an unknown table passes through", sql: `with s as (select * from raw.unknown_events) select id as event_id, kind from s`,
			want: map[string][]string{"event_id": {"raw.unknown_events.id:copy"}, "kind": {"raw.unknown_events.kind:copy"}}},
		{name: "star over an unknown table at the top", sql: `select *, 1 as one from open_events`,
			cols:  []string{"one"},
			unres: []string{"SELECT * over open_events could not be expanded: the columns of open_events are unknown"}},
		{name: "star over documented columns", sql: `select * from customers_docs`,
			cols:  []string{"id", "name"},
			unres: []string{"could not be expanded"}},
		{name: "subquery with column aliases", sql: `select s.x, s.y from (select a, b + 1 from t1) as s(x, y)`,
			want: map[string][]string{"x": {"t1.a:copy"}, "y": {"t1.b:transformation"}}},
		{name: "scalar subquery, correlated", sql: `select c.id, (select max(o.amount) from orders o where o.user_id = c.id) as biggest from customers c`,
			want: map[string][]string{"id": {"customers.id:copy"}, "biggest": {"orders.amount:aggregation"}}},
		{name: "lateral column alias", sql: `select amount * 2 as doubled, doubled + 1 as more from orders`,
			want: map[string][]string{"doubled": {"orders.amount:transformation"}, "more": {"orders.amount:transformation"}}},
		{name: "named window", sql: `select sum(amount) over w as running, row_number() over (w order by id) as rn from orders window w as (partition by user_id)`,
			want: map[string][]string{"running": {"orders.amount:aggregation", "orders.user_id:transformation"},
				"rn": {"orders.id:transformation", "orders.user_id:transformation"}}},
		{name: "alias or unknown column", sql: `select amount * 2 as doubled, doubled + 1 as more from open_events`,
			want:  map[string][]string{"doubled": {"open_events.amount:transformation"}, "more": {}},
			unres: []string{`more: "doubled" may be the alias defined earlier in the select list or a column of open_events`}},
		{name: "table function", sql: `select e.id, f.tag from events e, lateral unnest(e.tags) as f(tag)`,
			want: map[string][]string{"id": {"events.id:copy"}, "tag": {"events.tags:transformation"}}},
		{name: "record field", sql: `select payload.user_id from events`,
			cols: []string{"user_id"},
			want: map[string][]string{"user_id": {"events.payload:transformation"}}},
		{name: "schema-qualified column", sql: `select raw.orders.status from raw.orders`,
			want: map[string][]string{"status": {"orders.status:copy"}}},
		{name: "values", sql: `select column1 as k, v.column2 from (values (1, 'a'), (2, 'b')) as v`,
			cols: []string{"k", "column2"},
			want: map[string][]string{"k": {}, "column2": {}}},
		{name: "recursive cte", sql: `with recursive r(n, a) as (select 1, a from t1 union all select n + 1, a from r where n < 3) select n, a from r`,
			want: map[string][]string{"n": {}, "a": {"t1.a:copy"}}},
		{name: "a non-recursive cte named like the table it reads", sql: `with t1 as (select a from t1) select a from t1`,
			want: map[string][]string{"a": {"t1.a:copy"}}},
		{name: "ephemeral model", sql: `with __dbt__cte__eph as (select a as x, b as y from t1) select x from __dbt__cte__eph`,
			want: map[string][]string{"x": {"model.p.eph.x:copy"}}},
		{name: "missing column", sql: `select nope from t1`,
			want:  map[string][]string{"nope": {}},
			unres: []string{`nope: column "nope" is not in any table of the FROM clause`}},
		{name: "missing qualified column", sql: `select t1.zz from t1`,
			unres: []string{`column t1.zz not found: t1 has columns a, b`}},
		{name: "in subquery and exists", sql: `select a in (select c from t2) as found, exists (select 1 from t2 where d = b) as ex from t1`,
			want: map[string][]string{"found": {"t1.a:transformation", "t2.c:transformation"}, "ex": {}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Analyze(tc.sql, testCatalog())
			require.NoError(t, err)
			if tc.cols != nil {
				assert.Equal(t, tc.cols, names(res), "output columns")
			}
			got := columns(res)
			for col, want := range tc.want {
				assert.Equal(t, want, got[col], "sources of %s: got %v, want %v", col, got[col], want)
			}
			require.Len(t, res.Unresolved, len(tc.unres), "unresolved: got %q", res.Unresolved)
			for i, want := range tc.unres {
				assert.Contains(t, res.Unresolved[i], want)
			}
		})
	}
}

func TestAnalyzeTablesAndUnknown(t *testing.T) {
	res, err := Analyze(`select o.id from orders o join "Raw"."Mystery" m on m.id = o.id`, testCatalog())
	require.NoError(t, err)
	assert.Equal(t, []string{"orders"}, res.Tables)
	assert.Equal(t, []string{"Raw.Mystery"}, res.Unknown, "unknown relation keeps its quoted case")
}

func TestAnalyzePassthrough(t *testing.T) {
	res, err := Analyze(`with a as (select * from open_events), b as (select * from a) select * from b`, testCatalog())
	require.NoError(t, err)
	assert.Equal(t, []string{"open_events"}, res.Passthrough)
	assert.Empty(t, res.Columns)
}

func TestAnalyzeRejects(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		parse     bool
	}{
		{"snowflake qualify", `select id from orders qualify row_number() over (partition by id order by id) = 1`, true},
		{"bigquery backticks", "select id from `proj.ds.orders`", true},
		{"snowflake exclude", `select * exclude (id) from orders`, true},
		{"two statements", `select 1; select 2`, false},
		{"insert", `insert into t1 values (1, 2)`, false},
		{"empty", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Analyze(tc.sql, testCatalog())
			require.Error(t, err)
			var pe *ParseError
			assert.Equal(t, tc.parse, errors.As(err, &pe), "parse error: got %v", err)
			if !tc.parse {
				assert.ErrorIs(t, err, ErrNotSelect)
			}
		})
	}
}
