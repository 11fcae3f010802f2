package dbt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
)

func manifestOpts(dir manifest.Direction) manifest.ImpactOptions {
	return manifest.ImpactOptions{Direction: dir}
}

func paths(ci *ColumnImpact) map[string]int {
	out := map[string]int{}
	for _, c := range ci.Columns {
		out[c.Path] = c.Depth
	}
	return out
}

func nodeIDs(ci *ColumnImpact) map[string]int {
	out := map[string]int{}
	for _, n := range ci.Nodes {
		out[n.ID] = n.Depth
	}
	return out
}

func TestColumnImpactDownstream(t *testing.T) {
	s := snapshotOf(t, "manifests/manifest_v12.json", "catalog.json")
	ci, err := s.ColumnImpact("raw_payments.amount", manifestOpts(manifest.Downstream))
	require.NoError(t, err)
	assert.Equal(t, "raw_payments.amount", ci.Root.Path)
	assert.Equal(t, map[string]int{
		"stg_payments.amount":               1,
		"customers.customer_lifetime_value": 2,
		"orders.credit_card_amount":         2,
		"orders.coupon_amount":              2,
		"orders.bank_transfer_amount":       2,
		"orders.gift_card_amount":           2,
		"orders.amount":                     2,
	}, paths(ci))
	assert.Contains(t, ci.Edges, ColumnEdge{From: "raw_payments.amount", To: "stg_payments.amount", Kind: Transformation})
	assert.Contains(t, ci.Edges, ColumnEdge{From: "stg_payments.amount", To: "orders.amount", Kind: Aggregation})
	assert.Len(t, ci.Edges, 7)
	// Model level: the columns' models and what reads them.
	assert.Equal(t, map[string]int{
		"model.datafold_demo.stg_payments":               1,
		"model.datafold_demo.customers":                  2,
		"model.datafold_demo.orders":                     2,
		"exposure.datafold_demo.customer_dashboard":      3,
		"exposure.datafold_demo.weekly_revenue_notebook": 3,
		"semantic_model.datafold_demo.orders":            3,
		"metric.datafold_demo.order_total":               4,
		"saved_query.datafold_demo.revenue_by_day":       5,
	}, nodeIDs(ci))
	assert.Equal(t, []string{"exposure.datafold_demo.customer_dashboard", "exposure.datafold_demo.weekly_revenue_notebook"}, ci.Exposures)
	// Tests of the reached columns (the not_null tests of orders' amount
	// columns) and the node-wide unit test of customers; not the tests of
	// other columns.
	var tests []string
	for _, tt := range ci.Tests {
		tests = append(tests, tt.Name)
	}
	assert.ElementsMatch(t, []string{
		"not_null_orders_credit_card_amount", "not_null_orders_coupon_amount", "not_null_orders_bank_transfer_amount",
		"not_null_orders_gift_card_amount", "not_null_orders_amount", "test_customers_lifetime_value",
	}, tests)
	assert.Equal(t, 7, ci.Counts["columns"])
	assert.Equal(t, 6, ci.Counts["test"])
	assert.Equal(t, 2, ci.Counts["exposure"])
	assert.False(t, ci.Truncated)
	assert.Equal(t, 2, ci.DepthReached)
}

func TestColumnImpactUpstream(t *testing.T) {
	s := snapshotOf(t, "manifest.json", "")
	ci, err := s.ColumnImpact("customers.CUSTOMER_LIFETIME_VALUE", manifestOpts(manifest.Upstream))
	require.NoError(t, err)
	assert.Equal(t, "customers.customer_lifetime_value", ci.Root.Path)
	assert.Equal(t, map[string]int{"stg_payments.amount": 1, "raw_payments.amount": 2}, paths(ci))
	assert.Equal(t, []ColumnEdge{
		{From: "stg_payments.amount", To: "customers.customer_lifetime_value", Kind: Aggregation},
		{From: "raw_payments.amount", To: "stg_payments.amount", Kind: Transformation},
	}, ci.Edges)
	assert.Empty(t, ci.Exposures)

	ci, err = s.ColumnImpact("orders.credit_card_amount", manifestOpts(manifest.Upstream))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{
		"stg_payments.amount": 1, "stg_payments.payment_method": 1,
		"raw_payments.amount": 2, "raw_payments.payment_method": 2,
	}, paths(ci))
}

func TestColumnImpactBounds(t *testing.T) {
	s := snapshotOf(t, "manifests/manifest_v12.json", "catalog.json")
	ci, err := s.ColumnImpact("raw_payments.amount", manifest.ImpactOptions{MaxDepth: 1})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"stg_payments.amount": 1}, paths(ci))
	assert.True(t, ci.Truncated)
	assert.Equal(t, []string{"max_depth 1: the lineage of 1 column(s) at depth 1 goes further"}, ci.Cut)
	assert.Equal(t, []string{"stg_payments.amount"}, ci.Frontier)
	assert.Equal(t, map[string]int{"model.datafold_demo.stg_payments": 1}, nodeIDs(ci), "nothing past the depth")

	ci, err = s.ColumnImpact("raw_payments.amount", manifest.ImpactOptions{MaxNodes: 3})
	require.NoError(t, err)
	assert.Len(t, ci.Columns, 3)
	assert.True(t, ci.Truncated)
	assert.Equal(t, []string{"max_nodes 3: 4 more column(s) reached were left out (and what they lead to was not followed)"}, ci.Cut)
	assert.Equal(t, []string{"stg_payments.amount"}, ci.Frontier)
}

func TestColumnImpactTableLevel(t *testing.T) {
	s := snapshotFromJSON(t, dialectManifest)
	ci, err := s.ColumnImpact("base.id", manifestOpts(manifest.Downstream))
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"incremental.id": 1}, paths(ci))
	require.Len(t, ci.TableLevel, 1)
	assert.Equal(t, "model.p.dedup", ci.TableLevel[0].Node)
	assert.Equal(t, 1, ci.TableLevel[0].Depth)
	assert.Contains(t, ci.TableLevel[0].Reason, "PostgreSQL grammar")
	assert.NotEmpty(t, ci.Notes)

	ci, err = s.ColumnImpact("dedup.id", manifestOpts(manifest.Upstream))
	require.NoError(t, err)
	assert.Empty(t, ci.Columns)
	require.Len(t, ci.TableLevel, 1)
	assert.Equal(t, 0, ci.TableLevel[0].Depth)
	var tests []string
	for _, tt := range ci.Tests {
		tests = append(tests, tt.ID)
	}
	assert.Equal(t, []string{"test.p.not_null_dedup_id"}, tests)
}

func TestResolveColumn(t *testing.T) {
	s := snapshotOf(t, "manifest.json", "catalog.json")
	for _, tc := range []struct{ ref, node, column string }{
		{"orders.amount", "model.datafold_demo.orders", "amount"},
		{"model.datafold_demo.orders.AMOUNT", "model.datafold_demo.orders", "amount"},
		{`"jaffle_shop"."dev"."orders"."amount"`, "model.datafold_demo.orders", "amount"},
		{"dev.orders.amount", "model.datafold_demo.orders", "amount"},
		{"raw_orders.user_id", "seed.datafold_demo.raw_orders", "user_id"},
	} {
		n, col, err := s.ResolveColumn(tc.ref)
		require.NoError(t, err, tc.ref)
		assert.Equal(t, tc.node, n.UniqueID, "ResolveColumn(%q) node", tc.ref)
		assert.Equal(t, tc.column, col, "ResolveColumn(%q) column", tc.ref)
	}
	_, _, err := s.ResolveColumn("orders.nope")
	require.ErrorContains(t, err, `orders has no column "nope"; its columns: order_id, customer_id`)
	_, _, err = s.ResolveColumn("orders")
	require.ErrorContains(t, err, "<node>.<column>")
}
