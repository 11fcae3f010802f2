package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/stretchr/testify/require"
)

const (
	impactProject = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d401" // Jaffle Shop
	impactPreview = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d402" // its PR #42 preview
)

// impactConn is a connection to the sandbox.
type impactConn struct {
	provider, name string
	policy         tools.Policy
}

// impactSetup connects the given connections (default: one "sandbox"
// connection per provider, as --sandbox does) to a fresh sandbox and
// builds lineage_impact over them.
func impactSetup(t *testing.T, specs ...impactConn) (*tools.Tool, *tools.Deps) {
	t.Helper()
	if len(specs) == 0 {
		for _, p := range schemas.Providers {
			specs = append(specs, impactConn{provider: p, name: "sandbox"})
		}
	}
	sb, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	d := &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}}
	var conns []*tools.Connection
	enabled := map[string]bool{}
	for _, s := range specs {
		cfg := sb.ClientConfig(s.provider)
		cfg.Timeout, cfg.MaxRetries = 10*time.Second, -1
		c, err := client.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if d.Callers[s.provider] == nil {
			d.Callers[s.provider] = c
		}
		enabled[s.provider] = true
		conns = append(conns, &tools.Connection{Name: s.name, Provider: s.provider, Caller: c, Policy: s.policy})
	}
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	tool, err := Tool(conns, tools.ForProviders(all, enabled), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tool == nil {
		t.Fatal("LineageImpact got nil, want the tool")
	}
	return tool, d
}

// runImpact calls the tool and returns its answer, checked against the
// tool's output schema.
func runImpact(t *testing.T, tool *tools.Tool, d *tools.Deps, args map[string]any) *Impact {
	t.Helper()
	res := tool.Call(context.Background(), d, args)
	if res.IsError {
		t.Fatalf("lineage_impact %v: got error %s, want an answer", args, res.Text)
	}
	out, ok := res.Structured.(*Impact)
	if !ok {
		t.Fatalf("structuredContent got %T, want *Impact", res.Structured)
	}
	// The text is the same JSON, and it satisfies the output schema.
	var fromText map[string]any
	if err := json.Unmarshal([]byte(res.Text), &fromText); err != nil {
		t.Fatalf("text is not the JSON answer: %v", err)
	}
	if err := tool.CheckOutput(fromText); err != nil {
		t.Errorf("answer does not match the output schema: %v", err)
	}
	return out
}

// names returns "kind name" of the non-root nodes of one kind, sorted;
// Lightdash fields are table.field.
func impactNames(out *Impact, kind string) []string {
	list := []string{}
	for _, n := range out.Nodes {
		if n.Kind != kind || n.Root {
			continue
		}
		name := n.Name
		switch {
		case n.Kind == KindLightdashField:
			name = n.Table + "." + n.Name
		case n.Path != "":
			name = n.Path
		}
		if n.ProjectUUID == impactPreview {
			name += " (preview)"
		}
		list = append(list, name)
	}
	sort.Strings(list)
	return list
}

// impactTilesUnknown reports whether the answer says the dashboards
// showing some charts as tiles are not known (promoteDashboardDiff did not
// answer; the sandbox's projects have an upstream project, so it does).
func impactTilesUnknown(out *Impact) bool {
	return slices.ContainsFunc(out.Notes, func(n string) bool { return strings.Contains(n, "promoteDashboardDiff") })
}

func impactCounts(columns, tables, bi, explores, fields, charts, dashboards int) map[string]int {
	return map[string]int{"columns": columns, "tables": tables, "bi_integrations": bi, "lightdash_explores": explores,
		"lightdash_fields": fields, "lightdash_charts": charts, "lightdash_dashboards": dashboards}
}

// TestLineageImpactSandbox asserts exact cross-provider answers on the
// demo stack.
func TestLineageImpactSandbox(t *testing.T) {
	tool, d := impactSetup(t)
	// The dbt Cloud integration has no bindings (its documented
	// configuration names a CI config, not a data source), so a note names
	// it.
	bi := []string{"Looker (prod)"}
	cases := []struct {
		name     string
		args     map[string]any
		counts   map[string]int
		depth    int
		totals   ImpactTotals
		complete bool
		want     map[string][]string // kind -> names
		edges    []string            // some edges that must be there, "from -> to (relation)"
	}{
		{
			name:   "changing fct_orders.amount",
			args:   map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1},
			counts: impactCounts(1, 1, 1, 2, 6, 3, 2), depth: 1, totals: ImpactTotals{Columns: 1, Tables: 1}, complete: true,
			want: map[string][]string{
				KindColumn:             {"ANALYTICS.MARTS.dim_customers.lifetime_value"},
				KindTable:              {"ANALYTICS.MARTS.dim_customers"},
				KindBIIntegration:      bi,
				KindLightdashExplore:   {"dim_customers", "fct_orders"},
				KindLightdashField:     {"dim_customers.average_lifetime_value", "dim_customers.lifetime_value", "dim_customers.total_lifetime_value", "fct_orders.amount", "fct_orders.average_order_value", "fct_orders.total_revenue"},
				KindLightdashChart:     {"Customer lifetime value", "Large orders", "Revenue by month"},
				KindLightdashDashboard: {"Executive overview", "Marketing performance"},
			},
			edges: []string{
				"datafold:column:ANALYTICS.MARTS.fct_orders.amount -> datafold:column:ANALYTICS.MARTS.dim_customers.lifetime_value (feeds)",
				"datafold:table:ANALYTICS.MARTS.fct_orders -> datafold:table:ANALYTICS.MARTS.dim_customers (feeds)",
				"datafold:table:ANALYTICS.MARTS.dim_customers -> lightdash:explore:" + impactProject + "/fct_orders (joined_into)",
				"datafold:column:ANALYTICS.MARTS.fct_orders.amount -> lightdash:field:" + impactProject + "/fct_orders.total_revenue (read_by)",
				"lightdash:field:" + impactProject + "/fct_orders.total_revenue -> lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c01 (used_by)",
				"lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c01 -> lightdash:dashboard:6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e01 (on_dashboard)",
				// Customer lifetime value is saved in a space: both dashboards
				// showing it as a tile come from their promotion diffs.
				"lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c03 -> lightdash:dashboard:6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e01 (on_dashboard)",
				"lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c03 -> lightdash:dashboard:6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e02 (on_dashboard)",
				"datafold:column:ANALYTICS.MARTS.dim_customers.lifetime_value -> lightdash:field:" + impactProject + "/dim_customers.average_lifetime_value (read_by)",
			},
		},
		{
			name:   "changing RAW.payments.amount, whole lineage",
			args:   map[string]any{"column_path": "ANALYTICS.RAW.payments.amount", "data_source_id": 1},
			counts: impactCounts(7, 3, 1, 2, 14, 4, 2), depth: 3, totals: ImpactTotals{Columns: 7, Tables: 3}, complete: true,
			want: map[string][]string{
				KindTable:              {"ANALYTICS.MARTS.dim_customers", "ANALYTICS.MARTS.fct_orders", "ANALYTICS.STAGING.stg_payments"},
				KindLightdashChart:     {"Customer lifetime value", "Large orders", "Payment method mix", "Revenue by month"},
				KindLightdashDashboard: {"Executive overview", "Marketing performance"},
			},
		},
		{
			name:   "changing table fct_orders",
			args:   map[string]any{"table_path": "ANALYTICS.MARTS.fct_orders", "data_source_id": 1},
			counts: impactCounts(0, 1, 1, 2, 0, 7, 2), depth: 1, totals: ImpactTotals{Columns: 0, Tables: 1}, complete: true,
			want: map[string][]string{
				KindTable:              {"ANALYTICS.MARTS.dim_customers"},
				KindLightdashExplore:   {"dim_customers", "fct_orders"},
				KindLightdashChart:     {"Customer lifetime value", "Large orders", "New customers per week", "Orders by status", "Payment method mix", "Refund rate", "Revenue by month"},
				KindLightdashDashboard: {"Executive overview", "Marketing performance"},
			},
			edges: []string{"datafold:table:ANALYTICS.MARTS.fct_orders -> lightdash:chart:4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c07 (used_by)"},
		},
		{
			name:   "changing fct_orders.amount, preview projects too",
			args:   map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1, "include_preview_projects": true},
			counts: impactCounts(1, 1, 1, 4, 12, 4, 3), depth: 1, totals: ImpactTotals{Columns: 1, Tables: 1}, complete: true,
			want: map[string][]string{
				KindLightdashChart:     {"Customer lifetime value", "Large orders", "Revenue by month", "Revenue by month (preview)"},
				KindLightdashDashboard: {"Executive overview", "Executive overview (preview)", "Marketing performance"},
			},
		},
		{
			name:   "only the preview project, on the dev data source",
			args:   map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 2, "lightdash_projects": []any{impactPreview}},
			counts: impactCounts(1, 1, 0, 2, 6, 1, 1), depth: 1, totals: ImpactTotals{Columns: 1, Tables: 1}, complete: true,
			want: map[string][]string{
				KindLightdashChart:     {"Revenue by month (preview)"},
				KindLightdashDashboard: {"Executive overview (preview)"},
			},
		},
		{
			name:   "where fct_orders.amount comes from",
			args:   map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1, "direction": "upstream"},
			counts: impactCounts(2, 2, 0, 0, 0, 0, 0), depth: 2, totals: ImpactTotals{Columns: 2, Tables: 2}, complete: true,
			want: map[string][]string{
				KindColumn: {"ANALYTICS.RAW.payments.amount", "ANALYTICS.STAGING.stg_payments.amount"},
				KindTable:  {"ANALYTICS.RAW.payments", "ANALYTICS.STAGING.stg_payments"},
			},
			edges: []string{
				"datafold:column:ANALYTICS.RAW.payments.amount -> datafold:column:ANALYTICS.STAGING.stg_payments.amount (feeds)",
				"datafold:column:ANALYTICS.STAGING.stg_payments.amount -> datafold:column:ANALYTICS.MARTS.fct_orders.amount (feeds)",
			},
		},
		{
			name:   "upstream tables of dim_customers",
			args:   map[string]any{"table_path": "ANALYTICS.MARTS.dim_customers", "data_source_id": 1, "direction": "upstream"},
			counts: impactCounts(0, 7, 0, 0, 0, 0, 0), depth: 3, totals: ImpactTotals{Columns: 0, Tables: 7}, complete: true,
			want: map[string][]string{
				KindTable: {"ANALYTICS.MARTS.fct_orders", "ANALYTICS.RAW.customers", "ANALYTICS.RAW.orders", "ANALYTICS.RAW.payments", "ANALYTICS.STAGING.stg_customers", "ANALYTICS.STAGING.stg_orders", "ANALYTICS.STAGING.stg_payments"},
			},
			edges: []string{"datafold:table:ANALYTICS.RAW.payments -> datafold:table:ANALYTICS.STAGING.stg_payments (feeds)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := runImpact(t, tool, d, tc.args)
			if !reflect.DeepEqual(out.Counts, tc.counts) {
				t.Errorf("counts got %v, want %v", out.Counts, tc.counts)
			}
			if out.DepthReached != tc.depth {
				t.Errorf("depth_reached got %d, want %d", out.DepthReached, tc.depth)
			}
			if out.Totals != tc.totals {
				t.Errorf("totals got %+v, want %+v", out.Totals, tc.totals)
			}
			if out.Complete != tc.complete || out.Truncated || out.Continue != nil || len(out.Errors) > 0 {
				t.Errorf("complete/truncated/continue got %v/%v/%v, want %v/false/nil (errors %v)", out.Complete, out.Truncated, out.Continue, tc.complete, out.Errors)
			}
			if impactTilesUnknown(out) {
				t.Errorf("notes got %q, want none saying the dashboards of charts saved in spaces are not known", out.Notes)
			}
			for kind, want := range tc.want {
				if len(want) == 0 {
					continue
				}
				if got := impactNames(out, kind); !reflect.DeepEqual(got, want) {
					t.Errorf("%s got %q, want %q", kind, got, want)
				}
			}
			have := map[string]bool{}
			for _, e := range out.Edges {
				have[fmt.Sprintf("%s -> %s (%s)", e.From, e.To, e.Relation)] = true
				if out.nodeIndex(e.From) < 0 || out.nodeIndex(e.To) < 0 {
					t.Errorf("edge %v names a node not in the answer", e)
				}
			}
			for _, e := range tc.edges {
				if !have[e] {
					t.Errorf("edges lack %s", e)
				}
			}
			if !strings.Contains(out.Summary, "complete") {
				t.Errorf("summary got %q, want it to say the answer is complete", out.Summary)
			}
		})
	}
}

func (o *Impact) nodeIndex(id string) int {
	return slices.IndexFunc(o.Nodes, func(n ImpactNode) bool { return n.ID == id })
}

// TestLineageImpactBounds checks that a bound that bites says so, with the
// totals and how to continue, and that following the advice completes it.
func TestLineageImpactBounds(t *testing.T) {
	tool, d := impactSetup(t)
	root := "ANALYTICS.RAW.payments.amount"
	cases := []struct {
		name     string
		args     map[string]any
		nodes    int // len(nodes), -1 for any
		columns  int
		tables   int
		reason   string // "" when the answer must be complete
		frontier []string
		nextArgs map[string]any
		hintHas  string
		depth    int
	}{
		{
			name: "max_depth 1 stops after stg_payments",
			args: map[string]any{"column_path": root, "data_source_id": 1, "max_depth": 1},
			// roots (2) + stg_payments table and column + 1 BI integration
			nodes: 5, columns: 1, tables: 1, depth: 1, reason: "max_depth 1",
			frontier: []string{"datafold:column:ANALYTICS.STAGING.stg_payments.amount"},
			nextArgs: map[string]any{"column_path": root, "data_source_id": 1, "direction": "downstream", "max_depth": 2, "max_nodes": 100},
			hintHas:  "max_depth 2",
		},
		{
			name:  "max_depth 2 reaches fct_orders but not dim_customers",
			args:  map[string]any{"column_path": root, "data_source_id": 1, "max_depth": 2},
			nodes: -1, columns: 6, tables: 2, depth: 2, reason: "max_depth 2",
			frontier: []string{
				"datafold:column:ANALYTICS.MARTS.fct_orders.credit_card_amount", "datafold:column:ANALYTICS.MARTS.fct_orders.coupon_amount",
				"datafold:column:ANALYTICS.MARTS.fct_orders.bank_transfer_amount", "datafold:column:ANALYTICS.MARTS.fct_orders.gift_card_amount",
				"datafold:column:ANALYTICS.MARTS.fct_orders.amount",
			},
			nextArgs: map[string]any{"column_path": root, "data_source_id": 1, "direction": "downstream", "max_depth": 4, "max_nodes": 100},
			hintHas:  "max_depth 4",
		},
		{
			name:  "max_nodes 10 fills up in the warehouse",
			args:  map[string]any{"column_path": root, "data_source_id": 1, "max_nodes": 10},
			nodes: 10, columns: 6, tables: 2, depth: 2, reason: "max_nodes 10",
			// fct_orders.amount's neighbour (dim_customers) did not fit.
			frontier: []string{"datafold:column:ANALYTICS.MARTS.fct_orders.amount"},
			nextArgs: map[string]any{"column_path": root, "data_source_id": 1, "direction": "downstream", "max_depth": 5, "max_nodes": 500},
			hintHas:  "max_nodes 500",
		},
		{
			name:  "max_nodes 20 fills up in Lightdash",
			args:  map[string]any{"column_path": root, "data_source_id": 1, "max_nodes": 20},
			nodes: 20, columns: 7, tables: 3, depth: 3, reason: "max_nodes 20",
			nextArgs: map[string]any{"column_path": root, "data_source_id": 1, "direction": "downstream", "max_depth": 5, "max_nodes": 500},
			hintHas:  "max_nodes 500",
		},
		{
			name:  "max_depth 20 and max_nodes 500 get everything",
			args:  map[string]any{"column_path": root, "data_source_id": 1, "max_depth": 20, "max_nodes": 500},
			nodes: -1, columns: 7, tables: 3, depth: 3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := runImpact(t, tool, d, tc.args)
			if tc.nodes >= 0 && len(out.Nodes) != tc.nodes {
				t.Errorf("nodes got %d, want %d", len(out.Nodes), tc.nodes)
			}
			if out.Counts["columns"] != tc.columns || out.Counts["tables"] != tc.tables {
				t.Errorf("columns/tables got %d/%d, want %d/%d", out.Counts["columns"], out.Counts["tables"], tc.columns, tc.tables)
			}
			if out.DepthReached != tc.depth {
				t.Errorf("depth_reached got %d, want %d", out.DepthReached, tc.depth)
			}
			if want := (ImpactTotals{Columns: 7, Tables: 3}); out.Totals != want {
				t.Errorf("totals got %+v, want %+v", out.Totals, want)
			}
			if tc.reason == "" {
				if out.Truncated || !out.Complete || len(out.Errors) > 0 || out.Continue != nil {
					t.Errorf("truncated/complete got %v/%v (continue %+v), want false/true (errors %q)", out.Truncated, out.Complete, out.Continue, out.Errors)
				}
				return
			}
			if !out.Truncated || out.Complete || out.Continue == nil {
				t.Fatalf("truncated/complete got %v/%v, want true/false", out.Truncated, out.Complete)
			}
			if len(out.Continue.Reasons) != 1 || !strings.HasPrefix(out.Continue.Reasons[0], tc.reason) {
				t.Errorf("reasons got %q, want one starting %q", out.Continue.Reasons, tc.reason)
			}
			if tc.frontier != nil && !reflect.DeepEqual(out.Continue.Frontier, tc.frontier) {
				t.Errorf("frontier got %q, want %q", out.Continue.Frontier, tc.frontier)
			}
			if !reflect.DeepEqual(out.Continue.NextArguments, tc.nextArgs) {
				t.Errorf("next_arguments got %v, want %v", out.Continue.NextArguments, tc.nextArgs)
			}
			if !strings.Contains(out.Continue.Hint, tc.hintHas) || !strings.Contains(out.Summary, "truncated") {
				t.Errorf("hint %q / summary %q: want %q and the word truncated", out.Continue.Hint, out.Summary, tc.hintHas)
			}
			// Following next_arguments gets more, until complete.
			next := runImpact(t, tool, d, out.Continue.NextArguments)
			if len(next.Nodes) <= len(out.Nodes) {
				t.Errorf("next_arguments got %d nodes, want more than %d", len(next.Nodes), len(out.Nodes))
			}
		})
	}
}

// TestLineageImpactErrors checks the answers a caller must fix.
func TestLineageImpactErrors(t *testing.T) {
	tool, d := impactSetup(t)
	cases := []struct {
		name string
		args map[string]any
		want string
	}{
		{"neither path", map[string]any{"data_source_id": 1}, "give exactly one of column_path"},
		{"both paths", map[string]any{"data_source_id": 1, "column_path": "A.B.c.d", "table_path": "A.B.c"}, "give exactly one of column_path"},
		{"no data source", map[string]any{"column_path": "A.B.c.d"}, "data_source_id (the Datafold data source whose lineage to walk) is required"},
		{"unknown column", map[string]any{"data_source_id": 1, "column_path": "ANALYTICS.MARTS.fct_orders.nope"}, "404"},
		{"unknown data source", map[string]any{"data_source_id": 42, "table_path": "ANALYTICS.MARTS.fct_orders"}, "404"},
		{"column path too short", map[string]any{"data_source_id": 1, "column_path": "amount"}, "not a valid path"},
		{"bad direction", map[string]any{"data_source_id": 1, "table_path": "ANALYTICS.MARTS.fct_orders", "direction": "sideways"}, "direction"},
		{"connection with one connection", map[string]any{"data_source_id": 1, "table_path": "ANALYTICS.MARTS.fct_orders", "connection": "sandbox"}, `unknown argument "connection"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tool.Call(context.Background(), d, tc.args)
			if !res.IsError {
				t.Fatalf("got a result, want an error containing %q", tc.want)
			}
			if got := res.Text; !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestLineageImpactConnections: with several Datafold connections the tool
// takes a required connection; connection policies apply to its calls.
func TestLineageImpactConnections(t *testing.T) {
	tool, d := impactSetup(t,
		impactConn{provider: schemas.Datafold, name: "prod"},
		impactConn{provider: schemas.Datafold, name: "dev", policy: tools.Policy{Exclude: []string{"datafold_list_bi_integrations"}}},
		impactConn{provider: schemas.Lightdash, name: "sandbox", policy: tools.Policy{Exclude: []string{"lightdash_get_analytics_field"}}},
	)
	props, required := schemaOf(t, tool)
	conn, _ := props[tools.ConnectionArg].(map[string]any)
	if got, want := fmt.Sprint(conn["enum"]), "[prod dev]"; got != want {
		t.Errorf("connection enum got %s, want %s", got, want)
	}
	if !slices.Contains(required, tools.ConnectionArg) {
		t.Errorf("required got %v, want it to include connection", required)
	}
	base := map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1}
	cases := []struct {
		name       string
		connection any
		wantErr    string
		bi         int
		charts     int
		errorsHave string
	}{
		{name: "no connection", wantErr: "missing property 'connection'"},
		{name: "unknown connection", connection: "staging", wantErr: "value must be one of 'prod', 'dev'"},
		{name: "prod", connection: "prod", bi: 1, errorsHave: "lightdash_get_analytics_field"},
		{name: "dev, without BI integrations", connection: "dev", bi: 0, errorsHave: "datafold_list_bi_integrations"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := map[string]any{}
			for k, v := range base {
				args[k] = v
			}
			if tc.connection != nil {
				args[tools.ConnectionArg] = tc.connection
			}
			if tc.wantErr != "" {
				res := tool.Call(context.Background(), d, args)
				if !res.IsError || !strings.Contains(res.Text, tc.wantErr) {
					t.Fatalf("got %q (isError %v), want an error containing %q", res.Text, res.IsError, tc.wantErr)
				}
				return
			}
			out := runImpact(t, tool, d, args)
			if out.Root.Connection != tc.connection {
				t.Errorf("root connection got %q, want %q", out.Root.Connection, tc.connection)
			}
			if out.Counts["bi_integrations"] != tc.bi || out.Counts["lightdash_charts"] != tc.charts {
				t.Errorf("bi/charts got %d/%d, want %d/%d", out.Counts["bi_integrations"], out.Counts["lightdash_charts"], tc.bi, tc.charts)
			}
			if out.Complete || !strings.Contains(strings.Join(out.Errors, " "), tc.errorsHave) {
				t.Errorf("complete %v, errors %q: want incomplete with an error naming %s", out.Complete, out.Errors, tc.errorsHave)
			}
		})
	}
}

// TestLineageImpactAbsent: no Datafold connection, no tool.
func TestLineageImpactAbsent(t *testing.T) {
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		conns []*tools.Connection
	}{
		{"no connections", nil},
		{"Lightdash only", []*tools.Connection{{Name: "x", Provider: schemas.Lightdash}}},
		{"Datafold without lineage", []*tools.Connection{{Name: "x", Provider: schemas.Datafold, Policy: tools.Policy{Toolsets: []string{"datafold-data-diffs"}}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool, err := Tool(tc.conns, all, Options{})
			if err != nil || tool != nil {
				t.Errorf("got %v, %v; want nil, nil", tool, err)
			}
		})
	}
}

// TestLineageImpactTool checks the tool's self-description.
func TestLineageImpactTool(t *testing.T) {
	tool, _ := impactSetup(t)
	want := tools.Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: true}
	if tool.Annotations != want {
		t.Errorf("annotations got %+v, want %+v", tool.Annotations, want)
	}
	if tool.Name != Name || tool.Provider != tools.DiscoveryProvider || tool.Toolset != "lineage" || tool.Operation != "" {
		t.Errorf("name/provider/toolset/operation got %s/%s/%s/%q, want lineage_impact/datastack/lineage/\"\"", tool.Name, tool.Provider, tool.Toolset, tool.Operation)
	}
	var schema map[string]any
	if err := json.Unmarshal(tool.OutputSchema, &schema); err != nil || schema["type"] != "object" {
		t.Fatalf("outputSchema got %s, want an object schema", tool.OutputSchema)
	}
	props, _ := schema["properties"].(map[string]any)
	for _, k := range []string{"nodes", "edges", "counts", "depth_reached", "complete", "truncated", "totals", "continue"} {
		if props[k] == nil {
			t.Errorf("outputSchema lacks %s", k)
		}
	}
	inProps, _ := schemaOf(t, tool)
	if inProps[tools.ConnectionArg] != nil {
		t.Error("with one Datafold connection the schema got a connection argument, want none")
	}
}

// TestFieldsReading checks the Lightdash SQL forms that read a column.
func TestImpactFieldsReading(t *testing.T) {
	tbl := impactLDTable{
		Dimensions: map[string]impactLDField{
			"amount":          {Name: "amount", SQL: "${TABLE}.amount"},
			"amount_usd":      {Name: "amount_usd", SQL: "${amount} / 100"},
			"quoted":          {Name: "quoted", SQL: `${TABLE}."AMOUNT"`},
			"status":          {Name: "status", SQL: "${TABLE}.status"},
			"order_date":      {Name: "order_date", SQL: "${TABLE}.amount_date"},
			"amount_day":      {Name: "amount_day", SQL: "${TABLE}.amount", TimeIntervalBaseDimensionName: "amount"},
			"other_table_ref": {Name: "other_table_ref", SQL: "${dim_customers.amount}"},
		},
		Metrics: map[string]impactLDField{
			"total":      {Name: "total", SQL: "${TABLE}.amount"},
			"via_dim":    {Name: "via_dim", SQL: "${fct_orders.amount_usd}"},
			"count":      {Name: "count", SQL: "${TABLE}.order_id"},
			"status_mix": {Name: "status_mix", SQL: "${status}"},
		},
	}
	var got []string
	for _, f := range impactFieldsReading("fct_orders", tbl, []string{"amount"}) {
		got = append(got, f.fieldType+" "+f.name+" "+strings.Join(f.columns, ","))
	}
	want := []string{"dimension amount amount", "dimension amount_usd amount", "dimension quoted amount", "metric total amount", "metric via_dim amount"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestPaths checks warehouse path splitting and joining.
func TestImpactPaths(t *testing.T) {
	cases := []struct {
		name, in string
		parts    []string
		joined   string
	}{
		{"plain", "ANALYTICS.MARTS.fct_orders.amount", []string{"ANALYTICS", "MARTS", "fct_orders", "amount"}, "ANALYTICS.MARTS.fct_orders.amount"},
		{"quoted dot", `db."my.schema".t`, []string{"db", "my.schema", "t"}, `db."my.schema".t`},
		{"quoted quote", `db."a""b".t`, []string{"db", `a"b`, "t"}, `db."a""b".t`},
		{"quoted plain part", `ANALYTICS."MARTS".t`, []string{"ANALYTICS", "MARTS", "t"}, "ANALYTICS.MARTS.t"},
		{"empty part", "a..b", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := client.SplitTablePath(tc.in)
			if !reflect.DeepEqual(got, tc.parts) {
				t.Errorf("SplitPath got %q, want %q", got, tc.parts)
			}
			if got != nil {
				if j := client.JoinTablePath(got); j != tc.joined {
					t.Errorf("JoinPath got %q, want %q", j, tc.joined)
				}
			}
		})
	}
}

// TestLineageImpactRequestPolicy: a request whose headers hide the lineage
// tools cannot reach them through lineage_impact either.
func TestLineageImpactRequestPolicy(t *testing.T) {
	tool, d := impactSetup(t)
	cases := []struct {
		name    string
		policy  tools.Policy
		wantErr string
		charts  int
	}{
		{"no headers", tools.Policy{}, "", 3},
		{"lineage and Datafold only", tools.Policy{Toolsets: []string{"lineage", "datafold"}}, "", 0},
		{"lineage only", tools.Policy{Toolsets: []string{"lineage"}}, "does not allow datafold_get_column_downstreams", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tools.WithRequestPolicy(context.Background(), tc.policy)
			res := tool.Call(ctx, d, map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1})
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(res.Text, tc.wantErr) {
					t.Errorf("got %q, want an error containing %q", res.Text, tc.wantErr)
				}
				return
			}
			if res.IsError {
				t.Fatal(res.Text)
			}
			out := res.Structured.(*Impact)
			if out.Counts["lightdash_charts"] != tc.charts {
				t.Errorf("charts got %d, want %d", out.Counts["lightdash_charts"], tc.charts)
			}
			if hidden := tc.policy.Toolsets != nil; hidden == (len(out.Errors) == 0) {
				t.Errorf("errors got %q, want some: %v", out.Errors, hidden)
			}
		})
	}
}

// schemaOf returns the properties and required arguments of a tool's
// input schema.
func schemaOf(t *testing.T, tool *tools.Tool) (props map[string]any, required []string) {
	t.Helper()
	var s struct {
		Properties map[string]any `json:"properties"`
		Required   []string       `json:"required"`
	}
	require.NoError(t, json.Unmarshal(tool.InputSchema, &s))
	return s.Properties, s.Required
}

// TestImpactTableParts: Datafold's "Table path" with or without the table.
func TestImpactTableParts(t *testing.T) {
	cases := []struct {
		name  string
		path  []string
		table string
		want  int
		got   []string
	}{
		{"whole path", []string{"DB", "S", "orders"}, "orders", 3, []string{"DB", "S", "orders"}},
		{"path without the table", []string{"DB", "S"}, "orders", 3, []string{"DB", "S", "orders"}},
		{"schema named like the table, whole", []string{"DB", "orders", "orders"}, "orders", 3, []string{"DB", "orders", "orders"}},
		{"schema named like the table, without it", []string{"DB", "orders"}, "orders", 3, []string{"DB", "orders", "orders"}},
		{"root length unknown, ends in the name", []string{"DB", "S", "orders"}, "ORDERS", 0, []string{"DB", "S", "orders"}},
		{"root length unknown, lacks the name", []string{"DB", "S"}, "orders", 0, []string{"DB", "S", "orders"}},
		{"no path", nil, "orders", 3, []string{"orders"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.got, impactTableParts(tc.path, tc.table, tc.want))
		})
	}
}

// TestLineageImpactLookupBound: a call that needs more Lightdash lookups
// than the bound says so (truncated, the reason and what to do), with the
// lookups it made counted.
func TestLineageImpactLookupBound(t *testing.T) {
	tool, d := impactSetup(t)
	defer func(n int) { impactMaxLookups = n }(impactMaxLookups)
	impactMaxLookups = 3
	out := runImpact(t, tool, d, map[string]any{"column_path": "ANALYTICS.MARTS.fct_orders.amount", "data_source_id": 1})
	require.True(t, out.Truncated, "truncated")
	require.False(t, out.Complete)
	require.NotNil(t, out.Continue)
	require.Contains(t, strings.Join(out.Continue.Reasons, " "), "lookups 3")
	require.Contains(t, out.Continue.Hint, "lightdash_projects")
	require.Contains(t, out.Summary, "truncated")
}
