package contracttest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/dbt"
	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/impact"
)

// lineage_impact against answers shaped as Datafold's and Lightdash's specs
// say real answers are (testdata/impact, each with its "_source"), the
// forms that once lost assets (the sandbox now answers them too): Datafold
// table paths with or without the
// table, a BI integrations list whose only documented link to a data
// source is bindings, and Lightdash's table analytics that miss joined
// explores, field analytics that match the exact field id, and charts
// whose dashboardUuid is null when they are dashboard tiles. Every stub
// must be used (upstreamtest.Registry), so a lookup the walk should make
// and does not fails too.

// impactStub is one upstream answer of a scenario.
type impactStub struct {
	Tool   string          `json:"tool"`
	Path   string          `json:"path"`
	Status int             `json:"status"`
	Answer json.RawMessage `json:"answer"`
}

// impactScenario serves a scenario file's stubs and builds lineage_impact
// over Datafold and Lightdash connections to them, with the jaffle_shop
// dbt project when withDBT. It returns the tool, its dependencies (with
// budget as the model-facing result budget) and the stubs by tool and
// path.
func impactScenario(t *testing.T, file string, withDBT bool, budget int) (*tools.Tool, *tools.Deps, map[string]*upstreamtest.Stub) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "impact", file))
	require.NoError(t, err)
	var doc struct {
		Source string       `json:"_source"`
		Stubs  []impactStub `json:"stubs"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc), file)
	require.NotEmpty(t, doc.Source, "%s: _source", file)
	reg := upstreamtest.New(t)
	named := byName(t)
	stubs := map[string]*upstreamtest.Stub{}
	for _, s := range doc.Stubs {
		tool := named[s.Tool]
		require.NotNil(t, tool, "%s: no tool %s", file, s.Tool)
		if s.Status == 200 {
			_, sch := success(operation(t, tool))
			if sch != nil {
				assert.Empty(t, impactShapeErrors(t, tool.Provider, sch, s.Answer), "%s: %s %s departs from the spec", file, s.Tool, s.Path)
			}
		}
		stubs[s.Tool+" "+s.Path] = reg.Register(tool.Method, s.Path, s.Status, string(s.Answer))
	}
	d := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}, MaxResultTokens: budget}
	var conns []*tools.Connection
	enabled := map[string]bool{}
	for _, p := range []string{schemas.Datafold, schemas.Lightdash} {
		c, err := client.New(client.Config{Provider: p, BaseURL: "https://" + p + ".contract.invalid", APIKey: "contract-key", Transport: reg, MaxRetries: -1})
		require.NoError(t, err)
		d.Callers[p], enabled[p] = c, true
		conns = append(conns, &tools.Connection{Name: "default", Provider: p, Caller: c})
	}
	var o impact.Options
	if withDBT {
		manifest, err := os.ReadFile(filepath.Join("..", "dbt", "testdata", "jaffle_shop", "manifest.json"))
		require.NoError(t, err)
		p, err := dbt.FromBytes("jaffle_shop", manifest, nil)
		require.NoError(t, err)
		o.DBT, err = dbt.NewSet(p)
		require.NoError(t, err)
	}
	all, err := tools.All()
	require.NoError(t, err)
	tool, err := impact.Tool(conns, tools.ForProviders(all, enabled), o)
	require.NoError(t, err)
	require.NotNil(t, tool)
	return tool, d, stubs
}

// impactShapeErrors lists how an answer departs from the spec other than
// by leaving out required fields: values of another type, values outside
// an enum, and fields the schema does not have (no invented fields).
func impactShapeErrors(t *testing.T, provider string, sch *openapi3.SchemaRef, answer []byte) []string {
	t.Helper()
	var out []string
	for _, d := range deviations(t, provider, sch, answer) {
		if !strings.Contains(d, "missing required") {
			out = append(out, d)
		}
	}
	var v any
	require.NoError(t, json.Unmarshal(answer, &v))
	return append(out, impactUnknownFields(sch, v, "")...)
}

// impactUnknownFields lists the object fields no schema of the answer's
// place defines (through allOf, anyOf and oneOf), where the schema lists
// its fields and allows no others.
func impactUnknownFields(ref *openapi3.SchemaRef, v any, path string) []string {
	props, open := map[string]*openapi3.SchemaRef{}, false
	var items []*openapi3.SchemaRef
	var walk func(r *openapi3.SchemaRef, depth int)
	walk = func(r *openapi3.SchemaRef, depth int) {
		if r == nil || r.Value == nil || depth > 8 {
			return
		}
		s := r.Value
		for k, p := range s.Properties {
			if props[k] == nil {
				props[k] = p
			}
		}
		if s.AdditionalProperties.Schema != nil || (s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has) {
			open = true
		}
		if s.Type != nil && s.Type.Is("object") && len(s.Properties) == 0 && s.AdditionalProperties.Has == nil {
			open = true
		}
		if s.Items != nil {
			items = append(items, s.Items)
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, g := range group {
				walk(g, depth+1)
			}
		}
		if s.Type == nil && len(s.Properties) == 0 && len(s.AllOf)+len(s.AnyOf)+len(s.OneOf) == 0 && s.Items == nil {
			open = true // an untyped schema
		}
	}
	walk(ref, 0)
	var out []string
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := props[k]
			if p == nil {
				if !open {
					out = append(out, path+"/"+k+": not in the spec")
				}
				continue
			}
			out = append(out, impactUnknownFields(p, x[k], path+"/"+k)...)
		}
	case []any:
		for _, it := range items {
			for _, e := range x {
				out = append(out, impactUnknownFields(it, e, path+"/*")...)
			}
			break
		}
	}
	return out
}

// impactRun calls lineage_impact and returns its structured answer,
// checked against the tool's output schema.
func impactRun(t *testing.T, tool *tools.Tool, d *tools.Deps, args map[string]any) *impact.Impact {
	t.Helper()
	res := tool.Call(context.Background(), d, args)
	require.False(t, res.IsError, "lineage_impact %v: %s", args, res.Text)
	require.NoError(t, outputError(t, tool, res))
	out, ok := res.Structured.(*impact.Impact)
	require.True(t, ok, "structured content got %T, want *impact.Impact", res.Structured)
	return out
}

// impactNames returns the sorted names of the non-root nodes of a kind
// (Lightdash fields as table.name).
func impactNames(out *impact.Impact, kind string) []string {
	list := []string{}
	for _, n := range out.Nodes {
		if n.Kind != kind || n.Root {
			continue
		}
		name := n.Name
		if n.Kind == impact.KindLightdashField {
			name = n.Table + "." + n.Name
		} else if n.Path != "" && n.Provider == "datafold" {
			name = n.Path
		}
		list = append(list, name)
	}
	sort.Strings(list)
	return list
}

func impactHasEdge(out *impact.Impact, from, to, rel string) bool {
	return slices.Contains(out.Edges, impact.ImpactEdge{From: from, To: to, Relation: rel})
}

func impactNoteHas(out *impact.Impact, parts ...string) bool {
	return slices.ContainsFunc(out.Notes, func(n string) bool {
		for _, p := range parts {
			if !strings.Contains(n, p) {
				return false
			}
		}
		return true
	})
}

const (
	impactChartMonthly = "lightdash:chart:7a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c01"
	impactSalesDash    = "lightdash:dashboard:9d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e502"
	impactProject      = "5b0a2c1e-7d4f-4e8a-9c3b-2f6e1d0a9b11"
)

// TestImpactColumnOnRealAnswers: a column's impact where Datafold's
// TableReference.path comes in both forms, the only chart uses an interval
// variant (order_date_month), and it is on a dashboard only as a tile; the
// internal lookups find it all even at the smallest answer budget.
func TestImpactColumnOnRealAnswers(t *testing.T) {
	for _, budget := range []int{0, 500} {
		t.Run(map[int]string{0: "default budget", 500: "max-result-tokens 500"}[budget], func(t *testing.T) {
			tool, d, _ := impactScenario(t, "column_downstream.json", false, budget)
			out := impactRun(t, tool, d, map[string]any{"column_path": "ANALYTICS.MARTS.orders.order_date", "data_source_id": 1})
			assert.Equal(t, map[string]int{"columns": 2, "tables": 2, "bi_integrations": 1, "lightdash_explores": 2, "lightdash_fields": 2,
				"lightdash_charts": 2, "lightdash_dashboards": 2}, out.Counts)
			assert.Equal(t, []string{"ANALYTICS.MARTS.customers.first_order", "ANALYTICS.MARTS.order_facts.order_month"}, impactNames(out, impact.KindColumn))
			assert.Equal(t, []string{"ANALYTICS.MARTS.customers", "ANALYTICS.MARTS.order_facts"}, impactNames(out, impact.KindTable))
			assert.Equal(t, []string{"customers.first_order", "orders.order_date"}, impactNames(out, impact.KindLightdashField))
			assert.Equal(t, []string{"First orders", "Orders per month"}, impactNames(out, impact.KindLightdashChart))
			assert.Equal(t, []string{"Customers", "Sales overview"}, impactNames(out, impact.KindLightdashDashboard))
			assert.Equal(t, []string{"Looker (prod)"}, impactNames(out, impact.KindBIIntegration))
			assert.True(t, impactHasEdge(out, "lightdash:field:"+impactProject+"/orders.order_date", impactChartMonthly, "used_by"), "edges %v", out.Edges)
			assert.True(t, impactHasEdge(out, impactChartMonthly, impactSalesDash, "on_dashboard"), "edges %v", out.Edges)
			assert.True(t, impactHasEdge(out, "datafold:column:ANALYTICS.MARTS.orders.order_date", "lightdash:field:"+impactProject+"/orders.order_date", "read_by"), "edges %v", out.Edges)
			assert.True(t, out.Complete, "complete; errors %q, notes %q", out.Errors, out.Notes)
			assert.False(t, out.Truncated)
			assert.Empty(t, out.Errors)
			assert.Equal(t, impact.ImpactTotals{Columns: 2, Tables: 2}, out.Totals)
			// Tableau has no bindings: named, not guessed; Looker (staging)
			// is bound to another data source: left out.
			assert.True(t, impactNoteHas(out, "Tableau Cloud", "not known"), "notes %q", out.Notes)
			assert.False(t, impactNoteHas(out, "Looker (staging)"), "notes %q", out.Notes)
		})
	}
}

// TestImpactTableOnRealAnswers: a table's impact where Datafold's
// Table.path lacks the table, charts come through the explore that joins
// the table, and the tiles cannot be read (no upstream project): the
// answer says which charts' dashboards are unknown and is not complete.
func TestImpactTableOnRealAnswers(t *testing.T) {
	tool, d, _ := impactScenario(t, "table_downstream.json", false, 0)
	out := impactRun(t, tool, d, map[string]any{"table_path": "ANALYTICS.MARTS.customers", "data_source_id": 1})
	assert.Equal(t, map[string]int{"columns": 0, "tables": 1, "bi_integrations": 0, "lightdash_explores": 2, "lightdash_fields": 0,
		"lightdash_charts": 3, "lightdash_dashboards": 1}, out.Counts)
	assert.Equal(t, []string{"ANALYTICS.MARTS.customer_ltv"}, impactNames(out, impact.KindTable))
	assert.Equal(t, []string{"First orders", "Order status", "Orders per month"}, impactNames(out, impact.KindLightdashChart))
	assert.Equal(t, []string{"Customers"}, impactNames(out, impact.KindLightdashDashboard))
	assert.True(t, impactHasEdge(out, "datafold:table:ANALYTICS.MARTS.customers", "lightdash:explore:"+impactProject+"/orders", "joined_into"), "edges %v", out.Edges)
	assert.True(t, impactHasEdge(out, "lightdash:explore:"+impactProject+"/orders", impactChartMonthly, "used_by"), "edges %v", out.Edges)
	assert.False(t, out.Complete)
	assert.False(t, out.Truncated)
	assert.Empty(t, out.Errors)
	assert.True(t, impactNoteHas(out, "orders (joins customers)"), "notes %q", out.Notes)
	assert.True(t, impactNoteHas(out, "promoteDashboardDiff", "Order status", "Orders per month", "not known"), "notes %q", out.Notes)
	assert.Contains(t, out.Summary, "not known")
}

// TestImpactMergesDBTAndDatafold: with the jaffle_shop manifest and a
// Datafold connection, one answer: each table once (dbt's relation
// jaffle_shop.dev.orders is Datafold's JAFFLE_SHOP.DEV.ORDERS), naming both
// providers; what only Datafold knows with provider datafold; Lightdash
// asked once per table. Either root gives the same nodes.
func TestImpactMergesDBTAndDatafold(t *testing.T) {
	cases := []struct {
		name, file string
		args       map[string]any
		root       string
	}{
		{"from dbt", "merge_from_dbt.json", map[string]any{"node": "stg_orders", "data_source_id": 1, "direction": "downstream"}, "model.datafold_demo.stg_orders"},
		{"from Datafold", "merge_from_datafold.json", map[string]any{"table_path": "JAFFLE_SHOP.DEV.STG_ORDERS", "data_source_id": 1}, "datafold:table:JAFFLE_SHOP.DEV.STG_ORDERS"},
		{"from dbt, the only data source", "merge_only_source.json", map[string]any{"node": "stg_orders"}, "model.datafold_demo.stg_orders"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool, d, stubs := impactScenario(t, tc.file, true, 0)
			out := impactRun(t, tool, d, tc.args)
			byID := map[string]impact.ImpactNode{}
			tables := map[string]int{}
			for _, n := range out.Nodes {
				byID[n.ID] = n
				if n.Path != "" && n.Kind != impact.KindColumn {
					tables[strings.ToLower(n.Path)]++
				}
			}
			for path, n := range tables {
				assert.Equal(t, 1, n, "table %s got %d nodes, want 1", path, n)
			}
			root := byID[tc.root]
			assert.True(t, root.Root, "root %s in %v", tc.root, out.Nodes)
			assert.ElementsMatch(t, []string{"dbt", "datafold"}, root.Providers, "root providers")
			for _, path := range []string{"jaffle_shop.dev.orders", "jaffle_shop.dev.customers"} {
				var n *impact.ImpactNode
				for i := range out.Nodes {
					if strings.EqualFold(out.Nodes[i].Path, path) {
						n = &out.Nodes[i]
					}
				}
				require.NotNil(t, n, "%s in %v", path, out.Nodes)
				assert.ElementsMatch(t, []string{"dbt", "datafold"}, n.Providers, path)
				assert.Equal(t, 1, n.Depth, path)
			}
			only := byID["datafold:table:JAFFLE_SHOP.REPORTING.DAILY_ORDERS"]
			assert.Equal(t, "datafold", only.Provider)
			assert.Empty(t, only.Providers)
			assert.Equal(t, []string{"First orders", "Orders per month"}, impactNames(out, impact.KindLightdashChart))
			assert.Equal(t, []string{"Customers", "Sales overview"}, impactNames(out, impact.KindLightdashDashboard))
			assert.Equal(t, 1, stubs["lightdash_get_analytics /api/v1/projects/"+impactProject+"/dataCatalog/orders/analytics"].Used(), "orders analytics asked once")
			assert.Equal(t, 1, out.Root.DataSourceID)
			assert.Equal(t, "model.datafold_demo.stg_orders", out.Root.ID)
			assert.Empty(t, out.Errors)
			assert.True(t, out.Complete, "notes %q", out.Notes)
			assert.LessOrEqual(t, len(out.Nodes), out.MaxNodes)
		})
	}
}

// TestImpactMergesColumns: column-level, dbt's column lineage of
// stg_payments.amount and Datafold's of JAFFLE_SHOP.DEV.STG_PAYMENTS.AMOUNT
// give one node per column (named model.column, both providers), one edge
// per pair (dbt's kind of edge), and Datafold's own columns beside them.
func TestImpactMergesColumns(t *testing.T) {
	tool, d, _ := impactScenario(t, "merge_column.json", true, 0)
	out := impactRun(t, tool, d, map[string]any{"node": "stg_payments", "column": "amount", "data_source_id": 1})
	byID := map[string]impact.ImpactNode{}
	for _, n := range out.Nodes {
		byID[n.ID] = n
	}
	for _, id := range []string{"stg_payments.amount", "orders.amount", "customers.customer_lifetime_value"} {
		n := byID[id]
		assert.Equal(t, impact.KindColumn, n.Kind, id)
		assert.Equal(t, id, n.Name, id)
		assert.ElementsMatch(t, []string{"dbt", "datafold"}, n.Providers, id)
	}
	for _, id := range []string{"datafold:column:JAFFLE_SHOP.DEV.ORDERS.AMOUNT", "datafold:column:JAFFLE_SHOP.DEV.CUSTOMERS.CUSTOMER_LIFETIME_VALUE"} {
		assert.NotContains(t, byID, id, "merged into dbt's node")
	}
	assert.Equal(t, "datafold", byID["datafold:column:JAFFLE_SHOP.REPORTING.DAILY_ORDERS.REVENUE"].Provider)
	pairs := map[[2]string]int{}
	for _, e := range out.Edges {
		pairs[[2]string{e.From, e.To}]++
	}
	for p, n := range pairs {
		assert.Equal(t, 1, n, "edges %s -> %s", p[0], p[1])
	}
	assert.True(t, impactHasEdge(out, "stg_payments.amount", "orders.amount", "aggregation"), "edges %v", out.Edges)
	assert.Empty(t, out.Errors)
	assert.True(t, out.Complete, "notes %q", out.Notes)
}

// TestImpactDBTWithSeveralDataSources: node alone and a Datafold
// connection with two data sources: the dbt answer, with Lightdash, and a
// note naming the data sources to pass.
func TestImpactDBTWithSeveralDataSources(t *testing.T) {
	tool, d, _ := impactScenario(t, "merge_two_sources.json", true, 0)
	out := impactRun(t, tool, d, map[string]any{"node": "stg_orders"})
	for _, n := range out.Nodes {
		if n.Kind == "model" || n.Kind == "seed" {
			assert.Equal(t, "dbt", n.Provider, n.ID)
			assert.Empty(t, n.Providers, n.ID)
		}
	}
	assert.Equal(t, []string{"First orders", "Orders per month"}, impactNames(out, impact.KindLightdashChart))
	assert.True(t, impactNoteHas(out, "pass data_source_id", "1 (Snowflake (prod))", "2 (Snowflake (dev))"), "notes %q", out.Notes)
	assert.Zero(t, out.Root.DataSourceID)
	assert.True(t, out.Complete, "errors %q notes %q", out.Errors, out.Notes)
}
