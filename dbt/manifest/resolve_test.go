package manifest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func loadV12(t *testing.T) *Graph {
	t.Helper()
	g, err := LoadFiles(filepath.Join(testdata, "manifests/manifest_v12.json"), "")
	require.NoError(t, err)
	return g
}

func TestResolve(t *testing.T) {
	g := loadV12(t)
	for _, tc := range []struct{ ref, want string }{
		{"orders", "model.datafold_demo.orders"}, // a semantic model is also named orders: the relation wins
		{"ORDERS", "model.datafold_demo.orders"},
		{"model.datafold_demo.orders", "model.datafold_demo.orders"},
		{"MODEL.DATAFOLD_DEMO.ORDERS", "model.datafold_demo.orders"},
		{"jaffle_shop.dev.orders", "model.datafold_demo.orders"},
		{`"jaffle_shop"."dev"."orders"`, "model.datafold_demo.orders"},
		{"DEV.Orders", "model.datafold_demo.orders"},
		{"raw_payments", "seed.datafold_demo.raw_payments"},
		{"customer_dashboard", "exposure.datafold_demo.customer_dashboard"},
		{"order_total", "metric.datafold_demo.order_total"},
		{"semantic_model.datafold_demo.orders", "semantic_model.datafold_demo.orders"},
		{" stg_orders ", "model.datafold_demo.stg_orders"},
	} {
		n, err := g.Resolve(tc.ref)
		require.NoError(t, err, tc.ref)
		assert.Equal(t, tc.want, n.UniqueID, "Resolve(%q): got %s, want %s", tc.ref, n.UniqueID, tc.want)
	}
}

func TestResolveNotFound(t *testing.T) {
	g := loadV12(t)
	_, err := g.Resolve("stg_order")
	var nf *NotFoundError
	require.True(t, errors.As(err, &nf), "error: got %v, want *NotFoundError", err)
	assert.Equal(t, []string{"model.datafold_demo.stg_orders"}, nf.Suggestions)
	assert.Contains(t, err.Error(), "model.datafold_demo.stg_orders")

	_, err = g.Resolve("")
	require.Error(t, err)
}

// tinyManifest is a manifest with the given nodes entries (JSON objects
// keyed by unique_id) and sources.
func tinyManifest(nodes, sources string) string {
	return `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "p", "adapter_type": "postgres"},
	"nodes": {` + nodes + `}, "sources": {` + sources + `}, "macros": {"macro.x": {"name": "x"}}}`
}

func model(id, name, pkg, schema string, extra string) string {
	return `"` + id + `": {"unique_id": "` + id + `", "resource_type": "model", "name": "` + name + `", "package_name": "` + pkg + `",
	"database": "db", "schema": "` + schema + `", "alias": "` + name + `", "config": {"materialized": "table"}` + extra + `}`
}

func TestResolveAmbiguous(t *testing.T) {
	doc := tinyManifest(
		model("model.a.orders", "orders", "a", "s1", "")+","+
			model("model.b.orders", "orders", "b", "s2", "")+","+
			model("model.a.dim.v1", "dim", "a", "s1", `, "version": 1, "latest_version": 2`)+","+
			strings.Replace(model("model.a.dim.v2", "dim", "a", "s1", `, "version": 2, "latest_version": 2`), `"alias": "dim"`, `"alias": "dim_v2"`, 1),
		`"source.a.raw.orders": {"unique_id": "source.a.raw.orders", "resource_type": "source", "name": "orders", "source_name": "raw", "package_name": "a", "database": "db", "schema": "raw", "identifier": "orders_tbl"}`)
	g, err := Load(strings.NewReader(doc), nil)
	require.NoError(t, err)

	_, err = g.Resolve("orders")
	var amb *AmbiguousError
	require.True(t, errors.As(err, &amb), "error: got %v, want *AmbiguousError", err)
	ids := []string{}
	for _, c := range amb.Candidates {
		ids = append(ids, c.UniqueID)
	}
	assert.Equal(t, []string{"model.a.orders", "model.b.orders"}, ids, "candidates: got %v", ids)
	assert.Contains(t, err.Error(), "model.a.orders (model, db.s1.orders)")
	assert.Contains(t, err.Error(), "model.b.orders (model, db.s2.orders)")

	for _, tc := range []struct{ ref, want string }{
		{"s1.orders", "model.a.orders"},
		{"db.s2.orders", "model.b.orders"},
		{"raw.orders", "source.a.raw.orders"},        // source_name.table
		{"db.raw.orders_tbl", "source.a.raw.orders"}, // its relation
		{"orders_tbl", "source.a.raw.orders"},        // its identifier alone
		{"dim", "model.a.dim.v2"},                    // the latest version
		{"dim.v1", "model.a.dim.v1"},
		{"`db.s1.dim_v2`", "model.a.dim.v2"},
	} {
		n, err := g.Resolve(tc.ref)
		require.NoError(t, err, tc.ref)
		assert.Equal(t, tc.want, n.UniqueID, "Resolve(%q): got %s, want %s", tc.ref, n.UniqueID, tc.want)
	}
}

func TestSplitName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a.b.c", []string{"a", "b", "c"}},
		{`"my.db"."S"."t"`, []string{"my.db", "S", "t"}},
		{`"a""b".c`, []string{`a"b`, "c"}},
		{"`proj.ds.tbl`", []string{"proj", "ds", "tbl"}},
		{"`proj`.ds.`tbl`", []string{"proj", "ds", "tbl"}},
		{"x", []string{"x"}},
	} {
		assert.Equal(t, tc.want, SplitName(tc.in), "SplitName(%q)", tc.in)
	}
}
