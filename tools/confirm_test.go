package tools

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
)

type upstreamRegistry = upstreamtest.Registry

// TestConfirmingTools pins which tools ask for confirmation, and why, so a
// change to the rule, to the effects table or to the tool surface is a
// deliberate one.
func TestConfirmingTools(t *testing.T) {
	want := map[string]string{
		"datafold_cancel_data_diff":                   "cancels a running job",
		"datafold_create_data_test_monitor":           "creates or runs a monitor",
		"datafold_create_diff_monitor":                "creates or runs a monitor",
		"datafold_create_metric_monitor":              "creates or runs a monitor",
		"datafold_create_schema_monitor":              "creates or runs a monitor",
		"datafold_run_sql_query":                      "runs SQL that is not a plain read-only query",
		"datafold_start_monitor_run":                  "creates or runs a monitor",
		"datafold_sync_bi_integration":                "triggers a sync",
		"datafold_trigger_ci_run":                     "triggers a CI run",
		"datafold_upload_ci_pr_changes":               "triggers a CI run",
		"lightdash_add_space_group_access":            "changes access",
		"lightdash_add_space_user_access":             "changes access",
		"lightdash_delete_comment":                    "deletes",
		"lightdash_delete_me":                         "deletes",
		"lightdash_delete_my_organization":            "deletes",
		"lightdash_delete_organization_member":        "deletes",
		"lightdash_delete_space":                      "deletes",
		"lightdash_delete_validation_dismiss":         "deletes",
		"lightdash_delete_warehouse_credentials":      "deletes",
		"lightdash_grant_project_access_to_user":      "changes access",
		"lightdash_join_organization":                 "changes access",
		"lightdash_revoke_group_space_access":         "changes access",
		"lightdash_revoke_project_access_for_user":    "changes access",
		"lightdash_revoke_space_access_for_user":      "changes access",
		"lightdash_run_sql_query":                     "runs SQL that is not a plain read-only query",
		"lightdash_update_organization_email_domains": "changes access",
		"lightdash_update_organization_member":        "changes access",
		"lightdash_update_project_access_for_user":    "changes access",
		"lightdash_update_space":                      "changes access",
		"posthog_cancel_external_data_schema_sync":    "cancels a running job",
		"posthog_delete_external_data_schema":         "deletes",
		"posthog_delete_external_data_schema_data":    "deletes",
		"posthog_delete_external_data_source":         "deletes",
		"posthog_delete_external_data_source_webhook": "deletes",
		"posthog_reload_external_data_schema":         "triggers a sync",
		"posthog_resync_external_data_schema":         "triggers a sync",
	}
	all := mustAll(t)
	got := map[string]string{}
	for _, c := range ConfirmingTools(all) {
		got[c.Name] = c.Reason
	}
	assert.Equal(t, want, got, "confirming tools and their reasons")
	for _, tool := range all {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		for _, raw := range []json.RawMessage{tool.InputSchema, tool.FullSchema()} {
			require.NoError(t, json.Unmarshal(raw, &s))
			_, has := s.Properties[ConfirmArg]
			assert.Equal(t, ConfirmReason(tool) != "", has, "%s: schema has confirm: got %v", tool.Name, has)
		}
		if tool.Method == "DELETE" {
			assert.NotEmpty(t, ConfirmReason(tool), "%s is a DELETE: got no confirmation, want one", tool.Name)
		}
		if tool.Annotations.ReadOnly {
			assert.Empty(t, ConfirmReason(tool), "%s is read-only: got a confirmation, want none", tool.Name)
		}
	}
}

// TestReadOnlyTools pins the generated tools whose readOnlyHint is true:
// those --read-only and read-only connections offer. A new operation that
// is not a GET is never among them until it is added to effects.
func TestReadOnlyTools(t *testing.T) {
	want := []string{
		"datafold_get_bi_integration", "datafold_get_column_downstreams", "datafold_get_column_upstreams",
		"datafold_get_data_diff", "datafold_get_data_diff_summary", "datafold_get_data_diff_summary_results",
		"datafold_get_data_source", "datafold_get_data_source_summary", "datafold_get_data_source_test_result",
		"datafold_get_monitor", "datafold_get_monitor_run", "datafold_get_org_spend",
		"datafold_get_table_downstreams", "datafold_get_table_upstreams", "datafold_list_audit_logs",
		"datafold_list_bi_integrations", "datafold_list_ci_runs", "datafold_list_data_diffs",
		"datafold_list_data_source_types", "datafold_list_data_sources", "datafold_list_monitor_runs",
		"datafold_list_monitors",

		"lightdash_calculate_total_from_query", "lightdash_compile_query", "lightdash_execute_metric_query",
		"lightdash_get_access_token", "lightdash_get_analytics", "lightdash_get_analytics_field",
		"lightdash_get_authenticated_user", "lightdash_get_catalog", "lightdash_get_comments",
		"lightdash_get_custom_metrics", "lightdash_get_email_verification_status", "lightdash_get_explore",
		"lightdash_get_explores", "lightdash_get_gsheet_export_status", "lightdash_get_latest_validation_results",
		"lightdash_get_login_options", "lightdash_get_metadata", "lightdash_get_my_organization",
		"lightdash_get_organization_member_by_uuid", "lightdash_get_project", "lightdash_get_project_access_list",
		"lightdash_get_project_group_accesses", "lightdash_get_project_member_access", "lightdash_get_query_results",
		"lightdash_get_space", "lightdash_get_user_warehouse_credentials_preference", "lightdash_get_warehouse_credentials",
		"lightdash_list_chart_summaries_in_project", "lightdash_list_charts_in_project", "lightdash_list_groups_in_organization",
		"lightdash_list_my_available_organizations", "lightdash_list_organization_email_domains", "lightdash_list_organization_members",
		"lightdash_list_organization_projects", "lightdash_list_spaces_in_project", "lightdash_promote_dashboard_diff",

		"pdc_filter_data_sources", "pdc_get_data_source_by_id", "pdc_get_data_sources_by_ids",

		"posthog_get_external_data_schema", "posthog_get_external_data_source", "posthog_list_external_data_schema_incremental_fields",
		"posthog_list_external_data_source_jobs", "posthog_list_external_data_sources", "posthog_list_projects",
	}
	var got []string
	for _, tool := range mustAll(t) {
		if tool.Annotations.ReadOnly {
			got = append(got, tool.Name)
			assert.True(t, tool.Annotations.Idempotent, "%s reads: idempotentHint got false, want true", tool.Name)
			assert.False(t, tool.Annotations.Destructive, "%s reads: destructiveHint got true, want false", tool.Name)
		}
	}
	sort.Strings(want)
	assert.Equal(t, want, got, "read-only tools")
}

// TestEffectsTable: every exception to the method rule names a generated
// tool, says why in one line, and changes what the rule would decide.
func TestEffectsTable(t *testing.T) {
	all := mustAll(t)
	for name, e := range effects {
		t.Run(name, func(t *testing.T) {
			tool := Find(all, name)
			require.NotNil(t, tool, "effects names %s: got no such tool", name)
			assert.NotEmpty(t, e.why, "the reason for the exception")
			assert.NotContains(t, e.why, "\n", "the reason is one line")
			assert.False(t, e.readOnly && e.confirm != "", "a read-only tool cannot confirm: got %q", e.confirm)
			byRule := tool.Method == "GET"
			assert.True(t, e.readOnly != byRule || e.confirm != ruleReason(name, tool.Method),
				"entry changes nothing: the method rule already says read-only %v, confirm %q", byRule, e.confirm)
			assert.Equal(t, e.readOnly, tool.Annotations.ReadOnly, "readOnlyHint")
			assert.Equal(t, e.confirm, ConfirmReason(tool), "ConfirmReason")
		})
	}
	// A new operation defaults to the method rule.
	for _, tc := range []struct {
		method   string
		readOnly bool
	}{{"GET", true}, {"POST", false}, {"PUT", false}, {"PATCH", false}, {"DELETE", false}} {
		assert.Equal(t, tc.readOnly, readsOnly("provider_new_operation", tc.method), "readsOnly of a new %s", tc.method)
		assert.Equal(t, tc.readOnly, annotationsFor("provider_new_operation", tc.method).ReadOnly, "readOnlyHint of a new %s", tc.method)
	}
	assert.Equal(t, "deletes", ruleReason("provider_remove_thing", "DELETE"), "a new DELETE confirms")
}

// TestConfirmByArgument: a client without elicitation gets a preview that
// names the project and space, and nothing is sent upstream but those
// lookups until the call is repeated with confirm: true.
func TestConfirmByArgument(t *testing.T) {
	tool := toolNamed(t, "lightdash_delete_space")
	f := newFake(t)
	d := depsWith(t, tool.Provider, f)
	f.Register("GET", "/api/v1/projects/p-1", 200, `{"status":"ok","results":{"projectUuid":"p-1","name":"Jaffle shop"}}`)
	f.Register("GET", "/api/v1/projects/p-1/spaces/s%202", 200, `{"status":"ok","results":{"uuid":"s 2","name":"Sales"}}`)
	args := map[string]any{"projectUuid": "p-1", "spaceUuid": "s 2"}
	res := tool.Call(context.Background(), d, args)
	require.True(t, res.IsError, "unconfirmed delete got success %q, want a refusal", text(res))
	for _, w := range []string{"Not done", "deletes", "DELETE /api/v1/projects/p-1/spaces/s%202", "Lightdash", `project "Jaffle shop"`, `space "Sales"`, `"confirm": true`} {
		assert.Contains(t, text(res), w, "refusal")
	}
	f.Register("DELETE", "/api/v1/projects/p-1/spaces/s%202", 200, `{"status":"ok","results":null}`)
	args[ConfirmArg] = true
	res = tool.Call(context.Background(), d, args)
	assert.False(t, res.IsError, "confirmed delete got %q", text(res))
}

// TestConfirmSQL: read-only queries run at once; others need confirmation,
// and the preview shows the body and the data source's name.
func TestConfirmSQL(t *testing.T) {
	tool := toolNamed(t, "datafold_run_sql_query")
	f := newFake(t)
	d := depsWith(t, tool.Provider, f)
	f.Register("POST", "/api/v1/data_sources/1/query", 200, `{"columns":[],"rows":[]}`)
	f.Register("GET", "/api/v1/data_sources/1", 200, `{"id":1,"name":"Snowflake prod","type":"snowflake"}`)
	res := tool.Call(context.Background(), d, map[string]any{"data_source_id": 1, "query": "SELECT 1"})
	require.False(t, res.IsError, "read-only query got %q, want it to run", text(res))
	res = tool.Call(context.Background(), d, map[string]any{"data_source_id": 1, "query": "DROP TABLE orders"})
	require.True(t, res.IsError, "write query got %q, want a refusal", text(res))
	for _, w := range []string{"DROP TABLE orders", "POST /api/v1/data_sources/1/query", `data source "Snowflake prod"`} {
		assert.Contains(t, text(res), w, "refusal")
	}
}

// TestConfirmNamesAreACourtesy: a lookup that fails, or that the request's
// policy hides, leaves the name out and changes nothing else.
func TestConfirmNamesAreACourtesy(t *testing.T) {
	tool := toolNamed(t, "lightdash_delete_space")
	cases := []struct {
		name   string
		ctx    func(context.Context) context.Context
		stubs  func(f *upstreamRegistry)
		absent []string
		want   []string
	}{
		{"lookups fail", func(ctx context.Context) context.Context { return ctx }, func(f *upstreamRegistry) {
			f.Register("GET", "/api/v1/projects/p-1", 404, `{"status":"error"}`)
			f.Register("GET", "/api/v1/projects/p-1/spaces/s-2", 500, `{"status":"error"}`)
		}, []string{"project \"", "space \""}, []string{"DELETE /api/v1/projects/p-1/spaces/s-2"}},
		{"one lookup hidden by the request", func(ctx context.Context) context.Context {
			return WithRequestPolicy(ctx, Policy{Exclude: []string{"lightdash_get_space"}})
		}, func(f *upstreamRegistry) {
			f.Register("GET", "/api/v1/projects/p-1", 200, `{"results":{"name":"Jaffle shop"}}`)
		}, []string{"space \""}, []string{`project "Jaffle shop"`}},
		{"a long name is clipped", func(ctx context.Context) context.Context { return ctx }, func(f *upstreamRegistry) {
			f.Register("GET", "/api/v1/projects/p-1", 200, `{"results":{"name":"`+strings.Repeat("n", 5000)+`"}}`)
			f.Register("GET", "/api/v1/projects/p-1/spaces/s-2", 200, `{"results":{}}`)
		}, []string{strings.Repeat("n", maxObjectName+1)}, []string{strings.Repeat("n", maxObjectName) + "…"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			tc.stubs(f)
			res := tool.Call(tc.ctx(context.Background()), depsWith(t, tool.Provider, f), map[string]any{"projectUuid": "p-1", "spaceUuid": "s-2"})
			require.True(t, res.IsError, "unconfirmed delete got success %q", text(res))
			for _, w := range tc.want {
				assert.Contains(t, text(res), w, "refusal")
			}
			for _, w := range tc.absent {
				assert.NotContains(t, text(res), w, "refusal")
			}
		})
	}
}

// TestElicitationFailureRefuses: when the client declared elicitation but
// answers the question with an error (or not at all), nothing is done and
// "confirm": true does not stand in for the user.
func TestElicitationFailureRefuses(t *testing.T) {
	tool := toolNamed(t, "lightdash_delete_space")
	cases := []struct {
		name  string
		elict func(context.Context, Question) (*Answer, error)
	}{
		{"error", func(context.Context, Question) (*Answer, error) {
			return nil, errors.New("elicitation not supported after all")
		}},
		{"no answer", func(context.Context, Question) (*Answer, error) { return nil, nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.Register("GET", "/api/v1/projects/p-1", 200, `{"results":{"name":"Jaffle shop"}}`)
			f.Register("GET", "/api/v1/projects/p-1/spaces/s-2", 200, `{"results":{"name":"Sales"}}`)
			var asked []string
			ctx := WithRequest(context.Background(), &Request{Route: ViaElicitation, Elicit: func(ctx context.Context, q Question) (*Answer, error) {
				asked = append(asked, q.Message)
				return tc.elict(ctx, q)
			}})
			res := tool.Call(ctx, depsWith(t, tool.Provider, f), map[string]any{"projectUuid": "p-1", "spaceUuid": "s-2", ConfirmArg: true})
			require.True(t, res.IsError, "got success %q, want a refusal (and no DELETE: the fake has none)", text(res))
			assert.Contains(t, text(res), "could not ask the user, so nothing was done")
			require.Len(t, asked, 1, "questions asked")
			assert.Contains(t, asked[0], `space "Sales"`, "the question names the space")
			assert.Contains(t, asked[0], `project "Jaffle shop"`, "the question names the project")
		})
	}
}

func TestArgsState(t *testing.T) {
	a := argsState("x", map[string]any{"a": 1, "b": "two"})
	if b := argsState("x", map[string]any{"b": "two", "a": 1, ConfirmArg: true}); a != b {
		t.Errorf("state depends on key order or confirm: %s vs %s", a, b)
	}
	if c := argsState("x", map[string]any{"a": 2, "b": "two"}); a == c {
		t.Error("different arguments got the same state")
	}
	if d := argsState("y", map[string]any{"a": 1, "b": "two"}); a == d {
		t.Error("different tools got the same state")
	}
}

func TestAccepted(t *testing.T) {
	cases := []struct {
		r    Answer
		want bool
	}{
		{Answer{Action: ActionAccept, Content: map[string]any{"confirm": true}}, true},
		{Answer{Action: ActionAccept, Content: map[string]any{"confirm": false}}, false},
		{Answer{Action: ActionAccept}, true},
		{Answer{Action: ActionDecline}, false},
		{Answer{Action: ActionCancel, Content: map[string]any{"confirm": true}}, false},
	}
	for i, tc := range cases {
		if got := accepted(&tc.r); got != tc.want {
			t.Errorf("case %d: got %v, want %v", i, got, tc.want)
		}
	}
}

func TestWithConfirmArg(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"between keys", `{"properties":{"a":{"type":"string"},"z":{}},"type":"object"}`,
			`{"properties":{"a":{"type":"string"},"confirm":{"type":"boolean"},"z":{}},"type":"object"}`},
		{"first", `{"properties":{"id":{}},"required":["id"]}`, `{"properties":{"confirm":{"type":"boolean"},"id":{}},"required":["id"]}`},
		{"last", `{"properties":{"a":{},"b":{}}}`, `{"properties":{"a":{},"b":{},"confirm":{"type":"boolean"}}}`},
		{"no properties yet", `{"properties":{},"type":"object"}`, `{"properties":{"confirm":{"type":"boolean"}},"type":"object"}`},
		{"no properties object", `{"type":"object"}`, `{"properties":{"confirm":{"type":"boolean"}},"type":"object"}`},
		{"already there", `{"properties":{"confirm":{"type":"string"}}}`, `{"properties":{"confirm":{"type":"boolean"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withConfirmArg(json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
