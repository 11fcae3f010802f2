package sandbox

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRewriteNames: the warehouse's qualified table names become the
// file's, and only names: literals, comments, functions, aliases and
// columns are left as written.
func TestRewriteNames(t *testing.T) {
	w, bq := warehouseFor(1), warehouseFor(3)
	for _, tc := range []struct {
		w        *warehouse
		in, want string
	}{
		{w, "select * from ANALYTICS.MARTS.fct_orders", `select * from "fct_orders"`},
		{w, `select * from "ANALYTICS"."MARTS"."FCT_ORDERS" o`, `select * from "fct_orders" o`},
		{w, "select count(*) from RAW.orders join staging.stg_orders s on s.order_id = id", `select count(*) from "raw_orders" join "stg_orders" s on s.order_id = id`},
		{w, "select MARTS.fct_orders.amount from MARTS.fct_orders", `select "fct_orders"."amount" from "fct_orders"`},
		{w, "select 'ANALYTICS.MARTS.fct_orders', x.y -- MARTS.fct_orders\nfrom fct_orders /* RAW.orders */", "select 'ANALYTICS.MARTS.fct_orders', x.y -- MARTS.fct_orders\nfrom fct_orders /* RAW.orders */"},
		{w, "select marts.fct_orders(1), 1.5e3 from t", "select marts.fct_orders(1), 1.5e3 from t"},
		{w, "select 'it''s' from MARTS.dim_customers", `select 'it''s' from "dim_customers"`},
		{bq, "select * from `jaffle-marketing.marketing.ad_spend`", `select * from "ad_spend"`},
		{bq, "select * from marketing.campaigns", `select * from "campaigns"`},
	} {
		got, err := tc.w.rewriteNames(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	got, err := w.rewriteNames("select * from information_schema.tables")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got, "select * from (SELECT column1 AS table_catalog"), "got %.80s", got)
	for _, q := range []string{"select * from ANALYTICS.MARTS.nope", "select * from MARTS.nope"} {
		_, err := w.rewriteNames(q)
		if assert.Error(t, err, q) {
			assert.Contains(t, err.Error(), "does not exist or not authorized", q)
		}
	}
}
