package main

import (
	"context"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// httpServer serves a sandbox server with the given selection on loopback.
func httpServer(t *testing.T, sel selection) string {
	t.Helper()
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger(), selection: sel})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = serveHTTPOn(ctx, a.mcp, ln, discardLogger()); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String() + "/mcp"
}

func httpClient(t *testing.T, url string, headers map[string]string) *mcpclient.Client {
	t.Helper()
	c, err := mcpclient.NewStreamableHttpClient(url, transport.WithHTTPHeaders(headers))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, mcp.LATEST_PROTOCOL_VERSION)
	return c
}

func listNames(t *testing.T, c *mcpclient.Client) []string {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	sort.Strings(names)
	return names
}

func TestHeadersOnlyNarrow(t *testing.T) {
	readOnlyServer := httpServer(t, selection{policy: tools.Policy{ReadOnly: true}, mode: modeAll})
	cases := []struct {
		name    string
		headers map[string]string
		check   func(t *testing.T, names []string)
	}{
		{"no headers: every read tool", nil, func(t *testing.T, names []string) {
			if len(names) < 50 {
				t.Errorf("got %d tools, want all read-only tools", len(names))
			}
		}},
		{"toolset header narrows", map[string]string{headerToolsets: "lightdash-catalog"}, func(t *testing.T, names []string) {
			if len(names) != 4 || !strings.HasPrefix(names[0], "lightdash_get_") {
				t.Errorf("got %v, want the 4 lightdash catalog tools", names)
			}
		}},
		{"allowlist header cannot widen past read-only", map[string]string{headerTools: "lightdash_delete_space,lightdash_get_space"}, func(t *testing.T, names []string) {
			if len(names) != 1 || names[0] != "lightdash_get_space" {
				t.Errorf("got %v, want only lightdash_get_space", names)
			}
		}},
		{"read-only false cannot widen", map[string]string{headerReadOnly: "false", headerTools: "datafold_cancel_data_diff"}, func(t *testing.T, names []string) {
			if len(names) != 0 {
				t.Errorf("got %v, want none", names)
			}
		}},
		{"exclude header", map[string]string{headerToolsets: "pdc", headerExclude: "pdc_get_data_source_by_id"}, func(t *testing.T, names []string) {
			for _, n := range names {
				if n == "pdc_get_data_source_by_id" || !strings.HasPrefix(n, "pdc_") {
					t.Errorf("got %v, want pdc tools without pdc_get_data_source_by_id", names)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, listNames(t, httpClient(t, readOnlyServer, tc.headers)))
		})
	}

	t.Run("a hidden tool cannot be called", func(t *testing.T) {
		c := httpClient(t, readOnlyServer, map[string]string{headerToolsets: "lightdash"})
		req := mcp.CallToolRequest{}
		req.Params.Name = "datafold_list_data_sources"
		res, err := c.CallTool(context.Background(), req)
		if err == nil && !res.IsError {
			t.Errorf("calling a tool the headers hide got a success, want a refusal")
		}
	})
}

func TestDiscoveryMode(t *testing.T) {
	url := httpServer(t, selection{mode: modeDiscovery})
	c := httpClient(t, url, nil)
	if got, want := strings.Join(listNames(t, c), ","), "call_tool,describe_tool,search_tools"; got != want {
		t.Fatalf("tools/list got %s, want %s", got, want)
	}
	call := func(name string, args map[string]any) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		res, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return res
	}
	if res := call("search_tools", map[string]any{"query": "which tables depend on fct_orders"}); !strings.Contains(mcpgo.Text(res), "datafold_get_table_downstreams") {
		t.Errorf("search_tools got %s, want datafold_get_table_downstreams", mcpgo.Text(res))
	}
	res := call("call_tool", map[string]any{"name": "datafold_get_table_downstreams", "arguments": map[string]any{"data_connection_id": 1, "table_path": "ANALYTICS.MARTS.fct_orders"}})
	if res.IsError {
		t.Errorf("call_tool got error %s", mcpgo.Text(res))
	}
	res = call("call_tool", map[string]any{"name": "datafold_get_table_downstreams", "arguments": map[string]any{"data_connection_id": "one", "table_path": "x"}})
	if !res.IsError || !strings.Contains(mcpgo.Text(res), `argument "data_connection_id"`) {
		t.Errorf("call_tool with a bad argument got %s, want the field named", mcpgo.Text(res))
	}
}
