package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestPolicyFromHeaders: repeated header lines combine to the most
// restrictive policy, names ignore case, and a read-only value that is not
// a boolean is an error.
func TestPolicyFromHeaders(t *testing.T) {
	all, err := tools.All()
	require.NoError(t, err)
	cases := []struct {
		name    string
		headers http.Header
		wantErr string
		allowed []string // tools that must be allowed
		denied  []string // tools that must not be
	}{
		{name: "read-only yes is not a boolean", headers: http.Header{headerReadOnly: {"yes"}}, wantErr: "X-MCP-Read-Only must be true or false"},
		{name: "empty read-only is not a boolean", headers: http.Header{headerReadOnly: {""}}, wantErr: "X-MCP-Read-Only"},
		{name: "read-only list is not a boolean", headers: http.Header{headerReadOnly: {"false, true"}}, wantErr: "X-MCP-Read-Only"},
		{name: "read-only TRUE", headers: http.Header{headerReadOnly: {"TRUE"}},
			allowed: []string{"datafold_list_monitors"}, denied: []string{"lightdash_delete_space"}},
		{name: "read-only if any line says true", headers: http.Header{headerReadOnly: {"false", "true"}},
			allowed: []string{"datafold_list_monitors"}, denied: []string{"lightdash_delete_space"}},
		{name: "read-only false alone", headers: http.Header{headerReadOnly: {"0"}},
			allowed: []string{"datafold_list_monitors", "lightdash_delete_space"}},
		{name: "tool lines intersect", headers: http.Header{headerTools: {"datafold_list_monitors, lightdash_get_space", "lightdash_get_space,pdc_get_data_source_by_id"}},
			allowed: []string{"lightdash_get_space"}, denied: []string{"datafold_list_monitors", "pdc_get_data_source_by_id"}},
		{name: "disjoint tool lines allow nothing", headers: http.Header{headerTools: {"datafold_list_monitors", "lightdash_get_space"}},
			denied: []string{"datafold_list_monitors", "lightdash_get_space", "pdc_get_data_source_by_id"}},
		{name: "toolset lines intersect", headers: http.Header{headerToolsets: {"datafold,lightdash", "datafold-data-diffs"}},
			allowed: []string{"datafold_get_data_diff"}, denied: []string{"datafold_list_monitors", "lightdash_get_space"}},
		{name: "tools and toolsets intersect", headers: http.Header{headerTools: {"datafold_list_monitors,lightdash_get_space"}, headerToolsets: {"lightdash"}},
			allowed: []string{"lightdash_get_space"}, denied: []string{"datafold_list_monitors"}},
		{name: "exclude lines add up", headers: http.Header{headerExclude: {"datafold_list_monitors", "lightdash_get_space"}},
			allowed: []string{"pdc_get_data_source_by_id"}, denied: []string{"datafold_list_monitors", "lightdash_get_space"}},
		{name: "names ignore case", headers: http.Header{headerTools: {"Lightdash_Get_Space,DATAFOLD_LIST_MONITORS"}, headerExclude: {"DATAFOLD_List_Monitors"}, headerToolsets: {"LightDash"}},
			allowed: []string{"lightdash_get_space"}, denied: []string{"datafold_list_monitors"}},
		{name: "an empty line is no restriction", headers: http.Header{headerTools: {" , "}},
			allowed: []string{"datafold_list_monitors", "lightdash_delete_space"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.headers = canonical(tc.headers)
			p, err := policyFromHeaders(tc.headers)
			if tc.wantErr != "" {
				require.Error(t, err, "got policy %+v, want an error", p)
				assert.Contains(t, err.Error(), tc.wantErr)
				ctx := requestPolicyContext(context.Background(), &http.Request{Header: tc.headers})
				assert.False(t, tools.AllowedIn(ctx, tools.Find(all, "datafold_list_monitors")), "headers that do not parse: got a tool allowed, want none")
				return
			}
			require.NoError(t, err)
			for _, name := range tc.allowed {
				tool := tools.Find(all, name)
				require.NotNil(t, tool, name)
				assert.True(t, p.Allows(tool), "%s: got hidden, want allowed", name)
			}
			for _, name := range tc.denied {
				tool := tools.Find(all, name)
				require.NotNil(t, tool, name)
				assert.False(t, p.Allows(tool), "%s: got allowed, want hidden", name)
			}
		})
	}
}

// canonical is h with its keys in canonical form, as a server reads them.
func canonical(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

// rawListTools sends tools/list over HTTP with exactly the given headers
// (repeated lines included) and returns the status and the tool names.
func rawListTools(t *testing.T, url string, h http.Header) (int, string, []string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`))
	require.NoError(t, err)
	req.Header = canonical(h)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out struct {
		Result struct {
			Tools []struct {
				Name string `json:"name"`
			} `json:"tools"`
		} `json:"result"`
	}
	var names []string
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, &out), "tools/list answer %s", body)
		for _, tool := range out.Result.Tools {
			names = append(names, tool.Name)
		}
		sort.Strings(names)
	}
	return resp.StatusCode, string(body), names
}

// TestNarrowingHeadersOverHTTP: an unparseable X-MCP-Read-Only is a 400,
// and repeated header lines narrow, never widen, what tools/list shows.
func TestNarrowingHeadersOverHTTP(t *testing.T) {
	url := httpServer(t, selection{mode: modeAll})
	status, body, _ := rawListTools(t, url, http.Header{headerReadOnly: {"maybe"}})
	assert.Equal(t, http.StatusBadRequest, status, "X-MCP-Read-Only: maybe got %d %s, want 400", status, body)
	assert.Contains(t, body, headerReadOnly)

	status, body, names := rawListTools(t, url, http.Header{
		headerReadOnly: {"false", "true"},
		headerTools:    {"lightdash_get_space,LIGHTDASH_DELETE_SPACE,datafold_list_monitors", "Lightdash_Get_Space,lightdash_delete_space"},
	})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, []string{"lightdash_get_space"}, names, "read-only from the second line, tools from both lines")

	status, body, names = rawListTools(t, url, http.Header{headerExclude: {"lightdash_get_space"}, headerToolsets: {"lightdash-spaces", "lightdash"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.NotEmpty(t, names, "lightdash space tools")
	for _, n := range names {
		assert.True(t, strings.HasPrefix(n, "lightdash_") && n != "lightdash_get_space", "got %s offered, want only lightdash space tools without lightdash_get_space", n)
	}
}

// TestReadOnlyEnvMustParse: MCP_READ_ONLY=yes stops start-up instead of
// silently offering every tool.
func TestReadOnlyEnvMustParse(t *testing.T) {
	for _, tc := range []struct {
		value    string
		wantErr  bool
		readOnly bool
	}{{"yes", true, false}, {"true", false, true}, {"0", false, false}, {"", false, false}} {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv("MCP_READ_ONLY", tc.value)
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			get := addSelectionFlags(fs)
			require.NoError(t, fs.Parse(nil))
			sel, err := get()
			if tc.wantErr {
				require.Error(t, err, "MCP_READ_ONLY=%s: got selection %+v, want an error", tc.value, sel)
				assert.Contains(t, err.Error(), "MCP_READ_ONLY")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.readOnly, sel.Policy.ReadOnly, "MCP_READ_ONLY=%s", tc.value)
		})
	}
}
