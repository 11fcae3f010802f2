package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
)

// impactNode is a node of lineage_impact's answer as a client reads it.
type impactNode struct {
	Provider, Kind, Name, ID string
	Depth                    int
	Root                     bool
}

// callImpact calls lineage_impact over MCP on a server with only
// DBT_MANIFEST configured.
func callImpact(t *testing.T, args map[string]any) ([]impactNode, map[string]any) {
	t.Helper()
	manifest, err := filepath.Abs(filepath.Join("..", "..", "dbt", "testdata", "jaffle_shop", "manifest.json"))
	require.NoError(t, err)
	s, err := Build(Options{Getenv: envMap(map[string]string{"DBT_MANIFEST": manifest})})
	require.NoError(t, err)
	ctx := context.Background()
	c := mcpClient(t, s)
	req := mcp.CallToolRequest{}
	req.Params.Name = "lineage_impact"
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err)
	require.False(t, res.IsError, mcpgo.Text(res))
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var out struct {
		Nodes []impactNode
	}
	require.NoError(t, json.Unmarshal(b, &out))
	var all map[string]any
	require.NoError(t, json.Unmarshal(b, &all))
	return out.Nodes, all
}

// TestLineageImpactOnDBT: DBT_MANIFEST alone offers lineage_impact, which
// answers model-level and column-level questions from the manifest of the
// real jaffle_shop project.
func TestLineageImpactOnDBT(t *testing.T) {
	nodes, out := callImpact(t, map[string]any{"node": "stg_orders", "direction": "downstream"})
	got := map[string]impactNode{}
	for _, n := range nodes {
		assert.Equal(t, "dbt", n.Provider, n.ID)
		got[n.ID] = n
	}
	require.Contains(t, got, "model.datafold_demo.stg_orders")
	assert.True(t, got["model.datafold_demo.stg_orders"].Root)
	for _, id := range []string{"model.datafold_demo.orders", "model.datafold_demo.customers"} {
		require.Contains(t, got, id)
		assert.Equal(t, "model", got[id].Kind)
		assert.Equal(t, 1, got[id].Depth, id)
	}
	assert.NotEmpty(t, out["tests"], "tests guard the models")

	nodes, _ = callImpact(t, map[string]any{"node": "stg_payments", "column": "amount", "direction": "downstream"})
	var cols []string
	for _, n := range nodes {
		if n.Kind == "column" {
			cols = append(cols, n.Name)
		}
	}
	assert.Contains(t, cols, "stg_payments.amount")
	assert.Contains(t, cols, "orders.amount")
	assert.Contains(t, cols, "customers.customer_lifetime_value")
}
