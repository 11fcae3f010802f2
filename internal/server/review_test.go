package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/review"
)

// callSandbox calls one tool over MCP on a --sandbox server.
func callSandbox(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	s, err := Build(Options{Sandbox: true, FastSandbox: true})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	ctx := context.Background()
	c, err := mcpclient.NewInProcessClient(s.MCP.SDK())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	_, err = c.Initialize(ctx, init)
	require.NoError(t, err)
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err)
	return res
}

// TestReviewSandboxPR42 reviews PR #42 of the sandbox's dbt project
// (jaffle_shop_pr42 against jaffle_shop, on sandbox_dev and sandbox_prod)
// as a client would: the two models it changes, why, and how their data
// differs, counted against the sandbox's own rows.
func TestReviewSandboxPR42(t *testing.T) {
	res := callSandbox(t, review.Name, map[string]any{})
	require.False(t, res.IsError, mcpgo.Text(res))
	b, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var got review.Review
	require.NoError(t, json.Unmarshal(b, &got))

	assert.Equal(t, review.Side{Project: "jaffle_shop", Warehouse: SandboxProd}, got.Base)
	assert.Equal(t, review.Side{Project: "jaffle_shop_pr42", Warehouse: SandboxDev}, got.PR)
	var names []string
	for _, m := range got.Models {
		names = append(names, m.Name)
	}
	require.Equal(t, []string{"stg_orders", "stg_payments"}, names, "got changed models %v", names)
	// What lineage_impact finds in Lightdash is its business: here, that
	// it is found at all.
	charts, dashboards := got.Counts.LightdashCharts, got.Counts.LightdashDashboards
	got.Counts.LightdashCharts, got.Counts.LightdashDashboards = 0, 0
	assert.Equal(t, review.Counts{Changed: 2, Modified: 2, Reviewed: 2, Diffed: 2, Differing: 2, DownstreamModels: 2, Exposures: 2}, got.Counts)
	assert.Positive(t, charts, "Lightdash charts downstream")
	assert.Positive(t, dashboards, "Lightdash dashboards downstream")

	// The sandbox's dev build drops every 883rd order, adds the orders
	// made since, maps return_pending to returned and rounds card payments
	// of every 67th order (client/sandbox/warehouse.go).
	orders, payments := got.Models[0], got.Models[1]
	for _, m := range got.Models {
		assert.Equal(t, []string{"body"}, m.Reasons, "reasons of %s", m.Name)
		require.NotNil(t, m.Diff, "diff of %s", m.Name)
		assert.Equal(t, "done", m.Diff.Status, "diff of %s: %s", m.Name, m.Diff.Reason)
		assert.Equal(t, "dbt tests", m.Diff.KeyFrom)
	}
	assert.Equal(t, "sandbox_prod:main.stg_orders", orders.Diff.Base)
	assert.Equal(t, "sandbox_dev:main.stg_orders", orders.Diff.PR)
	assert.Equal(t, []string{"order_id"}, orders.Diff.PrimaryKey)
	assert.Equal(t, []int64{142, 30, 213}, []int64{orders.Diff.OnlyInBase, orders.Diff.OnlyInPR, orders.Diff.RowsWithDifferences},
		"stg_orders: rows only in production, only in the PR, differing")
	assert.Equal(t, "status", orders.Diff.Columns[0].Column)
	assert.Equal(t, []int64{0, 0, 1111}, []int64{payments.Diff.OnlyInBase, payments.Diff.OnlyInPR, payments.Diff.RowsWithDifferences},
		"stg_payments: rows only in production, only in the PR, differing")
	assert.Equal(t, "amount", payments.Diff.Columns[0].Column)
	assert.LessOrEqual(t, len(orders.Diff.Samples.Differing), 3, "samples are bounded by max_samples")

	assert.Equal(t, []string{"status"}, orders.Downstream.Columns)
	assert.Contains(t, orders.Downstream.LightdashDashboards, "Executive overview")
	assert.Contains(t, got.Summary, "2 models changed in jaffle_shop_pr42 against jaffle_shop")
	assert.Contains(t, got.Summary, "stg_orders (modified: body): 142 rows only in production, 30 rows only in the PR, 213 rows differ (status 213)")
	assert.Contains(t, got.Summary, "Lightdash dashboards")
	require.NotEmpty(t, got.Next)
	assert.Equal(t, "diff_tables", got.Next[0].Tool)
}

// A config file may name each dbt project's warehouse connection; a name
// that is no connection is refused at start-up.
func TestDBTWarehouses(t *testing.T) {
	got, err := dbtWarehouses([]dbt.Config{{Name: "prod", Warehouse: "pg"}, {Name: "docs"}}, []string{"pg", "lite"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"prod": "pg"}, got)
	_, err = dbtWarehouses([]dbt.Config{{Name: "prod", Warehouse: "nope"}}, []string{"pg"})
	require.ErrorContains(t, err, `dbt project prod: warehouse "nope" is not a warehouse connection (configured: pg)`)
}

// review_dbt_changes and its prompt come with two dbt projects (the
// sandbox's), not with one, and --read-only keeps them: the review reads.
func TestReviewOffered(t *testing.T) {
	s, err := Build(Options{Sandbox: true, Selection: Selection{Policy: tools.Policy{ReadOnly: true}}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	rt := findTool(t, s, review.Name)
	assert.True(t, rt.Annotations.ReadOnly && rt.Annotations.Idempotent && rt.Annotations.OpenWorld && !rt.Annotations.Destructive, "annotations %+v", rt.Annotations)
	assert.Contains(t, s.Prompts, review.PromptName)

	manifest, err := filepath.Abs(filepath.Join("..", "..", "dbt", "testdata", "jaffle_shop", "manifest.json"))
	require.NoError(t, err)
	one, err := Build(Options{Getenv: envMap(map[string]string{"DBT_MANIFEST": manifest})})
	require.NoError(t, err)
	t.Cleanup(one.Close)
	for _, tool := range one.Tools {
		assert.NotEqual(t, review.Name, tool.Name, "one dbt project offers no review")
	}
	assert.NotContains(t, one.Prompts, review.PromptName)
}
