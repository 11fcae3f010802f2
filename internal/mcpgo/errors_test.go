package mcpgo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// fakeCatalog serves demo://{connection}/things/{id}; only connection "c"
// exists.
type fakeCatalog struct{}

const thingsTemplate = "demo://{connection}/things/{id}"

func (fakeCatalog) Templates() []tools.ResourceTemplate {
	return []tools.ResourceTemplate{{URITemplate: thingsTemplate, Name: "thing", MIMEType: "application/json"}}
}

func (fakeCatalog) Page(context.Context, string) ([]tools.Resource, string, error) {
	return nil, "", nil
}

func (fakeCatalog) Resolve(uri string) error {
	if !strings.HasPrefix(uri, "demo://c/") {
		return &tools.ArgumentError{Message: fmt.Sprintf("no resource at %q: no connection there", uri)}
	}
	return nil
}

func (fakeCatalog) ReadContents(_ context.Context, uri string) ([]tools.ResourceContents, error) {
	return []tools.ResourceContents{{URI: uri, MIMEType: "application/json", Text: `{}`}}, nil
}

func (fakeCatalog) CompleteResource(context.Context, string, string, string, map[string]string) *tools.Completion {
	return nil
}

func (fakeCatalog) CompletePrompt(context.Context, string, string, string, map[string]string) *tools.Completion {
	return nil
}

func (fakeCatalog) CacheTTL() time.Duration { return time.Second }

// errorServer is a server with a tool, a prompt that needs an argument and
// the fake catalog.
func errorServer(t *testing.T) *server.MCPServer {
	t.Helper()
	echo, err := tools.New(tools.Spec{Name: "demo_echo_things", Provider: "demo", Toolset: "demo", Description: "Echo."},
		func(context.Context, *tools.Deps, struct{}) *tools.Result { return &tools.Result{Text: "ok"} })
	require.NoError(t, err)
	ask := tools.Prompt{Name: "ask", Description: "Ask.", Arguments: []tools.PromptArgument{{Name: "question", Required: true}},
		Get: func(_ context.Context, args map[string]string) (*tools.PromptResult, error) {
			if args["question"] == "" {
				return nil, &tools.ArgumentError{Message: "ask needs the question argument"}
			}
			return &tools.PromptResult{Messages: []string{args["question"]}}, nil
		}}
	return New(Spec{Name: "demo", Version: "1", Tools: []*tools.Tool{echo}, Deps: &tools.Deps{}, Prompts: []tools.Prompt{ask}, Catalog: fakeCatalog{}}).SDK()
}

// rpcError is the error member of a JSON-RPC response.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// transport sends one JSON-RPC request (params as JSON) and returns the
// error of its response.
type transport func(t *testing.T, id int, method, params string) *rpcError

func stdioTransport(t *testing.T, s *server.MCPServer) transport {
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.NewStdioServer(s).Listen(ctx, toServer, ErrorWriter(fromServer))
	}()
	t.Cleanup(func() {
		cancel()
		_ = fromClient.Close()
		_ = fromServer.Close()
		<-done
	})
	lines := bufio.NewScanner(toClient)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	return func(t *testing.T, id int, method, params string) *rpcError {
		_, err := fmt.Fprintf(fromClient, `{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`+"\n", id, method, params)
		require.NoError(t, err)
		for lines.Scan() {
			var resp struct {
				ID    *int      `json:"id"`
				Error *rpcError `json:"error"`
			}
			require.NoError(t, json.Unmarshal(lines.Bytes(), &resp), "a JSON-RPC line: %s", lines.Text())
			if resp.ID != nil && *resp.ID == id {
				return resp.Error
			}
		}
		t.Fatalf("no response to %d: %v", id, lines.Err())
		return nil
	}
}

func httpTransport(t *testing.T, s *server.MCPServer) transport {
	ts := httptest.NewServer(ErrorHandler(server.NewStreamableHTTPServer(s, server.WithStateLess(true), server.WithEndpointPath("/mcp"))))
	t.Cleanup(ts.Close)
	return func(t *testing.T, id int, method, params string) *rpcError {
		body := fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":%s}`, id, method, params)
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/mcp", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var out struct {
			Error *rpcError `json:"error"`
		}
		require.NoError(t, json.Unmarshal(raw, &out), "a JSON answer: %s", raw)
		return out.Error
	}
}

func inProcessTransport(t *testing.T, s *server.MCPServer) transport {
	tr := InProcessTransport(s)
	require.NoError(t, tr.Start(context.Background()))
	t.Cleanup(func() { _ = tr.Close() })
	return func(t *testing.T, id int, method, params string) *rpcError {
		resp, err := tr.SendRequest(context.Background(), mcptransport.JSONRPCRequest{JSONRPC: mcp.JSONRPC_VERSION,
			ID: mcp.NewRequestId(int64(id)), Method: method, Params: json.RawMessage(params)})
		require.NoError(t, err)
		if resp.Error == nil {
			return nil
		}
		return &rpcError{Code: resp.Error.Code, Message: resp.Error.Message}
	}
}

// TestProtocolErrors: over stdio, streamable HTTP and in process, a missing prompt
// argument and malformed params are invalid params in JSON terms, an
// unknown resource URI is "resource not found" pointing at
// resources/templates/list, and an unknown tool gets a did-you-mean.
func TestProtocolErrors(t *testing.T) {
	cases := []struct {
		name, method, params string
		code                 int
		has                  []string
	}{
		{"missing prompt argument", "prompts/get", `{"name":"ask","arguments":{}}`, mcp.INVALID_PARAMS, []string{"needs the question argument"}},
		{"prompt arguments not an object", "prompts/get", `{"name":"ask","arguments":"x"}`, mcp.INVALID_PARAMS,
			[]string{`invalid params of prompts/get: "params.arguments" must be an object of strings, got a string`}},
		{"tool name not a string", "tools/call", `{"name":5}`, mcp.INVALID_PARAMS, []string{`"params.name" must be a string, got a number`}},
		{"URI of no template", "resources/read", `{"uri":"demo://c/nothing"}`, mcp.RESOURCE_NOT_FOUND,
			[]string{`no resource at "demo://c/nothing"`, "resources/templates/list"}},
		{"URI of a template that names nothing", "resources/read", `{"uri":"demo://elsewhere/things/1"}`, mcp.RESOURCE_NOT_FOUND,
			[]string{"no connection there", "resources/templates/list"}},
		{"unknown tool", "tools/call", `{"name":"demo_echo_thing","arguments":{}}`, mcp.INVALID_PARAMS, []string{"did you mean demo_echo_things?"}},
	}
	for _, tr := range []struct {
		name string
		open func(*testing.T, *server.MCPServer) transport
	}{{"stdio", stdioTransport}, {"http", httpTransport}, {"in process", inProcessTransport}} {
		t.Run(tr.name, func(t *testing.T) {
			send := tr.open(t, errorServer(t))
			for i, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					e := send(t, 100+i, tc.method, tc.params)
					require.NotNil(t, e, "an error response")
					assert.Equal(t, tc.code, e.Code, "code; message %s", e.Message)
					for _, h := range tc.has {
						assert.Contains(t, e.Message, h)
					}
					assert.NotContains(t, e.Message, "Go struct", "Go type names")
					assert.NotContains(t, e.Message, "map[string]", "Go type names")
				})
			}
			// What is not an error passes through.
			e := send(t, 200, "resources/read", `{"uri":"demo://c/things/1"}`)
			assert.Nil(t, e, "a resource that exists")
			e = send(t, 201, "prompts/get", `{"name":"ask","arguments":{"question":"why?"}}`)
			assert.Nil(t, e, "a prompt with its argument")
		})
	}
}

// TestErrorHandlerModernStatus: in protocol 2026-07-28 an error's HTTP
// status follows its code, so a fixed code moves the status with it.
func TestErrorHandlerModernStatus(t *testing.T) {
	cases := []struct {
		name       string
		fx         fix
		status     int
		wantStatus int
		wantCode   int
	}{
		{"modern: internal error becomes invalid params", fix{code: mcp.INVALID_PARAMS, message: "bad", modern: true}, http.StatusOK, http.StatusBadRequest, mcp.INVALID_PARAMS},
		{"earlier protocols keep 200", fix{code: mcp.INVALID_PARAMS, message: "bad"}, http.StatusOK, http.StatusOK, mcp.INVALID_PARAMS},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := 900 + i
			fixes.put(fixKey(float64(id), "boom"), tc.fx)
			inner := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%d,"error":{"code":-32603,"message":"boom"}}`+"\n", id)
			})
			rec := httptest.NewRecorder()
			ErrorHandler(inner).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mcp", nil))
			assert.Equal(t, tc.wantStatus, rec.Code, "HTTP status")
			var out struct{ Error rpcError }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			assert.Equal(t, tc.wantCode, out.Error.Code)
			assert.Equal(t, tc.fx.message, out.Error.Message)
		})
	}
}

// TestFixersPassThrough: with nothing to fix, the writers change no byte.
func TestFixersPassThrough(t *testing.T) {
	msgs := []string{
		`{"jsonrpc":"2.0","id":1,"result":{"ok":true}}` + "\n",
		`{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"nothing filed"}}` + "\n",
		"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32603,\"message\":\"nothing filed\"}}\n\n",
	}
	for _, m := range msgs {
		var buf bytes.Buffer
		n, err := ErrorWriter(&buf).Write([]byte(m))
		require.NoError(t, err)
		assert.Equal(t, len(m), n)
		assert.Equal(t, m, buf.String(), "stdio")
		assert.Equal(t, m, string(fixEvents([]byte(m))), "SSE")
	}
}

func TestParamsMessage(t *testing.T) {
	var args struct {
		Params struct {
			Name      string            `json:"name"`
			Arguments map[string]string `json:"arguments"`
			Limit     int               `json:"limit"`
			Tags      []string          `json:"tags"`
		} `json:"params"`
	}
	cases := []struct{ in, want string }{
		{`{"params":{"name":5}}`, `invalid params of m: "params.name" must be a string, got a number`},
		{`{"params":{"arguments":[1]}}`, `invalid params of m: "params.arguments" must be an object of strings, got an array`},
		{`{"params":{"limit":"x"}}`, `invalid params of m: "params.limit" must be an integer, got a string`},
		{`{"params":{"tags":{}}}`, `invalid params of m: "params.tags" must be an array, got an object`},
		{`{"params":{"name":true}}`, `invalid params of m: "params.name" must be a string, got a boolean`},
	}
	for _, tc := range cases {
		err := json.Unmarshal([]byte(tc.in), &args)
		require.Error(t, err, tc.in)
		assert.Equal(t, tc.want, paramsMessage("m", err), "paramsMessage of %s", tc.in)
	}
	assert.Equal(t, "invalid params of m: they do not have the shape the method takes", paramsMessage("m", io.EOF))
}

// TestPendingFixesBounded: fixes no writer takes (in-process clients) do
// not pile up.
func TestPendingFixesBounded(t *testing.T) {
	p := &pendingFixes{byKey: map[string]fix{}}
	for i := range maxPending + 10 {
		p.put(fixKey(i, "m"), fix{code: i})
	}
	assert.Len(t, p.byKey, maxPending)
	_, ok := p.take(fixKey(0, "m"))
	assert.False(t, ok, "the oldest fix was dropped")
	f, ok := p.take(fixKey(maxPending+9, "m"))
	require.True(t, ok, "the newest fix is kept")
	assert.Equal(t, maxPending+9, f.code)
	_, ok = p.take(fixKey(maxPending+9, "m"))
	assert.False(t, ok, "a fix is taken once")
}
