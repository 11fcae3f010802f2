package sandbox

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePath(t *testing.T) {
	cases := map[string][]string{
		"ANALYTICS.MARTS.fct_orders": {"ANALYTICS", "MARTS", "fct_orders"},
		`ANALYTICS."my.schema".t`:    {"ANALYTICS", "my.schema", "t"},
		`"a""b".c`:                   {`a"b`, "c"},
		"":                           nil,
		"a..b":                       nil,
	}
	for in, want := range cases {
		require.Equal(t, want, parsePath(in), in)
	}
}

func TestDevProdDiffStory(t *testing.T) {
	w := warehouseFor(1)
	d := compareEnvs(w.find([]string{"fct_orders"}), envProd, envDev)
	t.Logf("%+v", d)
	require.Equal(t, nOrders, d.RowsA)
	require.Equal(t, 142, d.ExclA)
	require.Equal(t, 30, d.ExclB)
	require.True(t, d.ColumnDiffs["amount"] > 500 && d.ColumnDiffs["amount"] == d.ColumnDiffs["credit_card_amount"])
	require.True(t, d.ColumnDiffs["status"] > 150)
	require.Equal(t, 3, len(d.ColumnDiffs))
	dc := compareEnvs(w.find([]string{"dim_customers"}), envProd, envDev)
	require.Equal(t, 0, dc.ExclA+dc.ExclB+len(dc.ColumnDiffs))
}

func TestSQL(t *testing.T) {
	w := warehouseFor(1)
	for _, q := range []string{
		"select count(*) from ANALYTICS.MARTS.fct_orders",
		"select status, count(*) as n from fct_orders group by 1 order by 2 desc",
		"SELECT date_trunc('month', order_date) AS month, sum(amount) AS revenue FROM analytics.marts.fct_orders WHERE order_date >= '2025-01-01' GROUP BY 1 ORDER BY 1 LIMIT 3",
		"select * from MARTS.dim_customers limit 2",
		"select order_id, amount from fct_orders where order_id in (67, 134) ",
		"select * from dim_customers order by lifetime_value desc limit 2",
		"select 1",
		"show tables",
		"select column_name, data_type from information_schema.columns where table_name = 'fct_orders'",
	} {
		r, err := runSQL(w, q)
		require.NoError(t, err, q)
		t.Logf("%s\n  %v\n  %v", q, r.Columns, r.Rows[:min(3, len(r.Rows))])
	}
	_, err := runSQL(w, "select * from nope")
	require.Error(t, err)
	_, err = runSQL(w, "select nope from fct_orders")
	require.Error(t, err)
}

func TestJSONDepth(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1": 0, "{}": 1, `{"a":[{"b":"[[["}]}`: 3, `["\"[", [[]]]`: 3} {
		require.Equal(t, want, jsonDepth([]byte(in)), in)
	}
}
