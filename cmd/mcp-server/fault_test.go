package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"
)

// Upstream faults met through the whole server: the server configured as
// in production (credentials and base URL from the environment), served
// over streamable HTTP on loopback, spoken to by an MCP client. Each fault
// must give a bounded number of upstream attempts and a clear isError
// result, the server must keep serving, and nothing may be left running
// once it stops. tools/fault_test.go covers the same faults one layer down,
// with the client's retry waits shortened; here the server's own retry
// settings apply (2 retries, backoff from 200 ms, Retry-After honoured up
// to 10 s) with a 300 ms attempt timeout, and the cases run in parallel.

// srvFaultTimeout is --timeout of the server under test.
const srvFaultTimeout = 300 * time.Millisecond

// srvFaults maps the data source id the tool is called with to the fault
// the upstream answers with. Id 1 answers normally.
var srvFaults = map[int]string{
	1:  "ok",
	2:  "429 Retry-After",
	3:  "500",
	4:  "502",
	5:  "503",
	6:  "slower than the timeout",
	7:  "connection reset",
	8:  "truncated JSON (body cut short)",
	9:  "truncated JSON (complete answer)",
	10: "HTML error page",
	11: "50 MB body",
}

// srvFaultUpstream stands for Datafold: GET /api/v1/data_sources/{id}
// answers with the fault of id, and every attempt is recorded. Keep-alives
// are off so that net/http never retries a reused connection on its own.
type srvFaultUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string][]time.Time
}

func newSrvFaultUpstream(t *testing.T) *srvFaultUpstream {
	t.Helper()
	u := &srvFaultUpstream{hits: map[string][]time.Time{}}
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/api/v1/data_sources/"))
		fault, ok := srvFaults[id]
		if err != nil || !ok {
			http.Error(w, `{"detail":"no such route"}`, http.StatusNotFound)
			return
		}
		u.mu.Lock()
		u.hits[fault] = append(u.hits[fault], time.Now())
		u.mu.Unlock()
		writeFault(w, r, fault)
	}))
	u.Config.SetKeepAlivesEnabled(false)
	u.Start()
	return u
}

func (u *srvFaultUpstream) attempts(fault string) []time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]time.Time(nil), u.hits[fault]...)
}

// writeFault writes one fault's answer (the same faults as
// tools/fault_test.go).
func writeFault(w http.ResponseWriter, r *http.Request, fault string) {
	w.Header().Set("Content-Type", "application/json")
	switch fault {
	case "ok":
		fmt.Fprint(w, `{"id":1,"name":"Snowflake prod","type":"snowflake"}`)
	case "429 Retry-After":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"detail":"Request was throttled. Expected available in 1 second."}`)
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"detail":"Internal server error"}`)
	case "502":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "upstream connect error or disconnect/reset before headers")
	case "503":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"detail":"Down for maintenance"}`)
	case "slower than the timeout":
		select {
		case <-time.After(10 * time.Second):
			fmt.Fprint(w, `{"id":6}`)
		case <-r.Context().Done():
		}
	case "connection reset":
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // RST, not FIN
		}
		conn.Close()
	case "truncated JSON (body cut short)":
		body := `{"id":8,"name":"Snowflake prod","columns":[{"name":"id"},{"na`
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+500))
		fmt.Fprint(w, body)
	case "truncated JSON (complete answer)":
		fmt.Fprint(w, `{"id":9,"name":"Snowflake prod","columns":[{"name":"id"},{"na`)
	case "HTML error page":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx/1.25.3</center>\n</body>\n</html>")
	case "50 MB body":
		const size = 50 << 20
		w.Header().Set("Content-Length", strconv.Itoa(size))
		chunk := []byte(`{"items":[` + strings.Repeat(" ", 64<<10-10))
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), size-n)]); err != nil {
				return // the client stopped reading
			}
			chunk = []byte(strings.Repeat(" ", 64<<10))
		}
	default:
		panic("unknown fault " + fault)
	}
}

func TestFaultsThroughServer(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	up := newSrvFaultUpstream(t)
	env := envMap(map[string]string{"DATAFOLD_BASE_URL": up.URL, "DATAFOLD_API_KEY": "server-fault-key-0c4e"})
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := assemble(options{getenv: env, timeout: srvFaultTimeout, logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serveHTTPOn(ctx, a.mcp, ln, logger) }()

	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := mcpclient.NewStreamableHttpClient("http://"+ln.Addr().String()+"/mcp", transport.WithHTTPBasicClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "fault-test", Version: "1"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	call := func(id int) (string, bool, time.Duration, error) {
		req := mcp.CallToolRequest{}
		req.Params.Name = "datafold_get_data_source"
		req.Params.Arguments = map[string]any{"data_source_id": id}
		cctx, ccancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer ccancel()
		start := time.Now()
		res, err := c.CallTool(cctx, req)
		if err != nil {
			return "", false, time.Since(start), err
		}
		return mcpgo.Text(res), res.IsError, time.Since(start), nil
	}

	cases := []struct {
		fault    string
		attempts int
		minTook  time.Duration // the waits the retries must have honoured
		want     []string
	}{
		{"429 Retry-After", 3, 2 * time.Second, []string{"429 Too Many Requests", "throttled", "wait 1s and call again"}},
		{"500", 1, 0, []string{"500 Internal Server Error", "call again later"}},
		{"502", 3, 0, []string{"502 Bad Gateway", "upstream connect error", "call again later"}},
		{"503", 3, 0, []string{"503 Service Unavailable", "Down for maintenance", "call again later"}},
		{"slower than the timeout", 3, 3 * srvFaultTimeout, []string{"did not answer in time (3 attempts)", "call again later"}},
		{"connection reset", 3, 0, []string{"broke off before a complete answer", "connection reset by peer", "call again"}},
		{"truncated JSON (body cut short)", 3, 0, []string{"broke off before a complete answer", "unexpected EOF", "call again"}},
		{"truncated JSON (complete answer)", 1, 0, []string{"answered 200 with malformed JSON", "call again"}},
		{"HTML error page", 3, 0, []string{"502 Bad Gateway", "nginx/1.25.3", "call again later"}},
		{"50 MB body", 1, 0, []string{"response too large", "ask for less"}},
	}
	t.Run("faults", func(t *testing.T) {
		for _, tc := range cases {
			id := 0
			for k, v := range srvFaults {
				if v == tc.fault {
					id = k
				}
			}
			t.Run(tc.fault, func(t *testing.T) {
				t.Parallel()
				got, isError, took, err := call(id)
				if err != nil {
					t.Fatalf("tools/call got protocol error %v, want an isError result", err)
				}
				t.Logf("%d attempts in %v: %s", len(up.attempts(tc.fault)), took.Round(time.Millisecond), got)
				if !isError {
					t.Errorf("got isError false, want true; text %q", got)
				}
				if want := "datafold_get_data_source failed: "; !strings.HasPrefix(got, want) {
					t.Errorf("got %q, want it to start with %q", got, want)
				}
				for _, w := range tc.want {
					if !strings.Contains(strings.ToLower(got), strings.ToLower(w)) {
						t.Errorf("got %q, want it to contain %q", got, w)
					}
				}
				if n := len(up.attempts(tc.fault)); n != tc.attempts {
					t.Errorf("got %d upstream attempts, want %d", n, tc.attempts)
				}
				if took < tc.minTook {
					t.Errorf("got the answer after %v, want at least %v (waits honoured)", took, tc.minTook)
				}
				if took > 5*time.Second {
					t.Errorf("got the answer after %v, want at most 5s (bounded retries)", took)
				}
				if got, isError, _, err := call(1); err != nil || isError || !strings.Contains(got, "Snowflake prod") {
					t.Errorf("normal call after the fault got %v isError=%v %q, want the data source", err, isError, got)
				}
			})
		}
	})
	t.Run("server keeps serving", func(t *testing.T) {
		if _, err := c.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
			t.Errorf("tools/list after the faults got %v, want the list", err)
		}
		if got, isError, _, err := call(1); err != nil || isError {
			t.Errorf("normal call got %v isError=%v %q, want success", err, isError, got)
		}
		if err := c.Ping(context.Background()); err != nil {
			t.Errorf("ping got %v, want nil", err)
		}
	})
	if strings.Contains(logs.String(), "server-fault-key-0c4e") {
		t.Error("the API key reached the log")
	}

	_ = c.Close()
	hc.CloseIdleConnections()
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("server stopped with %v, want a clean shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down within 10s")
	}
	up.Close()
	goleak.VerifyNone(t, leaks)
}
