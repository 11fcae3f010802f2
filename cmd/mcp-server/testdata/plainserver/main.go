// Command plainserver is the comparator of the benchmarks in
// cmd/mcp-server/bench_test.go: a plain mcp-go server, with none of
// datastack-mcp's machinery, that serves as many tools as datastack-mcp
// (the benchmarks pass -tools) with trivial handlers. It is test-only and
// lives under testdata so that `go build ./...` and `go vet ./...` skip it.
//
//	plainserver [-tools N]                      serve MCP over stdio
//	plainserver [-tools N] -http 127.0.0.1:0    serve stateless streamable HTTP at /mcp
//	plainserver -answer '{"id":1,…}'           every tool answers with this object
//	plainserver -upstream http://HOST/path      every tool GETs this URL and answers with its body
//
// Over HTTP the bound URL is printed on stderr as "url=http://ADDR/mcp".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// schema is a small object schema, shaped like a "get one item by id" tool.
const schema = `{"type":"object","properties":{"id":{"type":"integer","description":"Identifier of the item."},` +
	`"verbose":{"type":"boolean","description":"Return every field."}},"required":["id"],"additionalProperties":false}`

func main() {
	httpAddr := flag.String("http", "", "serve stateless streamable HTTP at /mcp on this address instead of stdio")
	toolCount := flag.Int("tools", 137, "number of tools to serve")
	answer := flag.String("answer", "", "a JSON object every tool answers with (as text and structuredContent) instead of its small item")
	upstream := flag.String("upstream", "", "a URL every tool GETs, answering with the body it read (as text and structuredContent): a plain proxy")
	flag.Parse()
	var fixed map[string]any
	if *answer != "" {
		if err := json.Unmarshal([]byte(*answer), &fixed); err != nil {
			fmt.Fprintln(os.Stderr, "plainserver: -answer:", err)
			os.Exit(2)
		}
	}

	s := server.NewMCPServer("plainserver", "1.0.0", server.WithToolCapabilities(false))
	for i := 0; i < *toolCount; i++ {
		name := fmt.Sprintf("plain_tool_%03d", i)
		t := mcp.NewToolWithRawSchema(name, fmt.Sprintf("Get one item of kind %d by id. Returns the item as JSON.", i), []byte(schema))
		switch {
		case *upstream != "":
			s.AddTool(t, proxyHandler(*upstream))
		case fixed != nil:
			s.AddTool(t, fixedHandler(fixed, *answer))
		default:
			s.AddTool(t, handler(name))
		}
	}

	if *httpAddr == "" {
		if err := server.ServeStdio(s); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "plainserver:", err)
			os.Exit(1)
		}
		return
	}
	if err := serveHTTP(s, *httpAddr); err != nil {
		fmt.Fprintln(os.Stderr, "plainserver:", err)
		os.Exit(1)
	}
}

// handler answers with a small JSON object, as text and as structuredContent.
func handler(name string) server.ToolHandlerFunc {
	return func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		id := req.GetInt("id", 0)
		item := map[string]any{"id": id, "tool": name, "name": fmt.Sprintf("item %d", id), "ok": true}
		return mcp.NewToolResultStructured(item, fmt.Sprintf(`{"id":%d,"tool":%q,"name":"item %d","ok":true}`, id, name, id)), nil
	}
}

// proxyHandler answers with what a GET of url returns, read whole, as text
// and as structuredContent: what a plain mcp-go server in front of an API
// does, with nothing bounded or redacted.
func proxyHandler(url string) server.ToolHandlerFunc {
	return func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, err
		}
		resp, err := proxyClient.Do(req)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		return mcp.NewToolResultStructured(json.RawMessage(body), string(body)), nil
	}
}

// proxyClient keeps as many idle connections to the upstream as
// mcp-server's client does (32 a host, client/client.go), so that with 8
// clients calling at once neither server redials per call: the
// throughput comparison is of like with like.
var proxyClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}()}

// fixedHandler answers with the same object every time: it is decoded once,
// so a call costs only what carrying the answer through mcp-go costs.
func fixedHandler(obj map[string]any, text string) server.ToolHandlerFunc {
	return func(_ context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultStructured(obj, text), nil
	}
}

func serveHTTP(s *server.MCPServer, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	httpSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	mux.Handle("/mcp", server.NewStreamableHTTPServer(s,
		server.WithStateLess(true),
		server.WithEndpointPath("/mcp"),
		server.WithStreamableHTTPServer(httpSrv),
	))
	fmt.Fprintf(os.Stderr, "plainserver serving url=http://%s/mcp\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return httpSrv.Shutdown(shutdownCtx)
}
