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

func TestJSONDepth(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1": 0, "{}": 1, `{"a":[{"b":"[[["}]}`: 3, `["\"[", [[]]]`: 3} {
		require.Equal(t, want, jsonDepth([]byte(in)), in)
	}
}
