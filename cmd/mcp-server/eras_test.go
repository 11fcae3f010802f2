package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/tools/diff"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Both protocol eras, with the official Go SDK (github.com/modelcontextprotocol/go-sdk
// v1.8.0, a test-only dependency) as the client, over stdio (the built
// binary) and stateless streamable HTTP (serveHTTPOn on loopback):
//
//   - 2026-07-28: the SDK's default; it calls server/discover, never
//     initialize, and every request carries its protocol version, client
//     info and capabilities in _meta;
//   - 2025-11-25: the initialize handshake (ClientSessionOptions.ProtocolVersion).
//
// .ci/conformance/eras.mjs does the same with the TypeScript SDK.

const (
	eraModern = "2026-07-28"
	eraLegacy = "2025-11-25"
)

// conformanceFixtures are names the conformance suite calls, which only the
// test-only build (go build -tags conformance, fixtures_conformance.go)
// registers.
var conformanceFixtures = []string{
	"test_simple_text", "test_image_content", "test_audio_content", "test_embedded_resource",
	"test_multiple_content_types", "test_tool_with_logging", "test_error_handling", "test_tool_with_progress",
	"test_sampling", "test_elicitation", "test_elicitation_sep1034_defaults", "test_elicitation_sep1330_enums",
	"json_schema_2020_12_tool", "test_reconnection",
	"test://static-text", "test://static-binary", "test://watched-resource", "test://template/{id}/data",
	"test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image",
}

// buildErasBinary builds the product binary (no build tags) once per test.
func buildErasBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "mcp-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// eraWire records the JSON-RPC messages a client posts over HTTP.
type eraWire struct {
	mu   sync.Mutex
	sent []eraMessage
}

type eraMessage struct {
	Method  string `json:"method"`
	ID      any    `json:"id"`
	Version string // MCP-Protocol-Version header
	Meta    map[string]json.RawMessage
}

func (w *eraWire) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var m struct {
			eraMessage
			Params struct {
				Meta map[string]json.RawMessage `json:"_meta"`
			} `json:"params"`
		}
		if json.Unmarshal(body, &m) == nil {
			m.Version, m.Meta = r.Header.Get("Mcp-Protocol-Version"), m.Params.Meta
			w.mu.Lock()
			w.sent = append(w.sent, m.eraMessage)
			w.mu.Unlock()
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// requests returns the requests (not notifications, not responses) sent.
func (w *eraWire) requests() []eraMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []eraMessage
	for _, m := range w.sent {
		if m.Method != "" && m.ID != nil {
			out = append(out, m)
		}
	}
	return out
}

// connectGo connects the Go SDK's client; era "" is the SDK's default (the
// latest, 2026-07-28).
func connectGo(t *testing.T, tr gomcp.Transport, era string, opts *gomcp.ClientOptions) *gomcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := gomcp.NewClient(&gomcp.Implementation{Name: "datastack-eras-test", Version: "1"}, opts)
	cs, err := c.Connect(ctx, tr, &gomcp.ClientSessionOptions{ProtocolVersion: era})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// exerciseGo lists the tools, calls a sandbox tool, lists the resources and
// reads one.
func exerciseGo(t *testing.T, cs *gomcp.ClientSession) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatalf("tools/list: %v", err)
		}
		names = append(names, tool.Name)
	}
	if want := sandboxTools(t); len(names) != want {
		t.Errorf("tools/list got %d tools, want %d", len(names), want)
	}
	for _, f := range conformanceFixtures {
		if slices.Contains(names, f) {
			t.Errorf("tools/list offers the conformance fixture %s", f)
		}
	}
	res, err := cs.CallTool(ctx, &gomcp.CallToolParams{Name: "datafold_list_data_sources", Arguments: map[string]any{}})
	if err != nil {
		t.Fatalf("tools/call: %v", err)
	}
	text := ""
	if len(res.Content) > 0 {
		if tc, ok := res.Content[0].(*gomcp.TextContent); ok {
			text = tc.Text
		}
	}
	if res.IsError || res.StructuredContent == nil || !strings.Contains(text, "Snowflake") {
		t.Errorf("datafold_list_data_sources got isError=%v structured=%v text %.200q, want the sandbox's data sources",
			res.IsError, res.StructuredContent != nil, text)
	}
	bad, err := cs.CallTool(ctx, &gomcp.CallToolParams{Name: "datafold_get_data_source", Arguments: map[string]any{"data_source_id": "one"}})
	if err != nil || !bad.IsError {
		t.Errorf("a string for an integer argument got err=%v, want an isError result", err)
	}
	list, err := cs.ListResources(ctx, nil)
	if err != nil || len(list.Resources) == 0 {
		t.Fatalf("resources/list got %v, %v, want resources", list, err)
	}
	uri := list.Resources[0].URI
	read, err := cs.ReadResource(ctx, &gomcp.ReadResourceParams{URI: uri})
	if err != nil {
		t.Fatalf("resources/read %s: %v", uri, err)
	}
	if len(read.Contents) == 0 || read.Contents[0].URI == "" || (read.Contents[0].Text == "" && len(read.Contents[0].Blob) == 0) {
		t.Errorf("resources/read %s got no contents", uri)
	}
}

// TestErasGoSDK: the Go SDK negotiates each era over stdio and HTTP, and the
// same conversation works in both.
func TestErasGoSDK(t *testing.T) {
	t.Parallel() // independent of the other tests; runs beside them
	bin := buildErasBinary(t)
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	url := serveOn(t, a)
	for _, era := range []struct{ name, ask, want string }{
		{"modern", "", eraModern}, // the SDK's default
		{"legacy", eraLegacy, eraLegacy},
	} {
		t.Run(era.name+"/stdio", func(t *testing.T) {
			cmd := exec.Command(bin, "--sandbox")
			cmd.Env = append(os.Environ(), "MCP_LOG_LEVEL=warn")
			cs := connectGo(t, &gomcp.CommandTransport{Command: cmd}, era.ask, nil)
			if got := cs.InitializeResult().ProtocolVersion; got != era.want {
				t.Fatalf("negotiated %s, want %s", got, era.want)
			}
			exerciseGo(t, cs)
		})
		t.Run(era.name+"/http", func(t *testing.T) {
			w := &eraWire{}
			cs := connectGo(t, &gomcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: w}, MaxRetries: -1}, era.ask, nil)
			if got := cs.InitializeResult().ProtocolVersion; got != era.want {
				t.Fatalf("negotiated %s, want %s", got, era.want)
			}
			exerciseGo(t, cs)
			reqs := w.requests()
			methods := make([]string, len(reqs))
			for i, m := range reqs {
				methods[i] = m.Method
			}
			switch era.want {
			case eraModern:
				if len(reqs) == 0 || reqs[0].Method != "server/discover" || slices.Contains(methods, "initialize") {
					t.Errorf("requests %v, want server/discover first and no initialize", methods)
				}
				for _, m := range reqs {
					if string(m.Meta[gomcp.MetaKeyProtocolVersion]) != `"`+eraModern+`"` || m.Version != eraModern {
						t.Errorf("%s: _meta %s = %s, header %q; want %s in both", m.Method, gomcp.MetaKeyProtocolVersion,
							m.Meta[gomcp.MetaKeyProtocolVersion], m.Version, eraModern)
					}
				}
			case eraLegacy:
				if len(reqs) == 0 || reqs[0].Method != "initialize" || slices.Contains(methods, "server/discover") {
					t.Errorf("requests %v, want initialize first and no server/discover", methods)
				}
				for _, m := range reqs[1:] {
					if m.Version != eraLegacy {
						t.Errorf("%s: MCP-Protocol-Version %q, want %s", m.Method, m.Version, eraLegacy)
					}
				}
			}
		})
	}
}

// goProgress collects the progress notifications a Go SDK client receives.
type goProgress struct {
	mu    sync.Mutex
	notes []progressNote
	final chan struct{} // closed when a final notification (progress == total) arrives
}

func (p *goProgress) options() *gomcp.ClientOptions {
	p.final = make(chan struct{})
	return &gomcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, r *gomcp.ProgressNotificationClientRequest) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.notes = append(p.notes, progressNote{token: fmt.Sprint(r.Params.ProgressToken), progress: r.Params.Progress,
			total: r.Params.Total, message: r.Params.Message})
		if r.Params.Progress == r.Params.Total {
			select {
			case <-p.final:
			default:
				close(p.final)
			}
		}
	}}
}

// awaitFinal waits until the final notification has arrived (the SDK
// delivers notifications on its own goroutine, so they may trail the
// result), or ctx ends; it returns what arrived.
func (p *goProgress) awaitFinal(ctx context.Context) []progressNote {
	select {
	case <-p.final:
	case <-ctx.Done():
	}
	return p.all()
}

// getSeen is an HTTP transport that reports when a GET has been answered.
type getSeen struct {
	once sync.Once
	done chan struct{}
}

func (g *getSeen) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if r.Method == http.MethodGet {
		g.once.Do(func() { close(g.done) })
	}
	return resp, err
}

func (p *goProgress) all() []progressNote {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.notes)
}

// TestErasProgressOverHTTP: progress of a diff reaches the caller, complete
// and before the result, in both eras (2026-07-28 carries the progress token
// in the request's _meta with the protocol version), and reaches no one
// else: client A, connected but idle, hears nothing of client B's call.
//
// Stateless, every standalone GET stream would share the session id "" and
// mcp-go would send every other client's notifications down it; serveHTTPOn
// answers GET with 405 (server.WithDisableStreaming), which clients take as
// "no stream".
func TestErasProgressOverHTTP(t *testing.T) {
	a := diffServer(t, selection{}, 10*time.Second)
	url := serveOn(t, a)
	for _, era := range []string{eraModern, eraLegacy} {
		t.Run(era, func(t *testing.T) {
			var heardByA, heardByB goProgress
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a safety net only
			defer cancel()
			// A: the SDK opens its standalone GET stream after connecting
			// (2025-11-25); the call below waits until it has been answered.
			gotGET := &getSeen{done: make(chan struct{})}
			clientA := connectGo(t, &gomcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1, HTTPClient: &http.Client{Transport: gotGET}}, eraLegacy, heardByA.options())
			_ = clientA
			clientB := connectGo(t, &gomcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1}, era, heardByB.options())
			if got := clientB.InitializeResult().ProtocolVersion; got != era {
				t.Fatalf("negotiated %s, want %s", got, era)
			}
			select {
			case <-gotGET.done:
			case <-ctx.Done():
				t.Fatal("client A never sent its GET")
			}
			params := &gomcp.CallToolParams{Name: diff.TablesName, Arguments: ordersDiff}
			params.SetProgressToken("diff-" + era)
			res, err := clientB.CallTool(ctx, params)
			if err != nil || res.IsError {
				t.Fatalf("diff_tables got %v %+v", err, res)
			}
			// Complete progress on B's own stream (a notification sent
			// elsewhere, or lost, leaves it incomplete).
			checkProgress(t, heardByB.awaitFinal(ctx), 3)
			if got := heardByA.all(); len(got) > 0 {
				t.Errorf("client A received %d progress notifications of client B's call: %v", len(got), got)
			}
		})
	}
}

// TestStatelessGETRefused: GET /mcp is 405 for both eras, so no client
// can open a stream other clients' notifications would be sent down.
func TestStatelessGETRefused(t *testing.T) {
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	url := serveOn(t, a)
	for _, era := range []string{eraLegacy, eraModern} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", era)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close() // an open stream would never end
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /mcp (%s) got %d %s, want 405", era, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestNoFixturesInProduct: the conformance fixtures exist only in the
// test-only build (go build -tags conformance); the product's inventory,
// tools, resources, templates and prompts hold none of them.
func TestNoFixturesInProduct(t *testing.T) {
	if fixtures != nil {
		t.Fatal("fixture hooks are set: this test must run without the conformance build tag")
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"tools", "--all"}, &out, &errOut); code != 0 {
		t.Fatalf("mcp-server tools exited %d: %s", code, errOut.String())
	}
	var inv []inventoryEntry
	if err := json.Unmarshal(out.Bytes(), &inv); err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, e := range inv {
		offered[e.Name] = true
	}

	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for name := range a.mcp.ListTools() {
		offered[name] = true
	}
	cs := connectGo(t, &gomcp.StreamableClientTransport{Endpoint: serveOn(t, a), MaxRetries: -1}, "", nil)
	ctx := context.Background()
	for r, err := range cs.Resources(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		offered[r.URI] = true
	}
	for r, err := range cs.ResourceTemplates(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		offered[r.URITemplate] = true
	}
	for p, err := range cs.Prompts(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		offered[p.Name] = true
	}
	if len(inv) < generatedTools() || len(offered) < sandboxTools(t) {
		t.Fatalf("inventory %d, offered %d names: want the whole product", len(inv), len(offered))
	}
	for _, f := range conformanceFixtures {
		if offered[f] {
			t.Errorf("the product offers the conformance fixture %s", f)
		}
	}
	for name := range offered {
		if strings.HasPrefix(name, "test://") || strings.HasPrefix(name, "test_") {
			t.Errorf("the product offers %s, named like a conformance fixture", name)
		}
	}
	if a.mcp.GetTool("test_simple_text") != nil {
		t.Error("test_simple_text is registered")
	}
}
