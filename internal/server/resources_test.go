package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
)

// mcpClient connects an in-process MCP client to a built server; it gets
// the protocol errors a client over stdio or HTTP gets.
func mcpClient(t *testing.T, s *Server) *mcpclient.Client {
	t.Helper()
	ctx := context.Background()
	c := mcpgo.NewInProcessClient(s.MCP.SDK())
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	_, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	return c
}

// engineTemplates are the URI templates of the warehouse and dbt resources.
var engineTemplates = []string{
	"dbt://{project}", "dbt://{project}/lineage/{node}{?direction,max_depth}",
	"dbt://{project}/models/{model}", "dbt://{project}/models/{model}/columns/{column}",
	"warehouse://{connection}", "warehouse://{connection}/{schema}", "warehouse://{connection}/{schema}/{table}",
}

// templateSet lists the URI templates of a server, sorted.
func templateSet(t *testing.T, c *mcpclient.Client) []string {
	t.Helper()
	res, err := c.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	var out []string
	for _, tpl := range res.ResourceTemplates {
		out = append(out, tpl.URITemplate.Raw())
	}
	sort.Strings(out)
	return out
}

// listedURIs lists every resource of a server.
func listedURIs(t *testing.T, c *mcpclient.Client) []string {
	t.Helper()
	var out []string
	req := mcp.ListResourcesRequest{}
	for {
		res, err := c.ListResourcesByPage(context.Background(), req)
		require.NoError(t, err)
		for _, r := range res.Resources {
			out = append(out, r.URI)
		}
		if res.NextCursor == "" {
			return out
		}
		req.Params.Cursor = res.NextCursor
	}
}

// readResource reads a resource's JSON object.
func readResource(t *testing.T, c *mcpclient.Client, uri string) (map[string]any, error) {
	t.Helper()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := c.ReadResource(context.Background(), req)
	if err != nil {
		return nil, err
	}
	require.Len(t, res.Contents, 1)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Contents[0].(mcp.TextResourceContents).Text), &out))
	return out, nil
}

// completeArg completes a resource template's argument.
func completeArg(t *testing.T, c *mcpclient.Client, tpl, arg, value string, chosen map[string]string) []string {
	t.Helper()
	req := mcp.CompleteRequest{}
	req.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: tpl}
	req.Params.Argument = mcp.CompleteArgument{Name: arg, Value: value}
	req.Params.Context = mcp.CompleteContext{Arguments: chosen}
	res, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	return res.Completion.Values
}

// TestSandboxEngineResources: --sandbox serves its warehouses and dbt
// projects as resources, with completions. (That listing opens no
// warehouse is tested in package resources, with an opener that counts.)
func TestSandboxEngineResources(t *testing.T) {
	s, err := Build(Options{Sandbox: true})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c := mcpClient(t, s)

	assert.Subset(t, templateSet(t, c), engineTemplates)
	listed := listedURIs(t, c)
	assert.Subset(t, listed, []string{"dbt://jaffle_shop", "dbt://jaffle_shop_pr42", "warehouse://sandbox_dev", "warehouse://sandbox_prod"})
	assert.Equal(t, []string{SandboxDev, SandboxProd}, completeArg(t, c, "warehouse://{connection}/{schema}/{table}", "connection", "", nil))
	assert.Equal(t, []string{"jaffle_shop", "jaffle_shop_pr42"}, completeArg(t, c, "dbt://{project}/models/{model}", "project", "JAFF", nil))

	table, err := readResource(t, c, "warehouse://sandbox_prod/main/fct_orders")
	require.NoError(t, err)
	assert.Equal(t, "fct_orders", table["name"])
	assert.NotZero(t, table["rows"])
	assert.Contains(t, completeArg(t, c, "warehouse://{connection}/{schema}/{table}", "table", "fct", map[string]string{"connection": SandboxDev}), "fct_orders")

	model, err := readResource(t, c, "dbt://jaffle_shop/models/fct_orders")
	require.NoError(t, err)
	assert.Equal(t, "model.jaffle_shop.fct_orders", model["unique_id"])
	assert.NotEmpty(t, model["upstream"])
	assert.Equal(t, []string{"fct_orders"}, completeArg(t, c, "dbt://{project}/models/{model}", "model", "fct", map[string]string{"project": "jaffle_shop_pr42"}))

	for _, uri := range []string{"dbt://jaffle_shop/models/fct_order", "dbt://jaffle_shop/models/fct_orders/columns/amt", "dbt://nope",
		"warehouse://sandbox_prod/main/fct_order", "warehouse://sandbox_prod/marts", "warehouse://sandbox_prod/main/fct_orders/x"} {
		_, err = readResource(t, c, uri)
		// In protocol 2026-07-28 (the client's) resource not found is -32602.
		assert.ErrorIs(t, err, mcp.ErrInvalidParams, uri)
		assert.ErrorContains(t, err, "resources/templates/list", uri)
	}
}

// TestConfiguredEngineResources: WAREHOUSE_DSN and DBT_MANIFEST alone
// serve the warehouse "warehouse" and the dbt project "dbt" as resources,
// with the fallback tools.
func TestConfiguredEngineResources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wh.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, amount NUMERIC(10,2)); INSERT INTO orders VALUES (1, 2.5)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	manifest, err := filepath.Abs(filepath.Join("..", "..", "dbt", "testdata", "jaffle_shop", "manifest.json"))
	require.NoError(t, err)
	s, err := Build(Options{Getenv: envMap(map[string]string{"WAREHOUSE_DSN": "sqlite://" + path, "DBT_MANIFEST": manifest})})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	c := mcpClient(t, s)

	assert.Equal(t, engineTemplates, templateSet(t, c))
	assert.Equal(t, []string{"dbt://dbt", "warehouse://warehouse"}, listedURIs(t, c))
	findTool(t, s, "read_resource")

	table, err := readResource(t, c, "warehouse://warehouse/main/orders")
	require.NoError(t, err)
	assert.EqualValues(t, 1, table["rows"])
	col, err := readResource(t, c, "dbt://dbt/models/orders/columns/amount")
	require.NoError(t, err)
	assert.Equal(t, "amount", col["column"])
	assert.Equal(t, []string{"main"}, completeArg(t, c, "warehouse://{connection}/{schema}", "schema", "", nil))
	assert.Equal(t, []string{"customer_id"}, completeArg(t, c, "dbt://{project}/models/{model}/columns/{column}", "column", "cust", map[string]string{"model": "orders"}))
}
