package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func noEnv(string) string { return "" }

// startInProcess assembles a sandbox server and connects an MCP client to it.
func startInProcess(t *testing.T) (*assembled, *mcpclient.Client) {
	t.Helper()
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	return a, c
}

// argOverrides give tools whose generated arguments would be meaningless
// arguments a user would pass on the demo stack.
var argOverrides = map[string]map[string]any{
	"datafold_create_diff_monitor": {
		"datadiff": map[string]any{
			"diff_type":   "indb",
			"dataset_a":   map[string]any{"connection_id": 1, "table": "ANALYTICS.MARTS.fct_orders"},
			"dataset_b":   map[string]any{"connection_id": 2, "table": "ANALYTICS.MARTS.fct_orders"},
			"primary_key": []any{"order_id"},
		},
		"name": "fct_orders prod vs dev",
	},
	"datafold_create_data_diff": {
		"data_source1_id": 1, "data_source2_id": 2,
		"table1": []any{"ANALYTICS", "MARTS", "fct_orders"}, "table2": []any{"ANALYTICS", "MARTS", "fct_orders"},
		"pk_columns": []any{"order_id"},
	},
	"lightdash_compile_query": {
		"exploreName": "fct_orders", "dimensions": []any{"fct_orders_status"}, "metrics": []any{"fct_orders_order_count"},
		"sorts": []any{}, "tableCalculations": []any{}, "limit": 10,
	},
	"lightdash_execute_metric_query": {"query": map[string]any{
		"exploreName": "fct_orders", "dimensions": []any{"fct_orders_order_date_month"}, "metrics": []any{"fct_orders_total_revenue"},
		"filters": map[string]any{}, "sorts": []any{}, "tableCalculations": []any{}, "limit": 500,
	}},
	"datafold_run_sql_query":  {"query": "select 1"},
	"lightdash_run_sql_query": {"sql": "select 1"},
	"lightdash_create_warehouse_credentials": {"name": "analyst", "credentials": map[string]any{
		"type": "postgres", "user": "analyst", "password": "sandbox-not-a-secret"}},
	"lightdash_update_warehouse_credentials": {"name": "analyst", "credentials": map[string]any{
		"type": "postgres", "user": "analyst", "password": "sandbox-not-a-secret"}},
	"lightdash_calculate_total_from_query": {
		"explore": "fct_orders",
		"metricQuery": map[string]any{"exploreName": "fct_orders", "dimensions": []any{"fct_orders_status"}, "metrics": []any{"fct_orders_order_count"},
			"filters": map[string]any{}, "sorts": []any{}, "tableCalculations": []any{}, "limit": 10},
	},
	"pdc_create_data_sources": {
		"body": []any{map[string]any{"resourceName": "Orders Warehouse", "databaseType": "PostgreSQL", "host": "db.example.com", "port": "5432"}},
	},
	"pdc_filter_data_sources": {"resourceNames": []any{"*Snowflake*"}},
	// The listing shows these unions only by their discriminator (the
	// full shape is in the tool's full input schema).
	"datafold_create_metric_monitor": {
		"metric": map[string]any{"type": "table", "metric": "row_count", "table": "ANALYTICS.MARTS.fct_orders"},
	},
	"posthog_create_external_data_source": {"source_type": "Ashby"},
}

// TestEveryToolAgainstSandbox calls each of the tools through an MCP
// client and checks the sandbox received a request that matches the
// OpenAPI description, and that no planted secret reaches a result.
func TestEveryToolAgainstSandbox(t *testing.T) {
	a, c := startInProcess(t)
	var mu sync.Mutex
	seen := map[string][]sandbox.Exchange{}
	a.sandbox.Observe(func(e sandbox.Exchange) {
		mu.Lock()
		defer mu.Unlock()
		seen[e.Provider+"/"+e.OperationID] = append(seen[e.Provider+"/"+e.OperationID], e)
	})
	ctx := context.Background()
	listed, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(listed.Tools), sandboxTools(t); got != want {
		t.Fatalf("tools/list got %d tools, want %d", got, want)
	}
	// Reads first, deletes last, and deeper deletes (a space's share) before
	// shallower ones (the space), so no call loses what it needs.
	var order []*tools.Tool
	for _, tool := range a.tools {
		if tool.Operation != "" {
			order = append(order, tool)
		}
	}
	if len(order) != generatedTools() {
		t.Fatalf("got %d generated tools, want %d", len(order), generatedTools())
	}
	rank := map[string]int{"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if rank[a.Method] != rank[b.Method] {
			return rank[a.Method] < rank[b.Method]
		}
		if a.Method == "DELETE" {
			return strings.Count(a.Path, "/") > strings.Count(b.Path, "/")
		}
		return false
	})
	examples := sandbox.Examples()
	canaries := sandbox.CanarySecrets()
	failed := 0
	for _, tool := range order {
		t.Run(tool.Name, func(t *testing.T) {
			args := exampleArgs(t, tool, examples[tool.Provider])
			req := mcp.CallToolRequest{}
			req.Params.Name = tool.Name
			req.Params.Arguments = args
			res, err := c.CallTool(ctx, req)
			if err != nil {
				t.Fatalf("tools/call got a protocol error %v, want a result", err)
			}
			body, _ := json.Marshal(res)
			for _, canary := range canaries {
				if strings.Contains(string(body), canary) {
					t.Errorf("result contains planted secret %q", canary)
				}
			}
			mu.Lock()
			ex := seen[tool.Provider+"/"+tool.Operation]
			mu.Unlock()
			if len(ex) == 0 {
				t.Fatalf("sandbox received no %s request; result %s", tool.Operation, body)
			}
			if last := ex[len(ex)-1]; last.RequestError != nil {
				t.Errorf("sandbox got a request that does not match the spec: %v (args %v)", last.RequestError, args)
			}
			if res.IsError {
				failed++
				t.Errorf("got isError with args %v: %s", args, mcpgo.Text(res))
			}
		})
	}
	t.Logf("%d of %d tools returned an error", failed, len(order))
}

// exampleArgs builds valid arguments from a tool's input schema: demo-data
// ids for names the sandbox knows, schema-derived values for the other
// required properties.
func exampleArgs(t *testing.T, tool *tools.Tool, known map[string]string) map[string]any {
	t.Helper()
	var schema map[string]any
	if err := json.Unmarshal(tool.InputSchema, &schema); err != nil {
		t.Fatal(err)
	}
	args := map[string]any{}
	props, _ := schema["properties"].(map[string]any)
	for _, name := range requiredOf(schema) {
		prop, _ := props[name].(map[string]any)
		if v, ok := known[name]; ok {
			args[name] = typed(v, prop)
			continue
		}
		args[name] = sample(prop, 0)
	}
	for k, v := range argOverrides[tool.Name] {
		args[k] = v
	}
	if tools.ConfirmReason(tool) != "" {
		args[tools.ConfirmArg] = true // this client has no elicitation: confirm by argument
	}
	return args
}

func requiredOf(schema map[string]any) []string {
	var out []string
	list, _ := schema["required"].([]any)
	for _, r := range list {
		out = append(out, r.(string))
	}
	return out
}

func typed(v string, prop map[string]any) any {
	if prop["type"] == "integer" || prop["type"] == "number" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return v
}

// sample returns a minimal value that satisfies a compact schema.
func sample(s map[string]any, depth int) any {
	if c, ok := s["const"]; ok {
		return c
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	if d, ok := s["default"]; ok {
		return d
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if branches, ok := s[key].([]any); ok && len(branches) > 0 {
			return sample(branches[0].(map[string]any), depth)
		}
	}
	typ, _ := s["type"].(string)
	if list, ok := s["type"].([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	switch typ {
	case "integer":
		if m, ok := s["minimum"].(float64); ok {
			return int(m)
		}
		return 1
	case "number":
		return 1.5
	case "boolean":
		return true
	case "array":
		items, _ := s["items"].(map[string]any)
		n := 0
		if m, ok := s["minItems"].(float64); ok {
			n = int(m)
		}
		out := []any{}
		for i := 0; i < n || (i == 0 && depth == 0); i++ {
			out = append(out, sample(items, depth+1))
		}
		return out
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for _, name := range requiredOf(s) {
			p, _ := props[name].(map[string]any)
			out[name] = sample(p, depth+1)
		}
		return out
	default:
		switch s["format"] {
		case "uuid":
			return "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
		case "date-time":
			return "2026-11-01T00:00:00Z"
		case "date":
			return "2026-11-01"
		case "email":
			return "analyst@example.com"
		case "uri", "url":
			return "https://example.com/x"
		}
		if m, ok := s["minLength"].(float64); ok && m > 7 {
			return strings.Repeat("x", int(m))
		}
		return "example"
	}
}
