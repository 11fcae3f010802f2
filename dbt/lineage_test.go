package dbt

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const jaffle = "testdata/jaffle_shop"

func snapshotOf(t *testing.T, manifestFile, catalogFile string) *Snapshot {
	t.Helper()
	path := filepath.Join(jaffle, manifestFile)
	cfg := Config{Name: "jaffle_shop", Manifest: path}
	if catalogFile != "" {
		cfg.Catalog = filepath.Join(jaffle, catalogFile)
	} else {
		// Alone in a directory, so no catalog.json is found beside it.
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		cfg.Manifest = filepath.Join(t.TempDir(), "manifest.json")
		require.NoError(t, os.WriteFile(cfg.Manifest, raw, 0o644))
	}
	p, err := New(cfg, Options{})
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	return s
}

// lineageMap renders a node's lineage as column -> "name.column:kind".
func lineageMap(l *ColumnLineage) map[string][]string {
	out := map[string][]string{}
	for _, c := range l.Columns {
		srcs := []string{}
		for _, s := range c.Sources {
			name := s.Name
			if name == "" {
				name = s.Relation
			}
			srcs = append(srcs, name+"."+s.Column+":"+string(s.Kind))
		}
		out[c.Name] = srcs
	}
	return out
}

// The jaffle_shop models of manifest.json (dbt 1.7.3, duckdb), checked
// by hand against their compiled SQL.
var jaffleLineage = map[string]map[string][]string{
	"stg_customers": {
		"customer_id": {"raw_customers.id:copy"},
		"first_name":  {"raw_customers.first_name:copy"},
		"last_name":   {"raw_customers.last_name:copy"},
	},
	"stg_orders": {
		"order_id":    {"raw_orders.id:copy"},
		"customer_id": {"raw_orders.user_id:copy"},
		"order_date":  {"raw_orders.order_date:copy"},
		"status":      {"raw_orders.status:copy"},
	},
	"stg_payments": {
		"payment_id":     {"raw_payments.id:copy"},
		"order_id":       {"raw_payments.order_id:copy"},
		"payment_method": {"raw_payments.payment_method:copy"},
		"amount":         {"raw_payments.amount:transformation"}, // amount / 100
	},
	"customers": {
		"customer_id":             {"stg_customers.customer_id:copy"},
		"first_name":              {"stg_customers.first_name:copy"},
		"last_name":               {"stg_customers.last_name:copy"},
		"first_order":             {"stg_orders.order_date:aggregation"},
		"most_recent_order":       {"stg_orders.order_date:aggregation"},
		"number_of_orders":        {"stg_orders.order_id:aggregation"},
		"customer_lifetime_value": {"stg_payments.amount:aggregation"}, // sum(amount) of payments left join orders
	},
	"orders": { // a union of two CTEs; order_id+1 / +2, cast(order_date as varchar)
		"order_id":             {"stg_orders.order_id:transformation"},
		"customer_id":          {"stg_orders.customer_id:copy"},
		"order_date":           {"stg_orders.order_date:transformation"},
		"new_column":           {},
		"credit_card_amount":   {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"coupon_amount":        {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"bank_transfer_amount": {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"gift_card_amount":     {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"amount":               {"stg_payments.amount:aggregation"},
	},
}

var jaffleOrder = map[string][]string{
	"customers": {"customer_id", "first_name", "last_name", "first_order", "most_recent_order", "number_of_orders", "customer_lifetime_value"},
	"orders":    {"order_id", "customer_id", "order_date", "new_column", "credit_card_amount", "coupon_amount", "bank_transfer_amount", "gift_card_amount", "amount"},
}

func TestColumnLineageJaffleShop(t *testing.T) {
	for _, catalog := range []string{"catalog.json", ""} {
		t.Run("catalog="+catalog, func(t *testing.T) {
			s := snapshotOf(t, "manifest.json", catalog)
			for model, want := range jaffleLineage {
				l, err := s.ColumnLineage(model)
				require.NoError(t, err, model)
				assert.Equal(t, LevelColumn, l.Level, "%s level: got %s (%s), want column", model, l.Level, l.Reason)
				assert.Equal(t, want, lineageMap(l), "%s lineage", model)
				assert.Empty(t, l.Unresolved, "%s unresolved: got %v, want none", model, l.Unresolved)
				assert.Empty(t, l.Passthrough, "%s passthrough", model)
				if order := jaffleOrder[model]; order != nil {
					var got []string
					for _, c := range l.Columns {
						got = append(got, c.Name)
					}
					assert.Equal(t, order, got, "%s column order", model)
				}
			}
		})
	}
}

func TestColumnLineageTypesFromCatalog(t *testing.T) {
	s := snapshotOf(t, "manifest.json", "catalog.json")
	l, err := s.ColumnLineage("orders")
	require.NoError(t, err)
	c := l.Column("order_date")
	require.NotNil(t, c)
	assert.Equal(t, "VARCHAR", c.Type)
	assert.Equal(t, "Date (UTC) that the order was placed", c.Description)
	assert.Equal(t, []string{"model.datafold_demo.stg_orders", "model.datafold_demo.stg_payments"}, l.Reads)
	assert.Equal(t, "jaffle_shop.dev.stg_orders", c.Sources[0].Relation)
}

func TestColumnLineageSnowflakeV4(t *testing.T) {
	// Unquoted DEV.development_sung.stg_orders relations, no catalog.
	s := snapshotOf(t, "manifests/manifest_v4.json", "")
	l, err := s.ColumnLineage("orders")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"order_id":             {"stg_orders.order_id:copy"},
		"customer_id":          {"stg_orders.customer_id:copy"},
		"order_date":           {"stg_orders.order_date:copy"},
		"status":               {"stg_orders.status:copy"},
		"credit_card_amount":   {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"coupon_amount":        {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"bank_transfer_amount": {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"gift_card_amount":     {"stg_payments.amount:aggregation", "stg_payments.payment_method:aggregation"},
		"amount":               {"stg_payments.amount:aggregation"},
	}, lineageMap(l))
}

func TestColumnLineageNotCompiled(t *testing.T) {
	// v11: customers is compiled, the staging models it reads are not.
	s := snapshotOf(t, "manifests/manifest_v11.json", "")
	stg, err := s.ColumnLineage("stg_payments")
	require.NoError(t, err)
	assert.Equal(t, LevelTable, stg.Level)
	assert.Contains(t, stg.Reason, "no compiled SQL")
	assert.Contains(t, stg.Reason, "raw Jinja SQL cannot be used")
	assert.Equal(t, []string{"seed.demo.raw_payments"}, stg.Upstream)

	l, err := s.ColumnLineage("customers")
	require.NoError(t, err)
	assert.Equal(t, LevelColumn, l.Level)
	got := lineageMap(l)
	assert.Equal(t, []string{"stg_customers.first_name:copy"}, got["changed_names"])
	assert.Equal(t, []string{"stg_orders.order_id:aggregation"}, got["number_of_orders"], "documented columns let the star pass order_id through")
	// payments and orders are SELECT * over models whose columns are
	// only partly documented: "amount" could be either's.
	assert.Empty(t, got["customer_lifetime_value"])
	c := l.Column("customer_lifetime_value")
	require.Len(t, c.Unresolved, 1)
	assert.Contains(t, c.Unresolved[0], `column "amount" could come from CTE payments or CTE orders`)
}

func TestColumnLineageOfSeedsAndOthers(t *testing.T) {
	s := snapshotOf(t, "manifests/manifest_v12.json", "catalog.json")
	seed, err := s.ColumnLineage("raw_orders")
	require.NoError(t, err)
	assert.Equal(t, LevelSource, seed.Level)
	assert.Len(t, seed.Columns, 4)

	_, err = s.ColumnLineage("customer_dashboard")
	require.ErrorContains(t, err, "is a exposure")
	_, err = s.ColumnLineage("no_such_model")
	require.Error(t, err)
}

func TestColumnLineageIsCachedPerSnapshot(t *testing.T) {
	s := snapshotOf(t, "manifest.json", "")
	a, err := s.ColumnLineage("orders")
	require.NoError(t, err)
	b, err := s.ColumnLineage("model.datafold_demo.orders")
	require.NoError(t, err)
	assert.Same(t, a, b)
}

func TestColumnLineageDegradesOnDialect(t *testing.T) {
	s := snapshotFromJSON(t, dialectManifest)
	l, err := s.ColumnLineage("dedup")
	require.NoError(t, err)
	assert.Equal(t, LevelTable, l.Level)
	assert.Contains(t, l.Reason, "adapter snowflake")
	assert.Contains(t, l.Reason, "not understood by the PostgreSQL grammar")
	assert.Equal(t, []string{"model.p.base"}, l.Upstream)
	assert.Equal(t, []string{"id", "v"}, columnNames(l), "documented columns, without sources")

	eph, err := s.ColumnLineage("uses_ephemeral")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"x": {"eph.a:copy"}}, lineageMap(eph))
	inc, err := s.ColumnLineage("incremental")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"id": {"base.id:copy"}, "v": {"base.v:transformation"}}, lineageMap(inc))
	assert.Empty(t, inc.Notes, "reading its own relation is not a hard-coded dependency: got %v", inc.Notes)
}

func columnNames(l *ColumnLineage) []string {
	var out []string
	for _, c := range l.Columns {
		out = append(out, c.Name)
	}
	return out
}

// dialectManifest: base (a seed-like model), dedup (Snowflake QUALIFY),
// an ephemeral model and a model using it, an incremental model reading
// its own relation, and an exposure on dedup.
const dialectManifest = `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "adapter_type": "snowflake", "project_name": "p"},
"nodes": {
 "model.p.base": {"unique_id": "model.p.base", "resource_type": "model", "name": "base", "package_name": "p", "database": "DB", "schema": "S", "alias": "base",
   "config": {"materialized": "table"}, "compiled_code": "select 1 as id, 'x' as v, 2 as a", "depends_on": {"nodes": []}},
 "model.p.dedup": {"unique_id": "model.p.dedup", "resource_type": "model", "name": "dedup", "package_name": "p", "database": "DB", "schema": "S", "alias": "dedup",
   "config": {"materialized": "view"}, "columns": {"id": {"name": "id"}, "v": {"name": "v"}},
   "compiled_code": "select id, v from DB.S.base qualify row_number() over (partition by id order by v) = 1", "depends_on": {"nodes": ["model.p.base"]}},
 "model.p.after_dedup": {"unique_id": "model.p.after_dedup", "resource_type": "model", "name": "after_dedup", "package_name": "p", "database": "DB", "schema": "S", "alias": "after_dedup",
   "config": {"materialized": "view"}, "compiled_code": "select id from DB.S.dedup", "depends_on": {"nodes": ["model.p.dedup"]}},
 "model.p.eph": {"unique_id": "model.p.eph", "resource_type": "model", "name": "eph", "package_name": "p", "database": "DB", "schema": "S", "alias": "eph",
   "config": {"materialized": "ephemeral"}, "compiled_code": "select a from DB.S.base", "depends_on": {"nodes": ["model.p.base"]}},
 "model.p.uses_ephemeral": {"unique_id": "model.p.uses_ephemeral", "resource_type": "model", "name": "uses_ephemeral", "package_name": "p", "database": "DB", "schema": "S", "alias": "uses_ephemeral",
   "config": {"materialized": "table"}, "compiled_code": "with __dbt__cte__eph as (select a from DB.S.base) select a as x from __dbt__cte__eph", "depends_on": {"nodes": ["model.p.eph"]}},
 "model.p.incremental": {"unique_id": "model.p.incremental", "resource_type": "model", "name": "incremental", "package_name": "p", "database": "DB", "schema": "S", "alias": "incremental",
   "config": {"materialized": "incremental"}, "compiled_code": "select id, upper(v) as v from DB.S.base where id > (select max(id) from DB.S.incremental)", "depends_on": {"nodes": ["model.p.base"]}},
 "test.p.not_null_dedup_id": {"unique_id": "test.p.not_null_dedup_id", "resource_type": "test", "name": "not_null_dedup_id", "package_name": "p", "column_name": "id",
   "attached_node": "model.p.dedup", "test_metadata": {"name": "not_null", "kwargs": {"column_name": "id"}}, "depends_on": {"nodes": ["model.p.dedup"]}}
},
"sources": {},
"exposures": {"exposure.p.board": {"unique_id": "exposure.p.board", "resource_type": "exposure", "name": "board", "package_name": "p", "type": "dashboard", "depends_on": {"nodes": ["model.p.after_dedup"]}}}
}`

func snapshotFromJSON(t *testing.T, doc string) *Snapshot {
	t.Helper()
	p, err := FromBytes("p", []byte(doc), nil)
	require.NoError(t, err)
	s, err := p.Snapshot()
	require.NoError(t, err)
	return s
}

func TestSnapshotResolveAmbiguity(t *testing.T) {
	doc := strings.Replace(dialectManifest, `"sources": {}`, `"sources": {"source.p.raw.base": {"unique_id": "source.p.raw.base", "resource_type": "source", "name": "base", "source_name": "raw", "package_name": "p", "database": "DB", "schema": "RAW", "identifier": "base"}}`, 1)
	doc = strings.Replace(doc, `"model.p.base": {`, `"model.q.base": {"unique_id": "model.q.base", "resource_type": "model", "name": "base", "package_name": "q", "database": "DB", "schema": "Q", "alias": "base", "config": {"materialized": "table"}},
 "model.p.base": {`, 1)
	s := snapshotFromJSON(t, doc)
	_, err := s.ColumnLineage("base")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"base" is ambiguous: 2 nodes match`)
	assert.Contains(t, err.Error(), "model.p.base (model, DB.S.base)")
	assert.Contains(t, err.Error(), "model.q.base (model, DB.Q.base)")
	_, err = s.ColumnImpact("base.id", manifestOpts(""))
	require.ErrorContains(t, err, "ambiguous")
	n, err := s.Resolve("raw.base")
	require.NoError(t, err)
	assert.Equal(t, "source.p.raw.base", n.UniqueID)
}
