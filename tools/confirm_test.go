package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestConfirmingTools pins which tools ask for confirmation, so a change to
// the rule (or to the tool surface) is a deliberate one.
func TestConfirmingTools(t *testing.T) {
	want := map[string]string{
		"datafold_cancel_data_diff":                   "cancels a running job",
		"datafold_create_data_test_monitor":           "creates or runs a monitor",
		"datafold_create_diff_monitor":                "creates or runs a monitor",
		"datafold_create_metric_monitor":              "creates or runs a monitor",
		"datafold_create_schema_monitor":              "creates or runs a monitor",
		"datafold_run_sql_query":                      "runs SQL that is not a plain read-only query",
		"datafold_start_monitor_run":                  "creates or runs a monitor",
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
		"lightdash_revoke_group_space_access":         "changes access",
		"lightdash_revoke_project_access_for_user":    "changes access",
		"lightdash_revoke_space_access_for_user":      "changes access",
		"lightdash_run_sql_query":                     "runs SQL that is not a plain read-only query",
		"lightdash_update_organization_member":        "changes access",
		"lightdash_update_project_access_for_user":    "changes access",
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
	for name, reason := range want {
		if got[name] != reason {
			t.Errorf("%s: reason got %q, want %q", name, got[name], reason)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s asks for confirmation (%s) but is not in the pinned list", name, got[name])
		}
	}
	for _, tool := range all {
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		for _, raw := range []json.RawMessage{tool.InputSchema, tool.FullSchema()} {
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			_, has := s.Properties[ConfirmArg]
			if want := ConfirmReason(tool) != ""; has != want {
				t.Errorf("%s: schema has confirm = %v, want %v", tool.Name, has, want)
			}
		}
		if tool.Method == "DELETE" && ConfirmReason(tool) == "" {
			t.Errorf("%s is a DELETE that does not confirm", tool.Name)
		}
		if tool.Annotations.ReadOnly && ConfirmReason(tool) != "" {
			t.Errorf("%s is read-only but confirms", tool.Name)
		}
	}
}

// TestConfirmByArgument: a client without elicitation gets a preview and
// nothing is sent upstream until the call is repeated with confirm: true.
func TestConfirmByArgument(t *testing.T) {
	tool := toolNamed(t, "lightdash_delete_space")
	f := newFake(t)
	d := depsWith(t, tool.Provider, f)
	args := map[string]any{"projectUuid": "p-1", "spaceUuid": "s 2"}
	res := tool.Call(context.Background(), d, args)
	if !res.IsError {
		t.Fatalf("unconfirmed delete got success %q, want a refusal", text(res))
	}
	for _, w := range []string{"Not done", "deletes", "DELETE /api/v1/projects/p-1/spaces/s%202", "Lightdash", `"confirm": true`} {
		if !strings.Contains(text(res), w) {
			t.Errorf("refusal %q lacks %q", text(res), w)
		}
	}
	f.Register("DELETE", "/api/v1/projects/p-1/spaces/s%202", 200, `{"status":"ok","results":null}`)
	args[ConfirmArg] = true
	if res := tool.Call(context.Background(), d, args); res.IsError {
		t.Fatalf("confirmed delete got %q", text(res))
	}
}

// TestConfirmSQL: read-only queries run at once; others need confirmation,
// and the preview shows the body.
func TestConfirmSQL(t *testing.T) {
	tool := toolNamed(t, "datafold_run_sql_query")
	f := newFake(t)
	d := depsWith(t, tool.Provider, f)
	f.Register("POST", "/api/v1/data_sources/1/query", 200, `{"columns":[],"rows":[]}`)
	if res := tool.Call(context.Background(), d, map[string]any{"data_source_id": 1, "query": "SELECT 1"}); res.IsError {
		t.Fatalf("read-only query got %q, want it to run", text(res))
	}
	res := tool.Call(context.Background(), d, map[string]any{"data_source_id": 1, "query": "DROP TABLE orders"})
	if !res.IsError || !strings.Contains(text(res), "DROP TABLE orders") || !strings.Contains(text(res), "POST /api/v1/data_sources/1/query") {
		t.Fatalf("write query got %q, want a refusal previewing the request", text(res))
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
