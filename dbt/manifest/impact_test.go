package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func depths(im *Impact) map[string]int {
	out := map[string]int{}
	for _, n := range im.Nodes {
		out[n.ID] = n.Depth
	}
	return out
}

func TestImpactDownstream(t *testing.T) {
	g := loadV12(t)
	im, err := g.Impact("raw_payments", ImpactOptions{Direction: Downstream})
	require.NoError(t, err)
	want := map[string]int{
		"model.datafold_demo.stg_payments":               1,
		"model.datafold_demo.customers":                  2,
		"model.datafold_demo.orders":                     2,
		"exposure.datafold_demo.customer_dashboard":      3,
		"exposure.datafold_demo.weekly_revenue_notebook": 3,
		"semantic_model.datafold_demo.orders":            3,
		"metric.datafold_demo.order_total":               4,
		"saved_query.datafold_demo.revenue_by_day":       5,
	}
	assert.Equal(t, want, depths(im), "nodes and depths")
	assert.Equal(t, "seed.datafold_demo.raw_payments", im.Root.ID)
	assert.True(t, im.Root.Root)
	assert.False(t, im.Truncated)
	assert.Empty(t, im.Cut)
	assert.Equal(t, 8, im.Total)
	assert.Equal(t, 5, im.DepthReached)
	assert.Equal(t, []string{"exposure.datafold_demo.customer_dashboard", "exposure.datafold_demo.weekly_revenue_notebook"}, im.Exposures)
	// stg_payments 3, customers 2 + a unit test, orders 9.
	assert.Equal(t, map[Kind]int{KindModel: 3, KindExposure: 2, KindSemanticModel: 1, KindMetric: 1, KindSavedQuery: 1, KindTest: 15}, im.Counts)
	assert.Contains(t, im.Edges, Edge{From: "seed.datafold_demo.raw_payments", To: "model.datafold_demo.stg_payments"})
	assert.Contains(t, im.Edges, Edge{From: "model.datafold_demo.orders", To: "semantic_model.datafold_demo.orders"})
	assert.Len(t, im.Edges, 9)
	// BFS order: depth, then id.
	for i := 1; i < len(im.Nodes); i++ {
		a, b := im.Nodes[i-1], im.Nodes[i]
		assert.True(t, a.Depth < b.Depth || (a.Depth == b.Depth && a.ID < b.ID), "order: %s before %s", a.ID, b.ID)
	}
	var unit *ImpactTest
	for i := range im.Tests {
		if im.Tests[i].TestType == "unit" {
			unit = &im.Tests[i]
		}
	}
	require.NotNil(t, unit, "unit test of customers: got none")
	assert.Equal(t, "model.datafold_demo.customers", unit.Node)
	assert.Equal(t, 2, unit.Depth)
}

func TestImpactUpstream(t *testing.T) {
	g := loadV12(t)
	im, err := g.Impact("customer_dashboard", ImpactOptions{Direction: Upstream})
	require.NoError(t, err)
	assert.Equal(t, map[string]int{
		"model.datafold_demo.customers":     1,
		"model.datafold_demo.orders":        1,
		"model.datafold_demo.stg_customers": 2,
		"model.datafold_demo.stg_orders":    2,
		"model.datafold_demo.stg_payments":  2,
		"seed.datafold_demo.raw_customers":  3,
		"seed.datafold_demo.raw_orders":     3,
		"seed.datafold_demo.raw_payments":   3,
	}, depths(im))
	assert.Contains(t, im.Edges, Edge{From: "model.datafold_demo.orders", To: "exposure.datafold_demo.customer_dashboard"}, "upstream edges still point the way data flows")
	assert.Empty(t, im.Exposures)
}

func TestImpactTruncation(t *testing.T) {
	g := loadV12(t)
	for _, tc := range []struct {
		name       string
		opts       ImpactOptions
		nodes      int
		cut        []string
		frontier   []string
		depthReach int
	}{
		{"depth", ImpactOptions{MaxDepth: 2}, 3,
			[]string{"max_depth 2 left out 5 node(s) further than 2 hops"},
			[]string{"model.datafold_demo.customers", "model.datafold_demo.orders"}, 2},
		{"nodes", ImpactOptions{MaxNodes: 2}, 2,
			[]string{"max_nodes 2 left out 6 node(s) within the depth"},
			[]string{"model.datafold_demo.stg_payments", "model.datafold_demo.customers"}, 2},
		{"both", ImpactOptions{MaxDepth: 1, MaxNodes: 1}, 1,
			[]string{"max_depth 1 left out 7 node(s) further than 1 hops"},
			[]string{"model.datafold_demo.stg_payments"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := g.Impact("raw_payments", tc.opts)
			require.NoError(t, err)
			assert.True(t, im.Truncated)
			assert.Len(t, im.Nodes, tc.nodes)
			assert.Equal(t, 8, im.Total, "total reachable: got %d, want 8", im.Total)
			assert.Equal(t, tc.cut, im.Cut)
			assert.Equal(t, tc.frontier, im.Frontier)
			assert.Equal(t, tc.depthReach, im.DepthReached)
		})
	}
}

func TestImpactErrors(t *testing.T) {
	g := loadV12(t)
	_, err := g.Impact("nope_nothing", ImpactOptions{})
	require.Error(t, err)
	_, err = g.Impact("orders", ImpactOptions{Direction: "sideways"})
	require.ErrorContains(t, err, "sideways")
}
