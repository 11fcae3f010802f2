package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// exercise initializes, lists the tools and calls one, as any client would.
func exercise(t *testing.T, c *mcpclient.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-test", Version: "1"}
	got, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if got.ServerInfo.Name != "datastack-mcp" {
		t.Errorf("server name got %q, want datastack-mcp", got.ServerInfo.Name)
	}
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	if want := sandboxTools(t); len(list.Tools) != want {
		t.Errorf("tools/list got %d tools, want %d (every tool --sandbox offers)", len(list.Tools), want)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "datafold_list_data_sources"
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("tools/call: %v", err)
	}
	if res.IsError || res.StructuredContent == nil {
		t.Errorf("tools/call got isError=%v structured=%v, want a structured success", res.IsError, res.StructuredContent != nil)
	}
	bad := mcp.CallToolRequest{}
	bad.Params.Name = "datafold_get_data_source"
	bad.Params.Arguments = map[string]any{"data_source_id": "one"}
	res, err = c.CallTool(ctx, bad)
	if err != nil {
		t.Fatalf("tools/call with a bad argument got protocol error %v, want an isError result", err)
	}
	if !res.IsError {
		t.Error("tools/call with a string for an integer got success, want isError")
	}
}

// TestStdioBinary builds the real binary and speaks MCP to it over stdio.
func TestStdioBinary(t *testing.T) {
	t.Parallel() // independent of the other tests; runs beside them
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "mcp-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	c, err := mcpclient.NewStdioMCPClient(bin, []string{"MCP_LOG_LEVEL=warn"}, "--sandbox")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exercise(t, c)
}

// TestHTTP serves stateless streamable HTTP on a loopback port.
func TestHTTP(t *testing.T) {
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveHTTPOn(ctx, a.mcp, ln, discardLogger()) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz got %d, want 200", resp.StatusCode)
	}

	c, err := mcpclient.NewStreamableHttpClient(base + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	exercise(t, c)
	c.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server stopped with %v, want a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("server did not shut down within 10s")
	}
}
