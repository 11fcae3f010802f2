package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestRequestLog: one record per request with stable keys, and nothing
// secret in it: no bearer token, no credential header, no query string.
func TestRequestLog(t *testing.T) {
	const token = "tok-log-test-0123456789"
	const headerKey = "header-key-never-logged-42"
	const querySecret = "query-secret-never-logged-7"
	base, logs := serveSecured(t, options{}, httpOptions{tokens: []string{token}})
	call := `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"datafold_list_data_sources","arguments":{}}}`
	requests := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    string
		want    map[string]any // fields the record must have
	}{
		{"tool call", "POST", "/mcp?access_token=" + querySecret, map[string]string{"Authorization": "Bearer " + token, "X-Datafold-Api-Key": headerKey}, call,
			map[string]any{"method": "POST", "path": "/mcp", "status": 200.0, "mcp_method": "tools/call", "tool": "datafold_list_data_sources", "auth": "token",
				"provider": "datafold", "upstream_calls": 1.0, "upstream_status": 200.0}},
		{"refused", "POST", "/mcp", map[string]string{"Authorization": "Bearer wrong-" + token}, pingBody,
			map[string]any{"method": "POST", "path": "/mcp", "status": 401.0}},
		{"health", "GET", "/healthz?token=" + querySecret, nil, "",
			map[string]any{"method": "GET", "path": "/healthz", "status": 200.0, "level": "DEBUG"}},
	}
	for _, rq := range requests {
		var body *strings.Reader
		if rq.body != "" {
			body = strings.NewReader(rq.body)
		} else {
			body = strings.NewReader("")
		}
		post(t, rq.method, base+rq.path, rq.headers, body)
	}
	// Records are written after the answer: wait for the last one.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a safety net only
	defer cancel()
	var records []map[string]any
	parse := func(text string) []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "http request" {
				out = append(out, rec)
			}
		}
		return out
	}
	records = parse(logs.waitFor(ctx, func(text string) bool { return len(parse(text)) >= len(requests) }))
	if len(records) != len(requests) {
		t.Fatalf("got %d request records, want %d: %s", len(records), len(requests), logs.String())
	}
	for i, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			rec := records[i]
			for k, v := range rq.want {
				if rec[k] != v {
					t.Errorf("%s got %v, want %v", k, rec[k], v)
				}
			}
			keys := []string{"duration_ms", "bytes", "remote"}
			if rq.want["upstream_calls"] != nil {
				keys = append(keys, "upstream_ms")
			}
			for _, k := range keys {
				if _, ok := rec[k]; !ok {
					t.Errorf("record lacks %s: %v", k, rec)
				}
			}
		})
	}
	l := logs.String()
	// A tool call is one Info line: its upstream call is in the request's record.
	for _, line := range strings.Split(strings.TrimSpace(l), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "upstream call" && rec["level"] == "INFO" {
			t.Errorf("got an Info record per upstream call, want it in the request's record: %s", line)
		}
	}
	for _, secret := range []string{token, headerKey, querySecret} {
		if strings.Contains(l, secret) {
			t.Errorf("log holds %q: %s", secret, bound(l, 1000))
		}
	}
}

// TestGracefulShutdown: when the serve context ends (SIGTERM), a call in
// flight finishes and is answered before the server returns.
func TestGracefulShutdown(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[{"id":1,"name":"slow warehouse"}]`))
	}))
	defer up.Close()
	env := envMap(map[string]string{"DATAFOLD_BASE_URL": up.URL, "DATAFOLD_API_KEY": "slow-key-1234"})
	a, err := assemble(options{getenv: env, timeout: 5 * time.Second, logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := &closeSignal{Listener: ln, closed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveHTTPOn(ctx, a.mcp, closed, discardLogger()) }()
	c := httpClient(t, "http://"+ln.Addr().String()+"/mcp", nil)

	type outcome struct {
		res *mcp.CallToolResult
		err error
	}
	result := make(chan outcome, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = "datafold_list_data_sources"
		res, err := c.CallTool(context.Background(), req)
		result <- outcome{res, err}
	}()
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		t.Fatal("the call did not reach the upstream within a minute")
	}
	cancel()        // what SIGTERM does
	<-closed.closed // shutdown has begun: the listener is closed
	select {
	case err := <-done:
		close(release)
		t.Fatalf("server returned (%v) with a call in flight, want it to wait", err)
	default: // the call holds it: it cannot return before release
	}
	if conn, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		conn.Close()
		t.Error("a new connection was accepted during shutdown, want it refused")
	}
	close(release)
	select {
	case o := <-result:
		if o.err != nil || o.res.IsError {
			t.Errorf("in-flight call got %v %s, want success", o.err, mcpgo.Text(o.res))
		} else if !strings.Contains(mcpgo.Text(o.res), "slow warehouse") {
			t.Errorf("in-flight call got %s, want the upstream's answer", mcpgo.Text(o.res))
		}
	case <-time.After(time.Minute):
		t.Fatal("the in-flight call did not finish within a minute")
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server stopped with %v, want a clean shutdown", err)
		}
	case <-time.After(time.Minute):
		t.Error("server did not return within a minute of the last call")
	}
}

// closeSignal is a listener that reports when it is closed (the server's
// shutdown begins by closing its listeners).
type closeSignal struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeSignal) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}
