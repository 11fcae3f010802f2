package resources

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Sandbox ids the tests name.
const (
	ldProject = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d401"
	ldPreview = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d402"
	// ldCertified is the main project's upstream project, not compiled yet.
	ldCertified = "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d403"
)

// stack is a server assembled the way cmd/mcp-server assembles it, on a
// fresh sandbox.
type stack struct {
	sb      *sandbox.Sandbox
	deps    *tools.Deps
	conns   []*tools.Connection
	all     []*tools.Tool
	cat     *Catalog
	srv     *server.MCPServer
	offered []*tools.Tool
}

// connSpec names a connection to the sandbox.
type connSpec struct {
	provider, name string
	policy         tools.Policy
	defaults       map[string]any
}

// sandboxConns are the connections --sandbox configures: one per
// provider, named "sandbox".
func sandboxConns() []connSpec {
	var out []connSpec
	for _, p := range schemas.Providers {
		out = append(out, connSpec{provider: p, name: "sandbox"})
	}
	return out
}

func newStack(t *testing.T, specs []connSpec, o Options) *stack {
	t.Helper()
	sb, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	all, err := tools.All()
	if err != nil {
		t.Fatal(err)
	}
	st := &stack{sb: sb, all: all, deps: &tools.Deps{Callers: map[string]tools.Caller{}, ConfigHint: map[string]string{}}}
	enabled := map[string]bool{}
	for _, sp := range specs {
		cfg := sb.ClientConfig(sp.provider)
		cfg.Timeout, cfg.MaxRetries = 10*time.Second, -1
		c, err := client.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st.deps.Callers[sp.provider] == nil {
			st.deps.Callers[sp.provider] = c
		}
		enabled[sp.provider] = true
		st.conns = append(st.conns, &tools.Connection{Name: sp.name, Provider: sp.provider, Caller: c, Policy: sp.policy, Defaults: sp.defaults})
	}
	available := tools.ForProviders(all, enabled)
	st.cat, err = New(st.deps, st.conns, available, o)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := tools.Bind(available, st.conns)
	if err != nil {
		t.Fatal(err)
	}
	st.offered = append(bound, st.cat.Tools()...)
	st.srv = mcpgo.New(mcpgo.Spec{Name: "datastack-test", Version: "1", Tools: st.offered, Deps: st.deps,
		Prompts: st.cat.Prompts(), Catalog: st.cat}).SDK()
	return st
}

// transports connect an MCP client to a server: in process, over stdio
// (pipes, the real framing) and over stateless streamable HTTP on a
// loopback listener.
var transports = []struct {
	name    string
	connect func(t *testing.T, s *server.MCPServer) *mcpclient.Client
}{
	{"inprocess", func(t *testing.T, s *server.MCPServer) *mcpclient.Client {
		c, err := mcpclient.NewInProcessClient(s)
		if err != nil {
			t.Fatal(err)
		}
		return started(t, c)
	}},
	{"stdio", func(t *testing.T, s *server.MCPServer) *mcpclient.Client {
		toServer, fromClient := io.Pipe()
		toClient, fromServer := io.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = server.NewStdioServer(s).Listen(ctx, toServer, fromServer)
		}()
		c := mcpclient.NewClient(transport.NewIO(toClient, fromClient, io.NopCloser(strings.NewReader(""))))
		t.Cleanup(func() {
			cancel()
			_ = fromClient.Close()
			_ = fromServer.Close()
			<-done
		})
		return started(t, c)
	}},
	{"http", func(t *testing.T, s *server.MCPServer) *mcpclient.Client {
		ts := httptest.NewServer(server.NewStreamableHTTPServer(s, server.WithStateLess(true), server.WithEndpointPath("/mcp")))
		t.Cleanup(ts.Close)
		c, err := mcpclient.NewStreamableHttpClient(ts.URL + "/mcp")
		if err != nil {
			t.Fatal(err)
		}
		return started(t, c)
	}},
}

func started(t *testing.T, c *mcpclient.Client) *mcpclient.Client {
	t.Helper()
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "resources-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

// readText reads a resource and returns its only text content.
func readText(t *testing.T, c *mcpclient.Client, uri string) (string, error) {
	t.Helper()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := c.ReadResource(context.Background(), req)
	if err != nil {
		return "", err
	}
	if len(res.Contents) != 1 {
		t.Fatalf("read %s: got %d contents, want 1", uri, len(res.Contents))
	}
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	if !ok {
		t.Fatalf("read %s: got %T, want text contents", uri, res.Contents[0])
	}
	if tc.URI != uri || tc.MIMEType != MIMEType {
		t.Errorf("read %s: got uri %q mimeType %q, want %q %q", uri, tc.URI, tc.MIMEType, uri, MIMEType)
	}
	return tc.Text, nil
}

// callTool calls a tool and returns its result.
func callTool(t *testing.T, c *mcpclient.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatalf("tools/call %s: got protocol error %v, want a result", name, err)
	}
	return res
}

// jsonOf decodes JSON text into plain values.
func jsonOf(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, text)
	}
	return v
}

// plainJSON converts any value to plain JSON values.
func plainJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return jsonOf(t, string(b))
}

// allPages lists every resources/list page.
func allPages(t *testing.T, c *mcpclient.Client) (pages [][]mcp.Resource, last *mcp.ListResourcesResult) {
	t.Helper()
	cursor := mcp.Cursor("")
	for i := 0; i < 50; i++ {
		req := mcp.ListResourcesRequest{}
		req.Params.Cursor = cursor
		res, err := c.ListResourcesByPage(context.Background(), req)
		if err != nil {
			t.Fatalf("resources/list page %d: %v", i, err)
		}
		pages = append(pages, res.Resources)
		last = res
		if res.NextCursor == "" {
			return pages, last
		}
		cursor = res.NextCursor
	}
	t.Fatal("resources/list: more than 50 pages")
	return nil, nil
}
