package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestCanariesAreRedacted reads every answer of the sandbox that carries a
// planted secret and checks each secret was replaced, not merely absent.
func TestCanariesAreRedacted(t *testing.T) {
	_, c := startInProcess(t)
	ex := sandbox.Examples()
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"datafold_list_data_sources", nil},
		{"datafold_get_data_source", map[string]any{"data_source_id": 1}},
		{"datafold_get_data_source", map[string]any{"data_source_id": 2}},
		{"datafold_list_bi_integrations", nil},
		{"datafold_get_bi_integration", map[string]any{"bi_datasource_id": 12}},
		{"posthog_list_external_data_sources", map[string]any{"project_id": ex["posthog"]["project_id"]}},
		{"pdc_filter_data_sources", map[string]any{"resourceNames": []any{"*"}}},
		{"lightdash_get_warehouse_credentials", nil},
		{"lightdash_get_project", map[string]any{"projectUuid": ex["lightdash"]["projectUuid"]}},
	}
	var all strings.Builder
	for _, call := range calls {
		req := mcp.CallToolRequest{}
		req.Params.Name = call.tool
		req.Params.Arguments = call.args
		res, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", call.tool, err)
		}
		if res.IsError {
			t.Errorf("%s: got error %s", call.tool, mcpgo.Text(res))
		}
		b, _ := json.Marshal(res)
		all.Write(b)
	}
	got := all.String()
	for _, canary := range sandbox.CanarySecrets() {
		if strings.Contains(got, canary) {
			t.Errorf("planted secret %q reached a result", canary)
		}
	}
	if n, want := strings.Count(got, tools.Redacted), len(sandbox.CanarySecrets()); n < want {
		t.Errorf("got %d redactions, want at least %d (one per planted secret)", n, want)
	}
}
