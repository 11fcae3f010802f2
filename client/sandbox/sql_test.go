package sandbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSQL: queries of the data sources run on the engine, with the
// warehouse's names (qualified table names, INFORMATION_SCHEMA, SHOW,
// DESCRIBE), and answer the demo's numbers.
func TestSQL(t *testing.T) {
	s := newTestSandbox(t)
	for _, tc := range []struct {
		ds         int
		query      string
		rows       int
		path, want string // a value of the answer, as text
	}{
		{1, "select sum(amount) as revenue from ANALYTICS.MARTS.fct_orders", 1, "rows.0.REVENUE", "2.191546092e+07"},
		{2, "select sum(amount) as revenue from ANALYTICS.MARTS.fct_orders", 1, "rows.0.REVENUE", "2.189495257e+07"},
		{1, "select status, count(*) as n from ANALYTICS.MARTS.fct_orders group by status order by n desc", 5, "rows.0.N", "102687"},
		{1, "select count(*) as n from RAW.orders", 1, "rows.0.N", "125430"},
		{1, `select * from "ANALYTICS"."MARTS"."DIM_CUSTOMERS" order by customer_id limit 2`, 2, "columns.4.db_type", "DATE"},
		{1, "select order_id, amount from fct_orders where order_id in (67, 134)", 2, "rows.1.ORDER_ID", "134"},
		{1, "select count(*) as n from ANALYTICS.MARTS.fct_orders o join MARTS.dim_customers c on o.customer_id = c.customer_id", 1, "rows.0.N", "125430"},
		{1, "with m as (select order_id from ANALYTICS.MARTS.fct_orders where order_id % 883 = 0) select count(*) as n from m", 1, "rows.0.N", "142"},
		{2, "select count(*) as n from ANALYTICS.MARTS.fct_orders where order_id % 883 = 0", 1, "rows.0.N", "0"},
		{1, "show tables in schema ANALYTICS.MARTS", 2, "rows.0.NAME", "dim_customers"},
		{1, "show schemas", 3, "rows.0.NAME", "MARTS"},
		{1, "describe table MARTS.fct_orders", 9, "rows.0.NAME", "order_id"},
		{1, "select column_name from information_schema.columns where table_name = 'fct_orders' order by ordinal_position", 9, "rows.8.COLUMN_NAME", "amount"},
		{1, "select 1 as one", 1, "rows.0.ONE", "1"},
		{3, "select count(*) as n from `jaffle-marketing.marketing.campaigns`", 1, "rows.0.n", "12"},
	} {
		r := do(t, s, "datafold", "POST", "/api/v1/data_sources/"+itoa(tc.ds)+"/query", map[string]any{"query": tc.query})
		require.Equal(t, 200, r.Status, "%s: %s", tc.query, r.Body)
		rows, _ := r.get("rows").([]any)
		assert.Len(t, rows, tc.rows, tc.query)
		assert.Equal(t, tc.want, fmt.Sprint(r.get(tc.path)), "%s: %s", tc.query, tc.path)
	}
}

// TestSQLErrors: SQL the engine cannot run is a 400 in the warehouse's
// words with the engine's message, never a made-up success.
func TestSQLErrors(t *testing.T) {
	s := newTestSandbox(t)
	for name, tc := range map[string]struct{ query, want string }{
		"DDL":              {"create table t (id int)", "read-only"},
		"DML":              {"delete from ANALYTICS.MARTS.fct_orders", "read-only"},
		"two statements":   {"select 1; drop table fct_orders", "read-only"},
		"unknown table":    {"select * from nope", "no such table: nope"},
		"unknown column":   {"select nope from fct_orders", "no such column: nope"},
		"unknown function": {"select date_trunc('month', order_date) from fct_orders", "no such function: date_trunc"},
		"describe unknown": {"describe table MARTS.nope", "Object 'MARTS.NOPE' does not exist"},
		"1 MB of garbage":  {strings.Repeat("xq!@# ", 1<<20/6), "syntax error"},
		"1 MB of (":        {"select " + strings.Repeat("(", 1<<20), "SQL compilation error"},
	} {
		r := do(t, s, "datafold", "POST", "/api/v1/data_sources/1/query", map[string]any{"query": tc.query})
		require.Equal(t, 400, r.Status, "%s: got %s", name, r.Body)
		msg, _ := r.get("detail").(string)
		assert.Contains(t, msg, tc.want, name)
		assert.Less(t, len(msg), 400, "%s: error message length", name)
	}
	ld := do(t, s, "lightdash", "POST", "/api/v1/projects/"+ldProject+"/sqlQuery", map[string]any{"sql": "select nope from fct_orders"})
	assert.Equal(t, 400, ld.Status, string(ld.Body))
	assert.Contains(t, ld.get("error.message"), "no such column: nope")
}
