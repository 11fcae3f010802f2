package manifest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testdata = "../testdata/jaffle_shop"

var versionFiles = []struct {
	file    string
	version int
}{
	{"manifests/manifest_v4.json", 4},
	{"manifests/manifest_v5.json", 5},
	{"manifests/manifest_v6.json", 6},
	{"manifests/manifest_v7.json", 7},
	{"manifests/manifest_v8.json", 8},
	{"manifests/manifest_v9.json", 9},
	{"manifests/manifest_v10.json", 10},
	{"manifests/manifest_v11.json", 11},
	{"manifests/manifest_v12.json", 12},
	{"manifest.json", 11},
}

// oracle is what a manifest declares, read with encoding/json in full:
// an independent reading to check the streaming loader against.
type oracle struct {
	Metadata struct {
		SchemaVersion string `json:"dbt_schema_version"`
	} `json:"metadata"`
	Sections map[string]map[string]oracleNode
}

type oracleNode struct {
	ResourceType string `json:"resource_type"`
	Name         string `json:"name"`
	Database     string `json:"database"`
	Schema       string `json:"schema"`
	Alias        string `json:"alias"`
	CompiledCode string `json:"compiled_code"`
	CompiledSQL  string `json:"compiled_sql"`
	ColumnName   string `json:"column_name"`
	Columns      map[string]json.RawMessage
	Config       struct {
		Materialized string `json:"materialized"`
	} `json:"config"`
	DependsOn struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
}

func readOracle(t *testing.T, path string) oracle {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var o oracle
	require.NoError(t, json.Unmarshal(raw, &o))
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &top))
	o.Sections = map[string]map[string]oracleNode{}
	for key := range nodeSections {
		if top[key] == nil || string(top[key]) == "null" {
			continue
		}
		var sec map[string]oracleNode
		require.NoError(t, json.Unmarshal(top[key], &sec))
		o.Sections[key] = sec
	}
	return o
}

var keptKinds = map[string]Kind{
	"model": KindModel, "seed": KindSeed, "snapshot": KindSnapshot, "source": KindSource, "test": KindTest,
	"unit_test": KindTest, "exposure": KindExposure, "metric": KindMetric, "semantic_model": KindSemanticModel,
	"saved_query": KindSavedQuery,
}

func TestLoadEveryVersionMatchesWhatTheManifestDeclares(t *testing.T) {
	for _, tc := range versionFiles {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(testdata, tc.file)
			g, err := LoadFiles(path, "")
			require.NoError(t, err)
			o := readOracle(t, path)
			assert.Equal(t, tc.version, g.Meta.SchemaVersion, "schema version: got %d, want %d", g.Meta.SchemaVersion, tc.version)

			want := map[Kind]int{}
			for _, sec := range o.Sections {
				for id, on := range sec {
					k, kept := keptKinds[on.ResourceType]
					if !kept {
						assert.Nil(t, g.Node(id), "%s (%s) is not a kind the graph keeps: got a node, want none", id, on.ResourceType)
						continue
					}
					want[k]++
					n := g.Node(id)
					require.NotNil(t, n, "node %s: got none, want it", id)
					assert.Equal(t, k, n.Kind, "%s kind: got %s, want %s", id, n.Kind, k)
					assert.Equal(t, on.Name, n.Name, "%s name: got %q, want %q", id, n.Name, on.Name)
					checkEdges(t, g, id, on)
					checkNodeFields(t, n, on)
				}
			}
			assert.Equal(t, want, g.Counts(), "counts per kind: got %v, want %v", g.Counts(), want)
			assert.Empty(t, g.Warnings(), "warnings: got %v, want none", g.Warnings())
		})
	}
}

func checkEdges(t *testing.T, g *Graph, id string, on oracleNode) {
	t.Helper()
	for _, dep := range on.DependsOn.Nodes {
		if on.ResourceType == "test" || on.ResourceType == "unit_test" {
			assert.Contains(t, g.Tests(dep), id, "test %s depends on %s: got tests %v, want it among them", id, dep, g.Tests(dep))
			continue
		}
		assert.Contains(t, g.Parents(id), dep, "%s depends on %s: got parents %v, want it among them", id, dep, g.Parents(id))
		assert.Contains(t, g.Children(dep), id, "%s feeds %s: got children %v, want it among them", dep, id, g.Children(dep))
	}
}

func checkNodeFields(t *testing.T, n *Node, on oracleNode) {
	t.Helper()
	compiled := on.CompiledCode
	if compiled == "" {
		compiled = on.CompiledSQL
	}
	assert.Equal(t, compiled, n.CompiledSQL, "%s compiled SQL differs", n.UniqueID)
	if n.Kind == KindModel || n.Kind == KindSeed {
		want := on.Database + "." + on.Schema + "." + on.Alias
		assert.Equal(t, want, n.Relation, "%s relation: got %q, want %q", n.UniqueID, n.Relation, want)
		assert.Equal(t, on.Config.Materialized, n.Materialization, "%s materialization: got %q, want %q", n.UniqueID, n.Materialization, on.Config.Materialized)
	}
	if on.ResourceType == "test" {
		assert.Equal(t, on.ColumnName, n.ColumnName, "%s column: got %q, want %q", n.UniqueID, n.ColumnName, on.ColumnName)
		assert.NotEmpty(t, n.AttachedNode, "%s attached node: got none, want the tested model", n.UniqueID)
	}
	assert.Len(t, n.Columns, len(on.Columns), "%s columns: got %d, want %d", n.UniqueID, len(n.Columns), len(on.Columns))
}

func TestLoadJaffleShopShape(t *testing.T) {
	g, err := LoadFiles(filepath.Join(testdata, "manifests/manifest_v12.json"), "")
	require.NoError(t, err)
	counts := g.Counts()
	for k, want := range map[Kind]int{KindModel: 5, KindSeed: 3, KindTest: 20, KindExposure: 2, KindSemanticModel: 1, KindMetric: 1, KindSavedQuery: 1} {
		assert.Equal(t, want, counts[k], "%s count: got %d, want %d", k, counts[k], want)
	}
	assert.Equal(t, "datafold_demo", g.Meta.ProjectName)
	assert.Equal(t, "duckdb", g.Meta.AdapterType)

	orders := g.Node("model.datafold_demo.orders")
	require.NotNil(t, orders)
	assert.Equal(t, "jaffle_shop.dev.orders", orders.Relation)
	assert.Equal(t, "models/core/orders.sql", orders.OriginalFilePath)
	assert.Equal(t, "table", orders.Materialization)
	assert.Contains(t, orders.CompiledSQL, `from "jaffle_shop"."dev"."stg_orders"`)
	assert.Equal(t, []string{"model.datafold_demo.stg_orders", "model.datafold_demo.stg_payments"}, g.Parents(orders.UniqueID))

	unit := g.Node("unit_test.datafold_demo.customers.test_customers_lifetime_value")
	require.NotNil(t, unit)
	assert.Equal(t, KindTest, unit.Kind)
	assert.Equal(t, "unit", unit.TestType)
	assert.Equal(t, "model.datafold_demo.customers", unit.AttachedNode)

	ex := g.Node("exposure.datafold_demo.customer_dashboard")
	require.NotNil(t, ex)
	assert.Equal(t, "dashboard", ex.ExposureType)
	assert.Equal(t, "Analytics <analytics@jaffle.example>", ex.Owner)
	assert.Equal(t, []string{"model.datafold_demo.customers", "model.datafold_demo.orders"}, g.Parents(ex.UniqueID))
}

func TestTestsAttachBeforeV10(t *testing.T) {
	// v4 has no attached_node: the tested model comes from ref() in
	// test_metadata.kwargs.model; a relationships test depends on both.
	g, err := LoadFiles(filepath.Join(testdata, "manifests/manifest_v4.json"), "")
	require.NoError(t, err)
	rel := g.Node("test.demo.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2")
	require.NotNil(t, rel)
	assert.Equal(t, "model.demo.orders", rel.AttachedNode, "attached node: got %q, want the orders model", rel.AttachedNode)
	assert.Equal(t, "customer_id", rel.ColumnName)
	assert.Contains(t, g.Tests("model.demo.customers"), rel.UniqueID)
	assert.Contains(t, g.Tests("model.demo.orders"), rel.UniqueID)
	assert.Equal(t, "relationships", rel.TestName)
}

func TestCatalogMerge(t *testing.T) {
	g, err := LoadFiles(filepath.Join(testdata, "manifest.json"), filepath.Join(testdata, "catalog.json"))
	require.NoError(t, err)
	require.True(t, g.HasCatalog)
	customers := g.Node("model.datafold_demo.customers")
	want := []string{"customer_id", "first_name", "last_name", "first_order", "most_recent_order", "number_of_orders", "customer_lifetime_value", "total_order_amount"}
	assert.Equal(t, want, customers.ColumnNames(), "columns: catalog order, then documented-only")
	c := customers.Column("CUSTOMER_ID")
	require.NotNil(t, c)
	assert.Equal(t, Column{Name: "customer_id", Type: "INTEGER", Description: "This is a unique identifier for a customer", Documented: true, InCatalog: true}, *c)
	doc := customers.Column("total_order_amount")
	assert.False(t, doc.InCatalog, "documented column the warehouse lacks: got in_catalog true, want false")
	assert.True(t, doc.Documented)
	seed := g.Node("seed.datafold_demo.raw_payments")
	assert.Equal(t, []string{"id", "order_id", "payment_method", "amount"}, seed.ColumnNames())
	assert.True(t, seed.ColumnsFromCatalog())
}

func TestLoadThroughOneByteReads(t *testing.T) {
	// Every refill boundary of the scanner: one byte per Read.
	raw, err := os.ReadFile(filepath.Join(testdata, "manifest.json"))
	require.NoError(t, err)
	want, err := Load(bytes.NewReader(raw), nil)
	require.NoError(t, err)
	got, err := Load(iotest.OneByteReader(bytes.NewReader(raw)), nil)
	require.NoError(t, err)
	require.Equal(t, len(want.Nodes()), len(got.Nodes()))
	for i, n := range want.Nodes() {
		assert.Equal(t, *n, *got.Nodes()[i], "node %s differs when read one byte at a time", n.UniqueID)
	}
}

func TestMalformedManifests(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testdata, "manifest.json"))
	require.NoError(t, err)
	nodesAt := bytes.Index(raw, []byte(`"nodes"`))
	require.Positive(t, nodesAt)
	corrupt := slices.Clone(raw)
	i := bytes.Index(corrupt[nodesAt:], []byte(`"resource_type": "model"`)) + nodesAt
	copy(corrupt[i:], `"resource_type"  "model"`)

	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", "", "empty file"},
		{"half written", string(raw[:len(raw)/2]), "truncated"},
		{"array", `[1, 2]`, "not a JSON object"},
		{"no nodes", `{"metadata": {}}`, "not a dbt manifest"},
		{"bad node", string(corrupt), "not valid JSON"},
		{"trailing garbage", string(raw) + "}", "after the end"},
		{"mismatched brackets", `{"metadata": {}, "nodes": {"a": {]}}`, "not valid JSON"},
		{"missing value", `{"metadata": {}, "nodes": {"a": ]}}`, "expected a value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.doc), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want, "error: got %q, want it to mention %q", err, tc.want)
			assert.Contains(t, err.Error(), "manifest.json")
		})
	}

	_, err = Load(bytes.NewReader(raw), strings.NewReader(`{"nodes": {"x": `))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "catalog.json")
}
