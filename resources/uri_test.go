package resources

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestParse checks the URI parser: each URI resolves to one route with
// its variables, and the tool and arguments it reads.
func TestParse(t *testing.T) {
	cases := []struct {
		name  string
		uri   string
		route string
		vars  map[string]string
		tool  string
		args  map[string]any
	}{
		{"datafold data sources", "datafold://prod/data-sources", "datafold-data-sources",
			map[string]string{"connection": "prod"}, "datafold_list_data_sources", map[string]any{}},
		{"datafold summary", "datafold://sandbox/data-sources/3/summary", "datafold-data-source-summary",
			map[string]string{"connection": "sandbox", "data_source_id": "3"}, "datafold_get_data_source_summary", map[string]any{"data_source_id": 3}},
		{"column lineage", "datafold://prod/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/downstream", "datafold-column-lineage",
			map[string]string{"connection": "prod", "data_source_id": "1", "column_path": "ANALYTICS.MARTS.fct_orders.amount", "direction": "downstream"},
			"datafold_get_column_downstreams", map[string]any{"data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount"}},
		{"column lineage with query", "datafold://prod/lineage/1/columns/ANALYTICS.MARTS.fct_orders.amount/upstream?max_depth=2&include_tabular_nodes=false", "datafold-column-lineage",
			map[string]string{"connection": "prod", "data_source_id": "1", "column_path": "ANALYTICS.MARTS.fct_orders.amount", "direction": "upstream", "max_depth": "2", "include_tabular_nodes": "false"},
			"datafold_get_column_upstreams", map[string]any{"data_connection_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.amount", "max_depth": 2, "include_tabular_nodes": false}},
		{"quoted column path", "datafold://prod/lineage/1/columns/ANALYTICS.%22my.schema%22.t.c/downstream", "datafold-column-lineage",
			map[string]string{"connection": "prod", "data_source_id": "1", "column_path": `ANALYTICS."my.schema".t.c`, "direction": "downstream"},
			"datafold_get_column_downstreams", map[string]any{"data_connection_id": 1, "column_path": `ANALYTICS."my.schema".t.c`}},
		{"table lineage", "datafold://dev/lineage/2/tables/ANALYTICS.RAW.orders/downstream?max_depth=1", "datafold-table-lineage",
			map[string]string{"connection": "dev", "data_source_id": "2", "table_path": "ANALYTICS.RAW.orders", "direction": "downstream", "max_depth": "1"},
			"datafold_get_table_downstreams", map[string]any{"data_connection_id": 2, "table_path": "ANALYTICS.RAW.orders", "max_depth": 1}},
		{"lightdash catalog", "lightdash://sandbox/projects/" + ldProject + "/catalog?search=revenue", "lightdash-catalog",
			map[string]string{"connection": "sandbox", "projectUuid": ldProject, "search": "revenue"},
			"lightdash_get_catalog", map[string]any{"projectUuid": ldProject, "search": "revenue"}},
		{"lightdash field usage", "lightdash://sandbox/projects/p1/tables/fct_orders/fields/total_revenue/usage", "lightdash-field-usage",
			map[string]string{"connection": "sandbox", "projectUuid": "p1", "table": "fct_orders", "field": "total_revenue"},
			"lightdash_get_analytics_field", map[string]any{"projectUuid": "p1", "table": "fct_orders", "field": "total_revenue"}},
		{"posthog source", "posthog://us/projects/1/sources/0190f3c1", "posthog-source",
			map[string]string{"connection": "us", "project_id": "1", "source_id": "0190f3c1"},
			"posthog_get_external_data_source", map[string]any{"project_id": "1", "id": "0190f3c1"}},
		{"posthog schema", "posthog://us/projects/1/schemas/abc", "posthog-schema",
			map[string]string{"connection": "us", "project_id": "1", "schema_id": "abc"},
			"posthog_get_external_data_schema", map[string]any{"project_id": "1", "id": "abc"}},
		{"pdc data source", "pdc://sandbox/data-sources/6650a1f2", "pdc-data-source",
			map[string]string{"connection": "sandbox", "id": "6650a1f2"}, "pdc_get_data_source_by_id", map[string]any{"id": "6650a1f2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse(tc.uri)
			if err != nil {
				t.Fatalf("got error %v, want route %s", err, tc.route)
			}
			if p.route.name != tc.route {
				t.Errorf("route got %s, want %s", p.route.name, tc.route)
			}
			if !reflect.DeepEqual(p.vars, tc.vars) {
				t.Errorf("vars got %v, want %v", p.vars, tc.vars)
			}
			tool, args, err := p.route.tool(p.vars)
			if err != nil {
				t.Fatal(err)
			}
			if tool != tc.tool || !reflect.DeepEqual(args, tc.args) {
				t.Errorf("tool got %s %v, want %s %v", tool, args, tc.tool, tc.args)
			}
			// Building the URI back gives the same URI (query in sorted order).
			if got := p.route.URI(p.vars); got != tc.uri {
				t.Errorf("URI got %s, want %s", got, tc.uri)
			}
			// The URI matches the route's template, as mcp-go matches it.
			tpl := mcp.NewResourceTemplate(p.route.Template(), p.route.name)
			if !tpl.URITemplate.Regexp().MatchString(tc.uri) {
				t.Errorf("template %s got no match for %s, want one", p.route.Template(), tc.uri)
			}
		})
	}
}

// TestParseErrors checks URIs that name no resource.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, uri, want string
	}{
		{"unknown scheme", "looker://x/data-sources", "no resource"},
		{"no connection", "datafold:///data-sources", "want <provider>://<connection>/<path>"},
		{"unknown path", "datafold://prod/monitors", "no resource"},
		{"too deep", "datafold://prod/data-sources/1/summary/x", "no resource"},
		{"bad direction", "datafold://prod/lineage/1/tables/A.B.c/sideways", "direction must be downstream or upstream"},
		{"unknown query", "datafold://prod/lineage/1/tables/A.B.c/upstream?depth=2", `unknown query argument "depth"`},
		{"query on a route without", "datafold://prod/data-sources?x=1", `unknown query argument "x" (this resource takes none)`},
		{"fragment", "datafold://prod/data-sources#x", "want <provider>://<connection>/<path>"},
		{"empty variable", "datafold://prod/data-sources//summary", "no resource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.uri)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestToolArgErrors checks variables the tool behind a route refuses.
func TestToolArgErrors(t *testing.T) {
	cases := []struct {
		name, uri, want string
	}{
		{"data source not a number", "datafold://prod/data-sources/abc", "data_source_id must be a positive whole number"},
		{"data source zero", "datafold://prod/lineage/0/tables/A.B.c/upstream", "data_source_id must be a positive whole number"},
		{"max_depth too deep", "datafold://prod/lineage/1/tables/A.B.c/upstream?max_depth=100", "max_depth must be a whole number from 1 to 99"},
		{"include_tabular_nodes not a bool", "datafold://prod/lineage/1/columns/A.B.c.d/upstream?include_tabular_nodes=yes", "include_tabular_nodes must be true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse(tc.uri)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = p.route.tool(p.vars)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestTemplatesDisjoint: a concrete URI matches exactly one template, so
// mcp-go (which tries templates in map order) always finds the same one.
func TestTemplatesDisjoint(t *testing.T) {
	uris := []string{
		"datafold://c/data-sources", "datafold://c/data-sources/1", "datafold://c/data-sources/1/summary",
		"datafold://c/lineage/1/tables/A.B.c/downstream", "datafold://c/lineage/1/columns/A.B.c.d/upstream?max_depth=3",
		"datafold://c/bi-integrations", "lightdash://c/projects", "lightdash://c/projects/p/catalog",
		"lightdash://c/projects/p/tables/t", "lightdash://c/projects/p/tables/t/usage", "lightdash://c/projects/p/tables/t/fields/f/usage",
		"posthog://c/projects/1/sources", "posthog://c/projects/1/sources/s", "posthog://c/projects/1/schemas/s",
		"pdc://c/data-sources", "pdc://c/data-sources/x",
		"warehouse://c", "warehouse://c/main", "warehouse://c/main/orders",
		"dbt://p", "dbt://p/models/orders", "dbt://p/models/orders/columns/amount", "dbt://p/lineage/orders?direction=upstream",
	}
	if len(uris) != len(routes) {
		t.Fatalf("test covers %d URIs, want one per route (%d)", len(uris), len(routes))
	}
	for _, uri := range uris {
		var matched []string
		for _, r := range routes {
			if mcp.NewResourceTemplate(r.Template(), r.name).URITemplate.Regexp().MatchString(uri) {
				matched = append(matched, r.name)
			}
		}
		p, err := parse(uri)
		if err != nil {
			t.Errorf("%s: got %v, want a route", uri, err)
			continue
		}
		if len(matched) != 1 || matched[0] != p.route.name {
			t.Errorf("%s: templates matched %v, want only %s", uri, matched, p.route.name)
		}
	}
}

// TestEscapeSegment: a path with reserved characters survives a round trip.
func TestEscapeSegment(t *testing.T) {
	r := routeByTemplate("datafold://{connection}/lineage/{data_source_id}/columns/{column_path}/{direction}{?max_depth,include_tabular_nodes}")
	if r == nil {
		t.Fatal("no column lineage route")
	}
	for _, path := range []string{`db."my.schema"."visit id".c`, "db.s.t/x.c", "db.s.t.ç"} {
		v := map[string]string{"connection": "prod", "data_source_id": "1", "column_path": path, "direction": "downstream"}
		uri := r.URI(v)
		p, err := parse(uri)
		if err != nil {
			t.Errorf("%s: %v", uri, err)
			continue
		}
		if p.vars["column_path"] != path {
			t.Errorf("column_path got %q, want %q (uri %s)", p.vars["column_path"], path, uri)
		}
		if !mcp.NewResourceTemplate(r.Template(), r.name).URITemplate.Regexp().MatchString(uri) {
			t.Errorf("%s does not match its template", uri)
		}
	}
}
