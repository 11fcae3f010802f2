package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The demo artifacts are generated from the spec (spec_data_test.go):
// TestArtifacts checks that data/ holds exactly what it generates; with
// -update it writes data/.

var update = flag.Bool("update", false, "write data/*.json from the spec")

const pkg = "jaffle_shop"

func TestArtifacts(t *testing.T) {
	for _, dev := range []bool{false, true} {
		dir := "prod"
		if dev {
			dir = "dev"
		}
		files := map[string]any{"manifest.json": buildManifest(dev), "catalog.json": buildCatalog(dev)}
		for name, doc := range files {
			want, err := json.MarshalIndent(doc, "", "  ")
			require.NoError(t, err)
			want = append(want, '\n')
			path := filepath.Join("data", dir, name)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, want, 0o644))
				continue
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got), "%s differs from the spec: run go test ./dbt/demo -run TestArtifacts -update", path)
		}
	}
}

func testID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "test." + pkg + "." + name + "." + hex.EncodeToString(sum[:])[:10]
}

func modelID(name string) string { return "model." + pkg + "." + name }

func sourceID(ref string) string { return "source." + pkg + "." + ref }

func depID(ref string) string {
	if strings.Contains(ref, ".") {
		return sourceID(ref)
	}
	return modelID(ref)
}

func columnsJSON(cols []col, withTypes bool) map[string]any {
	out := map[string]any{}
	for _, c := range cols {
		var typ any
		if withTypes {
			typ = c.typ
		}
		out[c.name] = map[string]any{"name": c.name, "description": c.desc, "meta": map[string]any{}, "data_type": typ,
			"constraints": []any{}, "quote": nil, "tags": []any{}}
	}
	return out
}

// rawCode turns compiled SQL back into the Jinja a user wrote.
func rawCode(sql string) string {
	for ref, rel := range sourceRelation {
		parts := strings.SplitN(ref, ".", 2)
		sql = strings.ReplaceAll(sql, rel, "{{ source('"+parts[0]+"', '"+parts[1]+"') }}")
	}
	for _, m := range models {
		sql = strings.ReplaceAll(sql, "ANALYTICS."+m.schema+"."+m.name, "{{ ref('"+m.name+"') }}")
	}
	return sql
}

func buildManifest(dev bool) map[string]any {
	nodes, sourcesOut, parent, child := map[string]any{}, map[string]any{}, map[string]any{}, map[string][]string{}
	link := func(id string, deps []string) {
		parent[id] = deps
		for _, d := range deps {
			child[d] = append(child[d], id)
		}
		if child[id] == nil {
			child[id] = []string{}
		}
	}
	for _, s := range sources {
		id := sourceID(s.sourceName + "." + s.name)
		sourcesOut[id] = map[string]any{
			"database": "ANALYTICS", "schema": "RAW", "name": s.name, "resource_type": "source", "package_name": pkg,
			"path": "models/staging/sources.yml", "original_file_path": "models/staging/sources.yml", "unique_id": id,
			"fqn": []string{pkg, "staging", s.sourceName, s.name}, "source_name": s.sourceName, "source_description": "",
			"loader": "fivetran", "identifier": s.name, "quoting": map[string]any{}, "loaded_at_field": "_etl_loaded_at",
			"freshness": map[string]any{"warn_after": map[string]any{"count": 12, "period": "hour"}, "error_after": map[string]any{"count": 24, "period": "hour"}, "filter": nil},
			"external":  nil, "description": s.desc, "columns": columnsJSON(s.cols, false), "meta": map[string]any{}, "source_meta": map[string]any{},
			"tags": []string{}, "config": map[string]any{"enabled": true}, "patch_path": nil, "unrendered_config": map[string]any{},
			"relation_name": sourceRelation[s.sourceName+"."+s.name], "created_at": 1717000000.0,
		}
		link(id, []string{})
	}
	for _, m := range models {
		id := modelID(m.name)
		sql := m.prodSQL
		if dev && m.devSQL != "" {
			sql = m.devSQL
		}
		deps := make([]string, len(m.deps))
		var refs []any
		var srcs []any
		for i, d := range m.deps {
			deps[i] = depID(d)
			if strings.Contains(d, ".") {
				srcs = append(srcs, strings.SplitN(d, ".", 2))
			} else {
				refs = append(refs, map[string]any{"name": d, "package": nil, "version": nil})
			}
		}
		sum := sha256.Sum256([]byte(rawCode(sql)))
		nodes[id] = map[string]any{
			"database": "ANALYTICS", "schema": m.schema, "name": m.name, "resource_type": "model", "package_name": pkg,
			"path": m.dir + "/" + m.name + ".sql", "original_file_path": "models/" + m.dir + "/" + m.name + ".sql", "unique_id": id,
			"fqn": []string{pkg, m.dir, m.name}, "alias": m.name, "checksum": map[string]any{"name": "sha256", "checksum": hex.EncodeToString(sum[:])},
			"config": map[string]any{"enabled": true, "alias": nil, "schema": m.schema, "database": nil, "tags": []string{}, "meta": map[string]any{},
				"group": nil, "materialized": m.mat, "persist_docs": map[string]any{}, "post-hook": []any{}, "pre-hook": []any{},
				"quoting": map[string]any{}, "column_types": map[string]any{}, "on_schema_change": "ignore", "grants": map[string]any{},
				"packages": []any{}, "docs": map[string]any{"show": true, "node_color": nil},
				"contract": map[string]any{"enforced": false, "alias_types": true}, "access": "protected"},
			"tags": []string{}, "description": m.desc, "columns": columnsJSON(m.cols, false), "meta": map[string]any{}, "group": nil,
			"docs": map[string]any{"show": true, "node_color": nil}, "patch_path": pkg + "://models/" + m.dir + "/schema.yml",
			"build_path": nil, "unrendered_config": map[string]any{"materialized": m.mat, "schema": m.schema}, "created_at": 1717000000.0,
			"relation_name": "ANALYTICS." + m.schema + "." + m.name, "raw_code": rawCode(sql), "language": "sql",
			"refs": orEmpty(refs), "sources": orEmpty(srcs), "metrics": []any{},
			"depends_on":    map[string]any{"macros": []any{}, "nodes": deps},
			"compiled_path": "target/compiled/" + pkg + "/models/" + m.dir + "/" + m.name + ".sql", "compiled": true, "compiled_code": sql,
			"extra_ctes_injected": true, "extra_ctes": []any{}, "contract": map[string]any{"enforced": false, "alias_types": true, "checksum": nil},
			"access": "protected", "constraints": []any{}, "version": nil, "latest_version": nil, "deprecation_date": nil,
		}
		link(id, deps)
	}
	for _, tt := range tests {
		name := tt.generic + "_" + tt.model + "_" + tt.column
		id := testID(name)
		kwargs := map[string]any{"column_name": tt.column, "model": "{{ get_where_subquery(ref('" + tt.model + "')) }}"}
		deps := []string{modelID(tt.model)}
		for k, v := range tt.kwargs {
			kwargs[k] = v
			if k == "to" {
				to := strings.TrimSuffix(strings.TrimPrefix(v.(string), "ref('"), "')")
				deps = []string{modelID(to), modelID(tt.model)}
			}
		}
		nodes[id] = map[string]any{
			"test_metadata": map[string]any{"name": tt.generic, "kwargs": kwargs, "namespace": nil},
			"database":      "ANALYTICS", "schema": "dbt_test__audit", "name": name, "resource_type": "test", "package_name": pkg,
			"path": name + ".sql", "original_file_path": "models/schema.yml", "unique_id": id, "fqn": []string{pkg, name}, "alias": name,
			"checksum": map[string]any{"name": "none", "checksum": ""},
			"config": map[string]any{"enabled": true, "severity": "ERROR", "materialized": "test", "store_failures": nil, "where": nil, "limit": nil,
				"fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0"},
			"tags": []string{}, "description": "", "columns": map[string]any{}, "meta": map[string]any{}, "created_at": 1717000000.0,
			"relation_name": nil, "raw_code": "{{ test_" + tt.generic + "(**_dbt_generic_test_kwargs) }}", "language": "sql",
			"refs": []any{map[string]any{"name": tt.model, "package": nil, "version": nil}}, "sources": []any{}, "metrics": []any{},
			"depends_on": map[string]any{"macros": []string{"macro.dbt.test_" + tt.generic}, "nodes": deps},
			"compiled":   false, "column_name": tt.column, "file_key_name": "models." + tt.model, "attached_node": modelID(tt.model),
		}
		link(id, deps)
	}
	exps := map[string]any{}
	for _, e := range exposures {
		id := "exposure." + pkg + "." + e.name
		deps := make([]string, len(e.deps))
		var refs []any
		for i, d := range e.deps {
			deps[i] = modelID(d)
			refs = append(refs, map[string]any{"name": d, "package": nil, "version": nil})
		}
		exps[id] = map[string]any{
			"name": e.name, "resource_type": "exposure", "package_name": pkg, "path": "marts/exposures.yml",
			"original_file_path": "models/marts/exposures.yml", "unique_id": id, "fqn": []string{pkg, "marts", e.name},
			"type": e.typ, "owner": map[string]any{"email": e.email, "name": e.owner}, "description": e.desc, "label": e.label,
			"maturity": "high", "meta": map[string]any{}, "tags": []string{}, "config": map[string]any{"enabled": true},
			"unrendered_config": map[string]any{}, "url": nil, "depends_on": map[string]any{"macros": []any{}, "nodes": deps},
			"refs": refs, "sources": []any{}, "metrics": []any{}, "created_at": 1717000000.0,
		}
		link(id, deps)
	}
	unitID := "unit_test." + pkg + ".dim_customers.test_lifetime_value_sums_orders"
	units := map[string]any{unitID: map[string]any{
		"model": "dim_customers", "given": []any{
			map[string]any{"input": "ref('stg_customers')", "rows": []any{map[string]any{"customer_id": 1}}, "format": "dict", "fixture": nil},
			map[string]any{"input": "ref('fct_orders')", "rows": []any{map[string]any{"customer_id": 1, "order_id": 1, "amount": 10}, map[string]any{"customer_id": 1, "order_id": 2, "amount": 5}}, "format": "dict", "fixture": nil}},
		"expect": map[string]any{"rows": []any{map[string]any{"customer_id": 1, "number_of_orders": 2, "lifetime_value": 15}}, "format": "dict", "fixture": nil},
		"name":   "test_lifetime_value_sums_orders", "resource_type": "unit_test", "package_name": pkg, "path": "marts/schema.yml",
		"original_file_path": "models/marts/schema.yml", "unique_id": unitID, "fqn": []string{pkg, "marts", "dim_customers", "test_lifetime_value_sums_orders"},
		"description": "", "overrides": nil, "depends_on": map[string]any{"macros": []any{}, "nodes": []string{modelID("dim_customers")}},
		"config": map[string]any{"tags": []string{}, "meta": map[string]any{}, "enabled": true}, "checksum": nil, "schema": "MARTS",
		"created_at": 1717000000.0, "versions": nil, "version": nil,
	}}
	smID := "semantic_model." + pkg + ".orders"
	semantic := map[string]any{smID: map[string]any{
		"name": "orders", "resource_type": "semantic_model", "package_name": pkg, "path": "marts/semantic.yml",
		"original_file_path": "models/marts/semantic.yml", "unique_id": smID, "fqn": []string{pkg, "marts", "orders"},
		"model": "ref('fct_orders')", "node_relation": map[string]any{"alias": "fct_orders", "schema_name": "MARTS", "database": "ANALYTICS", "relation_name": "ANALYTICS.MARTS.fct_orders"},
		"description": "Orders and their payments", "label": nil, "defaults": map[string]any{"agg_time_dimension": "order_date"},
		"entities": []any{map[string]any{"name": "order", "type": "primary", "expr": "order_id"}, map[string]any{"name": "customer", "type": "foreign", "expr": "customer_id"}},
		"measures": []any{map[string]any{"name": "revenue", "agg": "sum", "expr": "amount"}},
		"dimensions": []any{map[string]any{"name": "order_date", "type": "time", "type_params": map[string]any{"time_granularity": "day"}},
			map[string]any{"name": "status", "type": "categorical"}},
		"metadata": nil, "depends_on": map[string]any{"macros": []any{}, "nodes": []string{modelID("fct_orders")}},
		"refs": []any{map[string]any{"name": "fct_orders", "package": nil, "version": nil}}, "created_at": 1717000000.0,
		"config": map[string]any{"enabled": true, "group": nil, "meta": map[string]any{}}, "unrendered_config": map[string]any{},
		"primary_entity": nil, "group": nil,
	}}
	link(smID, []string{modelID("fct_orders")})
	metricID := "metric." + pkg + ".revenue"
	metrics := map[string]any{metricID: map[string]any{
		"name": "revenue", "resource_type": "metric", "package_name": pkg, "path": "marts/semantic.yml",
		"original_file_path": "models/marts/semantic.yml", "unique_id": metricID, "fqn": []string{pkg, "marts", "revenue"},
		"description": "Sum of order amounts", "label": "Revenue", "type": "simple",
		"type_params": map[string]any{"measure": map[string]any{"name": "revenue", "filter": nil, "alias": nil, "join_to_timespine": false, "fill_nulls_with": nil},
			"input_measures": []any{map[string]any{"name": "revenue", "filter": nil, "alias": nil, "join_to_timespine": false, "fill_nulls_with": nil}}, "metrics": []any{}},
		"filter": nil, "metadata": nil, "meta": map[string]any{}, "tags": []string{}, "config": map[string]any{"enabled": true, "group": nil, "meta": map[string]any{}},
		"unrendered_config": map[string]any{}, "sources": []any{}, "depends_on": map[string]any{"macros": []any{}, "nodes": []string{smID}},
		"refs": []any{}, "metrics": []any{}, "created_at": 1717000000.0, "group": nil,
	}}
	link(metricID, []string{smID})
	generated, invocation := "2025-06-02T04:00:00.000000Z", "5f1c2d3e-0000-4000-8000-000000000001"
	if dev {
		generated, invocation = "2025-06-02T09:30:00.000000Z", "5f1c2d3e-0000-4000-8000-000000000042"
	}
	return map[string]any{
		"metadata": map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "dbt_version": "1.8.7",
			"generated_at": generated, "invocation_id": invocation, "env": map[string]any{}, "project_name": pkg,
			"project_id": "0c3b5b2b1f8f4e0c9d1a2b3c4d5e6f70", "user_id": nil, "send_anonymous_usage_stats": false, "adapter_type": "snowflake"},
		"nodes": nodes, "sources": sourcesOut, "macros": map[string]any{
			"macro.dbt.test_unique": map[string]any{"name": "test_unique", "resource_type": "macro", "package_name": "dbt", "macro_sql": "{% test unique(model, column_name) %}...{% endtest %}"}},
		"docs": map[string]any{}, "exposures": exps, "metrics": metrics, "groups": map[string]any{}, "selectors": map[string]any{},
		"disabled": map[string]any{}, "parent_map": parent, "child_map": child, "group_map": map[string]any{},
		"saved_queries": map[string]any{}, "semantic_models": semantic, "unit_tests": units,
	}
}

func orEmpty(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

func buildCatalog(dev bool) map[string]any {
	entry := func(id, schema, name, typ string, cols []col) map[string]any {
		cm := map[string]any{}
		for i, c := range cols {
			cm[strings.ToUpper(c.name)] = map[string]any{"type": c.typ, "index": i + 1, "name": strings.ToUpper(c.name), "comment": nil}
		}
		return map[string]any{"metadata": map[string]any{"type": typ, "schema": schema, "name": strings.ToUpper(name), "database": "ANALYTICS", "comment": nil, "owner": "TRANSFORMER"},
			"columns": cm, "stats": map[string]any{"has_stats": map[string]any{"id": "has_stats", "label": "Has Stats?", "value": false, "include": false, "description": "Indicates whether there are statistics for this table"}},
			"unique_id": id}
	}
	nodes, srcs := map[string]any{}, map[string]any{}
	for _, m := range models {
		typ := "BASE TABLE"
		if m.mat == "view" {
			typ = "VIEW"
		}
		nodes[modelID(m.name)] = entry(modelID(m.name), m.schema, m.name, typ, m.cols)
	}
	for _, s := range sources {
		id := sourceID(s.sourceName + "." + s.name)
		srcs[id] = entry(id, "RAW", s.name, "BASE TABLE", s.cols)
	}
	generated := "2025-06-02T04:05:00.000000Z"
	if dev {
		generated = "2025-06-02T09:35:00.000000Z"
	}
	return map[string]any{"metadata": map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json", "dbt_version": "1.8.7",
		"generated_at": generated, "invocation_id": nil, "env": map[string]any{}}, "nodes": nodes, "sources": srcs, "errors": nil}
}
