package tools

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPolicyAllows(t *testing.T) {
	get := &Tool{Name: "datafold_list_monitors", Provider: "datafold", Toolset: "datafold-monitors", Annotations: Annotations{ReadOnly: true}}
	del := &Tool{Name: "lightdash_delete_space", Provider: "lightdash", Toolset: "lightdash-spaces", Annotations: Annotations{Destructive: true}}
	cases := []struct {
		name    string
		policy  Policy
		tool    *Tool
		allowed bool
	}{
		{"zero policy allows all", Policy{}, del, true},
		{"provider toolset", Policy{Toolsets: []string{"datafold"}}, get, true},
		{"other provider", Policy{Toolsets: []string{"datafold"}}, del, false},
		{"toolset by tag", Policy{Toolsets: []string{"lightdash-spaces"}}, del, true},
		{"allowlist wins over toolsets", Policy{Toolsets: []string{"lightdash"}, Tools: []string{"datafold_list_monitors"}}, del, false},
		{"allowlist names the tool", Policy{Toolsets: []string{"lightdash"}, Tools: []string{"datafold_list_monitors"}}, get, true},
		{"exclude wins over allowlist", Policy{Tools: []string{"datafold_list_monitors"}, Exclude: []string{"datafold_list_monitors"}}, get, false},
		{"read-only beats allowlist", Policy{Tools: []string{"lightdash_delete_space"}, ReadOnly: true}, del, false},
		{"read-only keeps reads", Policy{ReadOnly: true}, get, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.policy.Allows(tc.tool); got != tc.allowed {
				t.Errorf("Allows(%s) got %v, want %v", tc.tool.Name, got, tc.allowed)
			}
		})
	}
}

// TestPolicyNarrows: names compare ignoring case, and a policy made with
// And allows a tool only when every part does.
func TestPolicyNarrows(t *testing.T) {
	monitor := &Tool{Name: "datafold_list_monitors", Provider: "datafold", Toolset: "datafold-monitors", Annotations: Annotations{ReadOnly: true}}
	diff := &Tool{Name: "datafold_cancel_data_diff", Provider: "datafold", Toolset: "datafold-data-diffs"}
	space := &Tool{Name: "lightdash_get_space", Provider: "lightdash", Toolset: "lightdash-spaces", Annotations: Annotations{ReadOnly: true}}
	all := []*Tool{monitor, diff, space}
	cases := []struct {
		name   string
		policy Policy
		want   []string
	}{
		{"tool names ignore case", Policy{Tools: []string{"DATAFOLD_List_Monitors"}}, []string{"datafold_list_monitors"}},
		{"toolset names ignore case", Policy{Toolsets: []string{"Lightdash"}}, []string{"lightdash_get_space"}},
		{"exclude ignores case", Policy{Exclude: []string{"Datafold_Cancel_Data_Diff", "LIGHTDASH_GET_SPACE"}}, []string{"datafold_list_monitors"}},
		{"allowlists intersect", Policy{Tools: []string{"datafold_list_monitors", "lightdash_get_space"}}.And(Policy{Tools: []string{"lightdash_get_space", "datafold_cancel_data_diff"}}), []string{"lightdash_get_space"}},
		{"disjoint allowlists allow nothing", Policy{Tools: []string{"datafold_list_monitors"}}.And(Policy{Tools: []string{"lightdash_get_space"}}), nil},
		{"toolsets intersect by what they hold", Policy{Toolsets: []string{"datafold"}}.And(Policy{Toolsets: []string{"datafold-data-diffs", "lightdash"}}), []string{"datafold_cancel_data_diff"}},
		{"allowlist and toolsets intersect", Policy{Tools: []string{"datafold_list_monitors", "lightdash_get_space"}}.And(Policy{Toolsets: []string{"lightdash"}}), []string{"lightdash_get_space"}},
		{"read-only in either part", Policy{Toolsets: []string{"datafold"}}.And(Policy{ReadOnly: true}), []string{"datafold_list_monitors"}},
		{"exclude in either part", Policy{Exclude: []string{"lightdash_get_space"}}.And(Policy{Exclude: []string{"datafold_list_monitors"}}), []string{"datafold_cancel_data_diff"}},
		{"and with zero is the same", Policy{}.And(Policy{}), []string{"datafold_list_monitors", "datafold_cancel_data_diff", "lightdash_get_space"}},
		{"deny all", DenyAll(), nil},
		{"deny all within", Policy{ReadOnly: true}.And(DenyAll()), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tool := range tc.policy.Filter(all) {
				got = append(got, tool.Name)
			}
			assert.Equal(t, tc.want, got, "allowed tools")
		})
	}
	assert.False(t, DenyAll().IsZero(), "DenyAll().IsZero(): got true, want false")
	assert.True(t, Policy{}.And(Policy{}).IsZero(), "zero And zero: got not zero, want zero")
	assert.NoError(t, Policy{Tools: []string{"DATAFOLD_LIST_MONITORS"}}.And(Policy{Toolsets: []string{"Datafold-Monitors"}}).Check(all), "Check ignores case")
	err := Policy{}.And(Policy{Exclude: []string{strings.Repeat("x", 1<<20)}}).Check(all)
	require.Error(t, err, "Check of an unknown name within")
	assert.Less(t, len(err.Error()), 1000, "Check's error quotes a 1 MB name whole")
}

func TestPolicyCheck(t *testing.T) {
	all := mustAll(t)
	cases := []struct {
		name    string
		policy  Policy
		wantErr string
	}{
		{"known names", Policy{Toolsets: []string{"datafold", "lightdash-catalog"}, Tools: []string{"pdc_get_data_source_by_id"}}, ""},
		{"typo in toolset", Policy{Toolsets: []string{"datafolds"}}, `toolset "datafolds"`},
		{"typo in exclude", Policy{Exclude: []string{"datafold_delete_everything"}}, `tool "datafold_delete_everything"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Check(all)
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error naming %s", err, tc.wantErr)
			}
		})
	}
}

// TestReadOnlyHidesEveryWrite: --read-only (and a read-only connection)
// offers exactly the tools whose effect is a read, whatever their method:
// POST searches stay, a GET that starts a resync goes.
func TestReadOnlyHidesEveryWrite(t *testing.T) {
	all := mustAll(t)
	offered := map[string]bool{}
	for _, tool := range (Policy{ReadOnly: true}).Filter(all) {
		offered[tool.Name] = true
		assert.True(t, readsOnly(tool.Name, tool.Method), "read-only offers %s (%s), which writes", tool.Name, tool.Method)
		assert.Empty(t, ConfirmReason(tool), "read-only offers %s, which confirms", tool.Name)
	}
	conn := &Connection{Name: "ro", Provider: "datafold", Policy: Policy{ReadOnly: true}}
	bound, err := Bind(ForProviders(all, map[string]bool{"datafold": true, "pdc": true, "lightdash": true}), []*Connection{
		conn, {Name: "ro", Provider: "pdc", Policy: Policy{ReadOnly: true}}, {Name: "ro", Provider: "lightdash", Policy: Policy{ReadOnly: true}},
	})
	require.NoError(t, err)
	onConn := map[string]bool{}
	for _, tool := range bound {
		onConn[tool.Name] = true
	}
	for _, tc := range []struct {
		name    string
		offered bool
	}{
		{"datafold_sync_bi_integration", false},
		{"datafold_get_bi_integration", true},
		{"pdc_filter_data_sources", true},
		{"pdc_get_data_sources_by_ids", true},
		{"lightdash_compile_query", true},
		{"lightdash_calculate_total_from_query", true},
		{"lightdash_execute_metric_query", true},
		{"lightdash_get_query_results", true},
		{"lightdash_update_space", false},
		{"pdc_create_data_sources", false},
	} {
		assert.Equal(t, tc.offered, offered[tc.name], "--read-only offers %s", tc.name)
		assert.Equal(t, tc.offered, onConn[tc.name], "a read-only connection offers %s", tc.name)
	}
}

func TestSearchRanking(t *testing.T) {
	all := mustAll(t)
	ix := newIndex(all)
	cases := []struct {
		query string
		want  string
	}{
		{"diff prod and dev orders", "datafold_create_data_diff"},
		{"what depends on this column", "datafold_get_column_downstreams"},
		{"list warehouse sources in posthog", "posthog_list_external_data_sources"},
		{"run SQL on a Lightdash project", "lightdash_run_sql_query"},
		{"monitor runs", "datafold_list_monitor_runs"},
		{"pentaho data source by id", "pdc_get_data_source_by_id"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			hits := ix.search(tc.query, 3)
			var names []string
			for _, h := range hits {
				names = append(names, h.tool.Name)
			}
			if !contains(names, tc.want) {
				t.Errorf("top 3 got %v, want %s among them", names, tc.want)
			}
		})
	}
}

func TestDiscoveryTools(t *testing.T) {
	all := mustAll(t)
	disc, err := DiscoveryTools(all)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*Tool{}
	for _, d := range disc {
		byName[d.Name] = d
	}
	f := newFake(t)
	f.Register("GET", "/api/v1/monitors/201", 200, `{"id":201,"name":"orders freshness"}`)
	deps := depsWith(t, "datafold", f)
	ctx := context.Background()

	res := byName["search_tools"].Call(ctx, deps, map[string]any{"query": "compare prod and dev tables", "limit": 3})
	if res.IsError || !strings.Contains(Text(res), "datafold_create_data_diff") {
		t.Errorf("search_tools got %s, want datafold_create_data_diff listed", Text(res))
	}
	res = byName["describe_tool"].Call(ctx, deps, map[string]any{"name": "datafold_get_monitor"})
	if res.IsError || !strings.Contains(Text(res), `"inputSchema"`) {
		t.Errorf("describe_tool got %s, want the input schema", Text(res))
	}
	res = byName["describe_tool"].Call(ctx, deps, map[string]any{"name": "datafold_get_monitr"})
	if !res.IsError || !strings.Contains(Text(res), "datafold_get_monitor") {
		t.Errorf("describe_tool of a typo got %s, want an error suggesting datafold_get_monitor", Text(res))
	}
	res = byName["call_tool"].Call(ctx, deps, map[string]any{"name": "datafold_get_monitor", "arguments": map[string]any{"id": "x"}})
	if !res.IsError || !strings.Contains(Text(res), `argument "id"`) {
		t.Errorf("call_tool with a bad argument got %s, want the direct tool's validation error", Text(res))
	}
	res = byName["call_tool"].Call(ctx, deps, map[string]any{"name": "datafold_get_monitor", "arguments": map[string]any{"id": 201}})
	if res.IsError || !strings.Contains(Text(res), "orders freshness") {
		t.Errorf("call_tool got %s, want the monitor", Text(res))
	}
	narrowed := WithRequestPolicy(ctx, Policy{Toolsets: []string{"lightdash"}})
	res = byName["call_tool"].Call(narrowed, deps, map[string]any{"name": "datafold_get_monitor", "arguments": map[string]any{"id": 201}})
	if !res.IsError {
		t.Errorf("call_tool of a tool the request's policy hides got %s, want an error", Text(res))
	}
	res = byName["search_tools"].Call(narrowed, deps, map[string]any{"query": "monitor"})
	if strings.Contains(Text(res), "datafold_") {
		t.Errorf("search_tools under a lightdash-only policy got %s, want no datafold tools", Text(res))
	}
}
