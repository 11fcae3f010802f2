package dbt

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// synthModel is one model of a synthetic manifest.
type synthModel struct {
	name, checksum, sql, description string
	materialized                     string
	deps                             []string
	columns                          map[string]string // name -> description
}

// synthManifest writes a manifest (schema v12) of a seed raw_orders and
// the models, all built into schema, with unique and not_null tests on
// stg_orders.order_id and a unique test only on orders.order_id.
func synthManifest(t *testing.T, schema string, models ...synthModel) []byte {
	t.Helper()
	nodes := map[string]any{
		"seed.shop.raw_orders": map[string]any{"unique_id": "seed.shop.raw_orders", "resource_type": "seed", "name": "raw_orders", "package_name": "shop",
			"database": "db", "schema": schema, "alias": "raw_orders", "checksum": map[string]any{"name": "sha256", "checksum": "seed1"},
			"config": map[string]any{"materialized": "seed"}, "columns": map[string]any{}},
	}
	for _, m := range models {
		id := "model.shop." + m.name
		var deps []string
		for _, d := range m.deps {
			deps = append(deps, d)
		}
		cols := map[string]any{}
		for c, desc := range m.columns {
			cols[c] = map[string]any{"name": c, "description": desc}
		}
		mat := m.materialized
		if mat == "" {
			mat = "view"
		}
		nodes[id] = map[string]any{"unique_id": id, "resource_type": "model", "name": m.name, "package_name": "shop",
			"database": "db", "schema": schema, "alias": m.name, "checksum": map[string]any{"name": "sha256", "checksum": m.checksum},
			"config":        map[string]any{"materialized": mat, "tags": []string{}},
			"compiled_code": strings.ReplaceAll(m.sql, "{schema}", schema), "depends_on": map[string]any{"nodes": deps},
			"description": m.description, "columns": cols}
	}
	for _, tc := range []struct{ test, model, column string }{
		{"unique", "stg_orders", "order_id"}, {"not_null", "stg_orders", "order_id"}, {"unique", "orders", "order_id"},
	} {
		id := "test.shop." + tc.test + "_" + tc.model + "_" + tc.column
		nodes[id] = map[string]any{"unique_id": id, "resource_type": "test", "name": tc.test + "_" + tc.model, "package_name": "shop",
			"test_metadata": map[string]any{"name": tc.test, "kwargs": map[string]any{"column_name": tc.column}},
			"column_name":   tc.column, "attached_node": "model.shop." + tc.model,
			"depends_on": map[string]any{"nodes": []string{"model.shop." + tc.model}}}
	}
	raw, err := json.Marshal(map[string]any{"metadata": map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "shop"}, "nodes": nodes})
	require.NoError(t, err)
	return raw
}

func synthSnapshot(t *testing.T, name string, manifestJSON []byte) *Snapshot {
	t.Helper()
	p, err := FromBytes(name, manifestJSON, nil)
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	return s
}

const (
	stgSQL    = `select id as order_id, status, amount / 100 as amount from db.{schema}.raw_orders`
	stgSQLPR  = `select id as order_id, case when status = 'p' then 'r' else status end as status, round(amount / 100, 2) as amount, id % 2 as shard from db.{schema}.raw_orders where status != 'test'`
	ordersSQL = `select order_id, amount from "db"."{schema}"."stg_orders"`
)

func TestCompareStates(t *testing.T) {
	seed := []string{"seed.shop.raw_orders"}
	stg := []string{"model.shop.stg_orders"}
	base := synthSnapshot(t, "prod", synthManifest(t, "analytics",
		synthModel{name: "stg_orders", checksum: "a1", sql: stgSQL, deps: seed, columns: map[string]string{"order_id": "", "amount": "dollars"}},
		synthModel{name: "orders", checksum: "b1", sql: ordersSQL, deps: stg},
		synthModel{name: "by_macro", checksum: "c1", sql: `select 1 as x from db.{schema}.raw_orders`, deps: seed},
		synthModel{name: "retyped", checksum: "d1", sql: `select 1 as x`, materialized: "view"},
		synthModel{name: "documented", checksum: "e1", sql: `select 1 as x`, description: "old words"},
		synthModel{name: "gone", checksum: "f1", sql: `select 1 as x`},
	))
	pr := synthSnapshot(t, "pr", synthManifest(t, "pr_42",
		synthModel{name: "stg_orders", checksum: "a2", sql: stgSQLPR, deps: seed, columns: map[string]string{"order_id": "", "amount": "dollars, rounded"}},
		// Same file, built into the PR's schema: not modified.
		synthModel{name: "orders", checksum: "b1", sql: ordersSQL, deps: stg},
		// Same file, different compiled SQL (a macro changed).
		synthModel{name: "by_macro", checksum: "c1", sql: `select 2 as x from db.{schema}.raw_orders`, deps: seed},
		synthModel{name: "retyped", checksum: "d1", sql: `select 1 as x`, materialized: "table"},
		synthModel{name: "documented", checksum: "e1", sql: `select 1 as x`, description: "new words"},
		synthModel{name: "fresh", checksum: "g1", sql: `select 1 as x`},
	))

	sd := CompareStates(base, pr)
	got := map[string]string{}
	for _, c := range sd.Nodes {
		got[c.Name] = fmt.Sprintf("%s %v", c.Change, c.Reasons)
	}
	assert.Equal(t, map[string]string{
		"stg_orders": "modified [body descriptions]",
		"by_macro":   "modified [compiled_sql]",
		"retyped":    "modified [config]",
		"documented": "modified [descriptions]",
		"gone":       "removed []",
		"fresh":      "new []",
	}, got, "got changes %v", got)
	assert.Equal(t, 8, sd.Compared, "got %d nodes compared, want 7 models and the seed", sd.Compared)

	byName := map[string]NodeChange{}
	for _, c := range sd.Nodes {
		byName[c.Name] = c
	}
	stgc := byName["stg_orders"]
	assert.Equal(t, "db.analytics.stg_orders", stgc.BaseRelation)
	assert.Equal(t, "db.pr_42.stg_orders", stgc.PRRelation)
	assert.Equal(t, []ColumnChange{{Column: "amount", Change: ColumnDescription, Base: "dollars", PR: "dollars, rounded"}}, stgc.Columns)
	assert.True(t, stgc.CodeChanged())
	doc := byName["documented"]
	assert.False(t, doc.DataChanged(), "a description-only change cannot change data")
	assert.False(t, doc.CodeChanged())

	lc, note := LineageChanges(base, pr, "model.shop.stg_orders")
	require.Empty(t, note)
	gotLineage := map[string]string{}
	for _, c := range lc {
		gotLineage[c.Column] = c.Base + " -> " + c.PR
	}
	assert.Equal(t, map[string]string{
		"status": "raw_orders.status (copy) -> raw_orders.status (transformation)",
		"shard":  " -> raw_orders.id (transformation)",
	}, gotLineage, "got lineage changes %v", gotLineage)
}

func TestTestedKey(t *testing.T) {
	s := synthSnapshot(t, "prod", synthManifest(t, "analytics",
		synthModel{name: "stg_orders", checksum: "a1", sql: stgSQL, deps: []string{"seed.shop.raw_orders"}},
		synthModel{name: "orders", checksum: "b1", sql: ordersSQL, deps: []string{"model.shop.stg_orders"}},
	))
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"model.shop.stg_orders", []string{"order_id"}},
		{"model.shop.orders", nil}, // unique without not_null is no key
		{"seed.shop.raw_orders", nil},
	} {
		assert.Equal(t, tc.want, TestedKey(s.Graph(), tc.id), "key of %s", tc.id)
	}
}

func TestMergeColumnChanges(t *testing.T) {
	a := []ColumnChange{{Column: "amount", Change: ColumnDescription}}
	b := []ColumnChange{{Column: "AMOUNT", Change: ColumnDescription}, {Column: "amount", Change: ColumnLineageChanged}}
	got := MergeColumnChanges(a, b)
	assert.Equal(t, []ColumnChange{{Column: "amount", Change: ColumnDescription}, {Column: "amount", Change: ColumnLineageChanged}}, got)
}

// A config written pretty or compact is the same config.
func TestConfigDigestIgnoresLayout(t *testing.T) {
	compact := synthManifest(t, "analytics", synthModel{name: "m", checksum: "x", sql: "select 1 as x"})
	var v any
	require.NoError(t, json.Unmarshal(compact, &v))
	pretty, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	sd := CompareStates(synthSnapshot(t, "a", compact), synthSnapshot(t, "b", pretty))
	assert.Empty(t, sd.Nodes, "got changes %v between the same manifest written compact and pretty", sd.Nodes)
}
