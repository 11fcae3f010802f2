package sandbox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSQLRefusesWhatItCannotEvaluate: SQL the sandbox does not understand
// gets an error saying so, never a made-up success.
func TestSQLRefusesWhatItCannotEvaluate(t *testing.T) {
	w := warehouseFor(1)
	compiled, apiErr := compileMetricQuery(ldTables["fct_orders"], map[string]any{"dimensions": []any{"fct_orders_order_date_month"},
		"metrics": []any{"fct_orders_total_revenue"}, "sorts": []any{}})
	if !assert.Nil(t, apiErr) {
		return
	}
	for name, q := range map[string]string{
		"Lightdash's compiled SQL": compiled,
		"1 MB of garbage":          strings.Repeat("xq!@# ", 1<<20/6),
		"1 MB SELECT of garbage":   "select " + strings.Repeat("(", 1<<20),
		"CTE":                      "with x as (select 1) select * from x",
		"DDL":                      "create table t (id int)",
		"DML":                      "delete from ANALYTICS.MARTS.fct_orders",
		"join":                     "select * from fct_orders o join dim_customers c on o.customer_id = c.customer_id",
		"union":                    "select 1 union select 2",
		"function":                 "select upper(status) from fct_orders",
		"arithmetic":               "select amount * 2 from fct_orders",
		"distinct":                 "select distinct status from fct_orders",
		"having":                   "select status, count(*) from fct_orders group by 1 having count(*) > 5",
		"subquery":                 "select * from (select 1) t",
		"two statements":           "select 1; drop table fct_orders",
		"expression without FROM":  "select now() + 1",
	} {
		res, err := runSQL(w, q)
		if assert.Error(t, err, "%s: got %v, want an error", name, res) {
			assert.Contains(t, err.Error(), "not supported by the sandbox", name)
			assert.Less(t, len(err.Error()), 400, "%s: error message length", name)
		}
	}
	for _, q := range []string{"select 1", "select count(*) from fct_orders", "show tables", "describe table fct_orders",
		"select current_date"} {
		_, err := runSQL(w, q)
		assert.NoError(t, err, q)
	}
}

// TestSQLErrorsReachTheAPIs: both SQL-running operations answer an
// upstream-style 400 for unsupported SQL.
func TestSQLErrorsReachTheAPIs(t *testing.T) {
	s := newTestSandbox(t)
	df := do(t, s, "datafold", "POST", "/api/v1/data_sources/1/query", map[string]any{"query": "create table x (id int)"})
	assert.Equal(t, 400, df.Status, string(df.Body))
	assert.Contains(t, df.get("detail"), "not supported by the sandbox: CREATE statements")
	ld := do(t, s, "lightdash", "POST", "/api/v1/projects/"+ldProject+"/sqlQuery", map[string]any{"sql": "with x as (select 1) select * from x"})
	assert.Equal(t, 400, ld.Status, string(ld.Body))
	assert.Contains(t, ld.get("error.message"), "not supported by the sandbox")
}
