package sandbox

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/warehouse/diff"
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

// TestDevProdDiffStory: the engine finds in the demo files what PR #42
// changed (doc.go).
func TestDevProdDiffStory(t *testing.T) {
	s := newTestSandbox(t)
	run := func(table, pk string) *diff.Result {
		r := s.startDiff(diffSpec{a: diffTarget{file: dbProd, table: table}, b: diffTarget{file: dbDev, table: table}, pk: []string{pk}})
		<-r.done
		require.NoError(t, r.err, table)
		return r.res
	}
	d := run("fct_orders", "order_id")
	require.Equal(t, int64(nOrders), d.A.Rows)
	require.Equal(t, int64(142), d.A.RowsOnlyHere)
	require.Equal(t, int64(30), d.B.RowsOnlyHere)
	got := map[string]int64{}
	for _, c := range d.Values.Columns {
		if c.ValuesDifferent > 0 {
			got[c.Column] = c.ValuesDifferent
		}
	}
	require.Equal(t, map[string]int64{"amount": 1109, "credit_card_amount": 1109, "status": 213}, got)
	require.Equal(t, diff.Identical, run("dim_customers", "customer_id").Result)
}

func TestJSONDepth(t *testing.T) {
	for in, want := range map[string]int{"": 0, "1": 0, "{}": 1, `{"a":[{"b":"[[["}]}`: 3, `["\"[", [[]]]`: 3} {
		require.Equal(t, want, jsonDepth([]byte(in)), in)
	}
}
