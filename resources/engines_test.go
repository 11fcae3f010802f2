package resources

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the writable "sqlite" driver, for fixtures only

	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/databases"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
	"github.com/datastack-mcp/datastack-mcp/warehouse"
)

// engineClient is an MCP client of a server with only engines configured.
func engineClient(t *testing.T, o Options) (*mcpclient.Client, *stack) {
	t.Helper()
	st := newStack(t, nil, o)
	return transports[0].connect(t, st.srv), st
}

// complete asks completion/complete for an argument of a template.
func complete(t *testing.T, c *mcpclient.Client, ref, arg, value string, chosen map[string]string) []string {
	t.Helper()
	req := mcp.CompleteRequest{}
	req.Params.Ref = mcp.ResourceReference{Type: "ref/resource", URI: ref}
	req.Params.Argument = mcp.CompleteArgument{Name: arg, Value: value}
	req.Params.Context = mcp.CompleteContext{Arguments: chosen}
	res, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	return res.Completion.Values
}

// readJSON reads a resource as a JSON object.
func readJSON(t *testing.T, c *mcpclient.Client, uri string) map[string]any {
	t.Helper()
	text, err := readText(t, c, uri)
	require.NoError(t, err, uri)
	obj, ok := jsonOf(t, text).(map[string]any)
	require.True(t, ok, "read %s: got %.100s, want a JSON object", uri, text)
	return obj
}

// templatesOf lists the templates' URI templates.
func templatesOf(t *testing.T, c *mcpclient.Client) []string {
	t.Helper()
	res, err := c.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	return templateStrings(res.ResourceTemplates)
}

// names are the values under key of a list of objects.
func names(list any, key string) []string {
	var out []string
	items, _ := list.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, str(m[key]))
		}
	}
	return out
}

// testWarehouse writes a SQLite database with two tables and a view and
// registers it as connection "wh", counting how often it is opened.
func testWarehouse(t *testing.T) (*databases.Registry, *atomic.Int32) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wh.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	for _, q := range []string{
		`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`,
		`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount NUMERIC(10,2), "order date" DATE)`,
		`CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100`,
		`INSERT INTO customers VALUES (1, 'a'), (2, 'b')`,
		`INSERT INTO orders VALUES (1, 1, 10, '2026-01-01'), (2, 1, 200, '2026-01-02'), (3, 2, 30, '2026-01-03')`,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())
	reg := databases.NewRegistry()
	opened := &atomic.Int32{}
	reg.AddOpener("wh", func(ctx context.Context) (*warehouse.Conn, error) {
		opened.Add(1)
		return warehouse.Open(ctx, "wh", "sqlite://"+path)
	})
	t.Cleanup(reg.Close)
	return reg, opened
}

// TestWarehouseResources: a warehouse connection is browsable as
// resources (connection, schema, table), with completions of its schemas
// and tables; listing templates and resources and completing connections
// never open it.
func TestWarehouseResources(t *testing.T) {
	reg, opened := testWarehouse(t)
	c, st := engineClient(t, Options{Warehouses: reg})
	res, err := c.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	for _, tpl := range res.ResourceTemplates {
		assert.Contains(t, tpl.Description, "Connections: wh.", tpl.URITemplate.Raw())
	}

	assert.Equal(t, []string{"warehouse://{connection}", "warehouse://{connection}/{schema}", "warehouse://{connection}/{schema}/{table}"}, templatesOf(t, c))
	pages, _ := allPages(t, c)
	require.Len(t, pages, 1)
	assert.Equal(t, []string{"warehouse://wh"}, uris(pages[0]))
	assert.Equal(t, []string{"wh"}, complete(t, c, "warehouse://{connection}/{schema}", "connection", "W", nil))
	assert.Equal(t, int32(0), opened.Load(), "templates, the list and connection completions open nothing")
	assert.NotNil(t, tools.Find(st.cat.Tools(), ReadResourceName), "read_resource is offered with the resources")

	root := readJSON(t, c, "warehouse://wh")
	assert.Equal(t, int32(1), opened.Load(), "reading opens the connection once")
	assert.Equal(t, "sqlite", root["engine"])
	assert.Equal(t, []string{"main"}, names(root["schemas"], "name"))
	main := root["schemas"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"big_orders", "customers", "orders"}, main["tables"])
	assert.Equal(t, "warehouse://wh/main", main["uri"])

	schema := readJSON(t, c, "warehouse://wh/main")
	assert.Equal(t, []string{"big_orders", "customers", "orders"}, names(schema["tables"], "name"))
	assert.Equal(t, []string{"warehouse://wh/main/big_orders", "warehouse://wh/main/customers", "warehouse://wh/main/orders"}, names(schema["tables"], "uri"))
	assert.Equal(t, []string{"", "2", "3"}, names(schema["tables"], "rows"), "tables have exact counts, views none")

	for _, uri := range []string{"warehouse://wh/main/orders", "warehouse://wh/MAIN/Orders"} {
		table := readJSON(t, c, uri)
		assert.Equal(t, "orders", table["name"], uri)
		assert.Equal(t, "table", table["kind"], uri)
		assert.EqualValues(t, 3, table["rows"], uri)
		assert.Equal(t, true, table["rows_exact"], uri)
		assert.Equal(t, []string{"id", "customer_id", "amount", "order date"}, names(table["columns"], "name"), uri)
		assert.Equal(t, []string{"INTEGER", "INTEGER", "NUMERIC(10,2)", "DATE"}, names(table["columns"], "type"), uri)
		assert.Equal(t, []string{"true", "", "", ""}, names(table["columns"], "primary_key"), uri)
		assert.Equal(t, []any{[]any{"id"}}, table["unique_keys"], uri)
	}
	view := readJSON(t, c, "warehouse://wh/main/big_orders")
	assert.Equal(t, "view", view["kind"])
	assert.Nil(t, view["rows"], "a view is not counted")

	for _, tc := range []struct{ uri, want string }{
		{"warehouse://wh/main/order", `has no table "order"; did you mean orders`},
		{"warehouse://wh/mian/orders", `has no schema "mian"; did you mean main`},
		{"warehouse://other", `has no connection "other"; its connections are wh`},
	} {
		_, err := readText(t, c, tc.uri)
		require.Error(t, err, tc.uri)
		assert.Contains(t, err.Error(), tc.want, tc.uri)
		assert.Contains(t, err.Error(), "resources/templates/list", tc.uri)
	}
	_, err = readText(t, c, "warehouse://wh/main/orders/x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "resource not found", "a URI matching no template")

	tpl := "warehouse://{connection}/{schema}/{table}"
	assert.Equal(t, []string{"main"}, complete(t, c, tpl, "schema", "MA", map[string]string{"connection": "wh"}))
	assert.Equal(t, []string{"customers"}, complete(t, c, tpl, "table", "CUST", map[string]string{"connection": "wh", "schema": "main"}))
	assert.Equal(t, []string{"big_orders", "orders"}, complete(t, c, tpl, "table", "ord", nil), "a name or schema.name containing the value")
	assert.Equal(t, []string{"big_orders", "customers", "orders"}, complete(t, c, tpl, "table", "", nil))
	assert.Equal(t, []string{"big_orders"}, complete(t, c, "warehouse://wh/main/x", "table", "bIg", nil), "a concrete URI as the reference")
	assert.Equal(t, []string{}, complete(t, c, tpl, "table", "zzz", nil))
}

// TestWarehouseResourcesFailing: a connection that cannot open completes
// nothing and its resources fail to read, saying why.
func TestWarehouseResourcesFailing(t *testing.T) {
	reg := databases.NewRegistry()
	reg.Add("broken", "sqlite://"+filepath.Join(t.TempDir(), "missing.db"))
	t.Cleanup(reg.Close)
	c, _ := engineClient(t, Options{Warehouses: reg})
	assert.Equal(t, []string{}, complete(t, c, "warehouse://{connection}/{schema}", "schema", "", nil))
	_, err := readText(t, c, "warehouse://broken")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading warehouse://broken")
}

// testProject copies the jaffle_shop manifest and catalog into a
// directory and opens it as project "shop", checked on every read.
func testProject(t *testing.T) (*dbt.Set, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"manifest.json", "catalog.json"} {
		b, err := os.ReadFile(filepath.Join("..", "dbt", "testdata", "jaffle_shop", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o600))
	}
	set, err := dbt.Open([]dbt.Config{{Name: "shop", Manifest: dir}}, dbt.Options{CheckEvery: -1})
	require.NoError(t, err)
	return set, dir
}

// TestDBTResources: a dbt project's nodes, models, columns and lineage are
// resources with completions, read from the manifest the loader serves.
func TestDBTResources(t *testing.T) {
	set, dir := testProject(t)
	c, _ := engineClient(t, Options{Impact: impact.Options{DBT: set}})

	assert.Equal(t, []string{"dbt://{project}", "dbt://{project}/lineage/{node}{?direction,max_depth}",
		"dbt://{project}/models/{model}", "dbt://{project}/models/{model}/columns/{column}"}, templatesOf(t, c))
	pages, _ := allPages(t, c)
	require.Len(t, pages, 1)
	assert.Equal(t, []string{"dbt://shop"}, uris(pages[0]))
	res, err := c.ListResourceTemplates(context.Background(), mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	for _, tpl := range res.ResourceTemplates {
		assert.Contains(t, tpl.Description, "Projects: shop.", tpl.URITemplate.Raw())
	}

	proj := readJSON(t, c, "dbt://shop")
	nodes := proj["nodes"].(map[string]any)
	assert.Equal(t, []string{"customers", "orders", "stg_customers", "stg_orders", "stg_payments"}, names(nodes["model"], "name"))
	assert.Equal(t, []string{"raw_customers", "raw_orders", "raw_payments"}, names(nodes["seed"], "name"))
	assert.Contains(t, names(nodes["model"], "uri"), "dbt://shop/models/model.datafold_demo.orders")
	assert.NotZero(t, proj["counts"].(map[string]any)["test"], "tests are counted")

	model := readJSON(t, c, "dbt://shop/models/orders")
	assert.Equal(t, "model.datafold_demo.orders", model["unique_id"])
	assert.Contains(t, model["description"], "basic information about orders")
	assert.Equal(t, "column", model["lineage_level"])
	assert.Equal(t, []string{"model.datafold_demo.stg_orders", "model.datafold_demo.stg_payments"}, names(model["upstream"], "unique_id"))
	assert.Empty(t, model["downstream"])
	cols := names(model["columns"], "name")
	assert.Contains(t, cols, "amount")
	var amount map[string]any
	for _, col := range model["columns"].([]any) {
		if m := col.(map[string]any); m["name"] == "amount" {
			amount = m
		}
	}
	require.NotNil(t, amount)
	assert.Equal(t, "dbt://shop/models/model.datafold_demo.orders/columns/amount", amount["uri"])
	assert.Equal(t, []string{"stg_payments"}, names(amount["sources"], "name"), "its direct input")
	assert.NotEmpty(t, amount["tests"], "not_null guards orders.amount")

	col := readJSON(t, c, "dbt://shop/models/stg_payments/columns/AMOUNT")
	assert.Equal(t, "amount", col["column"])
	down := col["downstream"].(map[string]any)
	assert.Contains(t, names(down["columns"], "path"), "orders.amount")
	assert.Contains(t, names(down["columns"], "path"), "customers.customer_lifetime_value")
	up := col["upstream"].(map[string]any)
	assert.Contains(t, names(up["columns"], "path"), "raw_payments.amount")

	lin := readJSON(t, c, "dbt://shop/lineage/stg_orders")
	assert.ElementsMatch(t, []string{"model.datafold_demo.orders", "model.datafold_demo.customers"}, names(lin["downstream"].(map[string]any)["nodes"], "id"))
	assert.Equal(t, []string{"seed.datafold_demo.raw_orders"}, names(lin["upstream"].(map[string]any)["nodes"], "id"))
	lin = readJSON(t, c, "dbt://shop/lineage/raw_orders?direction=downstream&max_depth=1")
	assert.Nil(t, lin["upstream"])
	assert.Equal(t, []string{"model.datafold_demo.stg_orders"}, names(lin["downstream"].(map[string]any)["nodes"], "id"))

	for _, tc := range []struct{ uri, want string }{
		{"dbt://shop/models/ordrs", `no node of the dbt project matches "ordrs"`},
		{"dbt://shop/models/orders/columns/amount_usd", `has no column "amount_usd"`},
		{"dbt://shop/lineage/orders?max_depth=0", "max_depth must be a whole number from 1 to 99"},
		{"dbt://shop/lineage/orders?direction=sideways", "direction must be downstream or upstream"},
		{"dbt://other", `has no project "other"; its projects are shop`},
	} {
		_, err := readText(t, c, tc.uri)
		require.Error(t, err, tc.uri)
		assert.Contains(t, err.Error(), tc.want, tc.uri)
		assert.Contains(t, err.Error(), "resources/templates/list", tc.uri)
	}

	colTpl := "dbt://{project}/models/{model}/columns/{column}"
	assert.Equal(t, []string{"shop"}, complete(t, c, colTpl, "project", "S", nil))
	assert.Equal(t, []string{"stg_customers", "stg_orders", "stg_payments"}, complete(t, c, colTpl, "model", "STG", nil))
	assert.Equal(t, []string{"raw_customers", "raw_orders", "raw_payments"}, complete(t, c, colTpl, "model", "raw", map[string]string{"project": "shop"}), "seeds are models here")
	assert.Equal(t, []string{"credit_card_amount", "coupon_amount", "bank_transfer_amount", "gift_card_amount", "amount"}, complete(t, c, colTpl, "column", "AMOUNT", map[string]string{"model": "orders"}))
	assert.Equal(t, []string{}, complete(t, c, colTpl, "column", "", map[string]string{"model": "nope"}))
	assert.Equal(t, []string{"downstream"}, complete(t, c, "dbt://{project}/lineage/{node}{?direction,max_depth}", "direction", "d", nil))

	// A rewritten manifest shows at the next read: v12 adds exposures on
	// orders.
	b, err := os.ReadFile(filepath.Join("..", "dbt", "testdata", "jaffle_shop", "manifests", "manifest_v12.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o600))
	model = readJSON(t, c, "dbt://shop/models/orders")
	assert.Contains(t, names(model["downstream"], "unique_id"), "exposure.datafold_demo.customer_dashboard")
	assert.Contains(t, complete(t, c, "dbt://{project}/lineage/{node}{?direction,max_depth}", "node", "customer_d", nil), "customer_dashboard")
	assert.Nil(t, readJSON(t, c, "dbt://shop")["stale"])

	// A half-written manifest: the last good graph keeps serving, and the
	// project says so.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifest.json"), b[:len(b)/2], 0o600))
	proj = readJSON(t, c, "dbt://shop")
	assert.Equal(t, true, proj["stale"])
	assert.NotEmpty(t, proj["reload_error"])
	assert.Contains(t, names(proj["nodes"].(map[string]any)["exposure"], "name"), "customer_dashboard")
}

// TestEngineRequestPolicy: a request whose tool policy hides the tools
// serving an engine neither lists, completes nor reads its resources.
func TestEngineRequestPolicy(t *testing.T) {
	reg, _ := testWarehouse(t)
	set, _ := testProject(t)
	st := newStack(t, nil, Options{Warehouses: reg, Impact: impact.Options{DBT: set}})
	ctx := tools.WithRequestPolicy(context.Background(), tools.Policy{Toolsets: []string{"warehouse"}})
	assert.Equal(t, []string{"warehouse://wh"}, uris(st.cat.List(ctx)))
	assert.Empty(t, st.cat.CompleteResource(ctx, "dbt://{project}/models/{model}", "model", "", nil).Values)
	assert.NotEmpty(t, st.cat.CompleteResource(ctx, "warehouse://{connection}/{schema}", "schema", "", nil).Values)
	_, err := st.cat.Read(ctx, "dbt://shop")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not allow lineage_impact")
	_, err = st.cat.Read(ctx, "warehouse://wh")
	assert.NoError(t, err)
}
