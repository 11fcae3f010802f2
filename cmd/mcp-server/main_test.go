package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// TestToolsCommand checks `mcp-server tools --all` maps every operation
// one-to-one to a tool.
func TestToolsCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"tools", "--all"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code got %d, want 0; stderr %s", code, stderr.String())
	}
	var list []struct {
		Name      string  `json:"name"`
		Provider  string  `json:"provider"`
		Operation *string `json:"operation"`
		Method    string  `json:"method"`
		Path      string  `json:"path"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	ops := schemas.Catalog()
	byOp := map[string]string{}
	for _, e := range list {
		if e.Operation == nil {
			continue
		}
		key := e.Provider + "/" + *e.Operation
		if prev, dup := byOp[key]; dup {
			t.Errorf("operation %s is served by %s and %s", key, prev, e.Name)
		}
		byOp[key] = e.Name
		if e.Method == "" || e.Path == "" {
			t.Errorf("%s: method %q path %q, want both", e.Name, e.Method, e.Path)
		}
	}
	for _, op := range ops {
		if _, ok := byOp[op.Provider+"/"+op.OperationID]; !ok {
			t.Errorf("operation %s/%s has no tool", op.Provider, op.OperationID)
		}
	}
	if got, want := len(byOp), generatedTools(); got != want {
		t.Errorf("got %d operation tools, want %d", got, want)
	}
}

func TestBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"unknown command", []string{"serve-all"}, 2},
		{"bad transport", []string{"--transport", "sse"}, 2},
		{"bad log level", []string{"--log-level", "loud"}, 2},
		{"help", []string{"-h"}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, &stdout, &stderr); got != tc.want {
				t.Errorf("exit code got %d, want %d (stderr %s)", got, tc.want, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout got %q, want nothing (stdout is the protocol's)", stdout.String())
			}
		})
	}
}

// clearProviderEnv unsets every variable that configures a provider, a
// database or a dbt project, so `mcp-server tools` sees a bare
// environment whatever the machine's.
func clearProviderEnv(t *testing.T) {
	t.Helper()
	for _, p := range providers.All {
		for _, v := range []string{p.APIKeyEnv, p.UsernameEnv, p.PasswordEnv, p.BaseURLEnv} {
			if v != "" {
				t.Setenv(v, "")
			}
		}
		for _, v := range p.DefaultArgs {
			t.Setenv(v, "")
		}
	}
	for _, v := range []string{"MCP_SANDBOX", "MCP_CONFIG", "MCP_TOOLSETS", "MCP_TOOLS", "MCP_EXCLUDE_TOOLS", "MCP_READ_ONLY", "MCP_TOOL_MODE",
		"WAREHOUSE_DSN", "DBT_MANIFEST", "DBT_PROJECT_DIR"} {
		t.Setenv(v, "")
	}
}

// TestToolsCommandOffers: `mcp-server tools` lists what a server started
// with the same environment and flags offers, and says so on stderr;
// --all lists the inventory.
func TestToolsCommandOffers(t *testing.T) {
	clearProviderEnv(t)
	inventory, err := mcpserver.Inventory()
	require.NoError(t, err)
	cases := []struct {
		name   string
		env    map[string]string
		args   []string
		want   int // tools listed; -1: some, at least one
		has    string
		header string
	}{
		{"no credentials: none", nil, nil, 0, "", "no provider is configured"},
		{"--all: the inventory", nil, []string{"--all"}, len(inventory), "pdc_filter_data_sources", "the inventory"},
		{"--sandbox: everything the sandbox serves", nil, []string{"--sandbox"}, sandboxTools(t), "warehouse_query", "--sandbox; providers: datafold, posthog, pdc, lightdash"},
		{"one provider's key", map[string]string{"DATAFOLD_API_KEY": "key-tools-canary"}, nil, -1, "datafold_list_monitors", "providers: datafold)"},
		{"discovery mode", nil, []string{"--sandbox", "--tool-mode", "discovery"}, 3, "search_tools", "3 tools"},
		{"a selection that leaves nothing", map[string]string{"DATAFOLD_API_KEY": "key-tools-canary"}, []string{"--toolsets", "lightdash"}, 0, "", "the selection flags leave none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run(append([]string{"tools"}, tc.args...), &stdout, &stderr), "exit code; stderr %s", stderr.String())
			var list []inventoryEntry
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &list), "stdout is a JSON array")
			var names []string
			for _, e := range list {
				names = append(names, e.Name)
			}
			if tc.want >= 0 {
				assert.Len(t, list, tc.want, "tools listed")
			} else {
				assert.NotEmpty(t, list, "tools listed")
			}
			if tc.has != "" {
				assert.Contains(t, names, tc.has)
			}
			assert.Contains(t, stderr.String(), tc.header, "the header line on stderr")
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one header line, got %q", stderr.String())
			assert.NotContains(t, stdout.String()+stderr.String(), "key-tools-canary")
		})
	}
}

// TestHelpNamesNoQuotedArgument: a usage text's backquotes would become
// the flag's argument name in -h ("-toolsets mcp-server toolsets").
func TestHelpNamesNoQuotedArgument(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"tools", "-h"}} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, run(args, &stdout, &stderr), "exit code of %v", args)
		help := stderr.String()
		assert.Contains(t, help, "-toolsets string", "%v: the argument of -toolsets", args)
		assert.NotContains(t, help, "`", "%v: backquotes in the help", args)
		assert.NotContains(t, help, "-toolsets mcp-server", "%v", args)
	}
}

// TestServedSchemasAreTyped: no input schema (listed or full) or output
// schema of a tool the server can offer holds a bare {} or another schema
// without a type (strict clients, the Inspector's --strict, warn about
// them), discovery tools included.
func TestServedSchemasAreTyped(t *testing.T) {
	inventory, err := mcpserver.Inventory()
	require.NoError(t, err)
	disc, err := tools.DiscoveryTools(inventory)
	require.NoError(t, err)
	for _, tool := range append(append([]*tools.Tool{}, inventory...), disc...) {
		for kind, raw := range map[string]json.RawMessage{"input": tool.InputSchema, "full input": tool.FullSchema(), "output": tool.OutputSchema} {
			if len(raw) == 0 {
				continue
			}
			var s map[string]any
			require.NoError(t, json.Unmarshal(raw, &s), "%s %s schema", tool.Name, kind)
			assert.Empty(t, untypedSchemas("", s), "%s: untyped subschemas of the %s schema", tool.Name, kind)
		}
	}
}

// untypedSchemas lists the paths of the subschemas of s that say nothing
// of their type: no type, $ref, combinator, enum or const.
func untypedSchemas(path string, s map[string]any) []string {
	var out []string
	typed := false
	for _, k := range []string{"type", "$ref", "anyOf", "oneOf", "allOf", "not", "enum", "const"} {
		_, has := s[k]
		typed = typed || has
	}
	if !typed {
		out = append(out, path)
	}
	sub := func(p string, v any) {
		if m, ok := v.(map[string]any); ok {
			out = append(out, untypedSchemas(p, m)...)
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for name, p := range props {
			sub(path+"/properties/"+name, p)
		}
	}
	sub(path+"/items", s["items"])
	sub(path+"/additionalProperties", s["additionalProperties"])
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		list, _ := s[key].([]any)
		for i, b := range list {
			if m, ok := b.(map[string]any); ok && !(len(m) == 1 && m["required"] != nil) {
				sub(fmt.Sprintf("%s/%s/%d", path, key, i), m)
			}
		}
	}
	return out
}

// TestPDCFilterNeedsAFilter: PDC's filter takes resourceNames or
// databaseTypes; a call with neither is refused before it is sent, naming
// both, instead of PDC's "there must be at least 1 properties".
func TestPDCFilterNeedsAFilter(t *testing.T) {
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	require.NoError(t, err)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	cases := []struct {
		name    string
		args    map[string]any
		isError bool
		want    []string
	}{
		{"no filter", map[string]any{}, true, []string{"'resourceNames'", "'databaseTypes'"}},
		{"paging only", map[string]any{"limit": 5}, true, []string{"'resourceNames'", "'databaseTypes'"}},
		{"every name", map[string]any{"resourceNames": []any{"*"}}, false, []string{"Snowflake Analytics"}},
		{"a database type", map[string]any{"databaseTypes": []any{"POSTGRES"}}, false, []string{"jaffle_app"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = "pdc_filter_data_sources", tc.args
			res, err := c.CallTool(context.Background(), req)
			require.NoError(t, err)
			text := mcpgo.Text(res)
			assert.Equal(t, tc.isError, res.IsError, "isError; text %s", text)
			for _, w := range tc.want {
				assert.Contains(t, text, w)
			}
			assert.NotContains(t, text, "at least 1 properties", "PDC's own wording")
		})
	}
}
