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
// to 10 s), and the cases run in parallel.
//
// Nothing here races a clock: the upstream that never answers waits until
// the server gives up (a server with a 300 ms --timeout serves that case),
// every other case is served by a server whose --timeout no loaded
// machine reaches, and the oversized answer declares its size, which is
// refused before any of it is read.

// srvFaultTimeout is --timeout of the server for the upstream that never
// answers; srvPatientTimeout that of the server for every other case.
const (
	srvFaultTimeout   = 300 * time.Millisecond
	srvPatientTimeout = time.Minute
)

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
	12: "302 to another port",
	13: "307 to another host",
}

// srvFaultUpstream stands for Datafold: GET /api/v1/data_sources/{id}
// answers with the fault of id, and every attempt is recorded. Keep-alives
// are off so that net/http never retries a reused connection on its own.
type srvFaultUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string][]time.Time
	// elsewhere is where the redirects point: it must never be reached.
	elsewhere     *httptest.Server
	elsewhereHits []string // Authorization headers that reached it
}

func newSrvFaultUpstream(t *testing.T) *srvFaultUpstream {
	t.Helper()
	u := &srvFaultUpstream{hits: map[string][]time.Time{}}
	u.elsewhere = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.elsewhereHits = append(u.elsewhereHits, r.Header.Get("Authorization"))
		u.mu.Unlock()
		fmt.Fprint(w, `{"id":666,"name":"forged by another host"}`)
	}))
	t.Cleanup(u.elsewhere.Close)
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
		switch fault {
		case "302 to another port":
			http.Redirect(w, r, u.elsewhere.URL+r.URL.Path, http.StatusFound)
		case "307 to another host":
			http.Redirect(w, r, strings.Replace(u.elsewhere.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusTemporaryRedirect)
		default:
			writeFault(w, r, fault)
		}
	}))
	u.Config.SetKeepAlivesEnabled(false)
	u.Start()
	return u
}

func (u *srvFaultUpstream) redirected() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.elsewhereHits...)
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
		<-r.Context().Done() // never answers: the server gives up
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

// faultServer is the server under test, served over streamable HTTP on
// loopback, with an MCP client connected to it.
type faultServer struct {
	c      *mcpclient.Client
	hc     *http.Client
	cancel context.CancelFunc
	served chan error
}

func startFaultServer(t *testing.T, env func(string) string, timeout time.Duration, logger *slog.Logger) *faultServer {
	t.Helper()
	a, err := assemble(options{getenv: env, timeout: timeout, logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	fs := &faultServer{cancel: cancel, served: make(chan error, 1)}
	go func() { fs.served <- serveHTTPOn(ctx, a.mcp, ln, logger) }()

	fs.hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	fs.c, err = mcpclient.NewStreamableHttpClient("http://"+ln.Addr().String()+"/mcp", transport.WithHTTPBasicClient(fs.hc))
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "fault-test", Version: "1"}
	if _, err := fs.c.Initialize(context.Background(), init); err != nil {
		t.Fatal(err)
	}
	return fs
}

// call calls datafold_get_data_source with id.
func (fs *faultServer) call(id int) (string, bool, time.Duration, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = "datafold_get_data_source"
	req.Params.Arguments = map[string]any{"data_source_id": id}
	cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer ccancel()
	start := time.Now()
	res, err := fs.c.CallTool(cctx, req)
	if err != nil {
		return "", false, time.Since(start), err
	}
	return mcpgo.Text(res), res.IsError, time.Since(start), nil
}

// stop closes the client and shuts the server down.
func (fs *faultServer) stop(t *testing.T) {
	t.Helper()
	_ = fs.c.Close()
	fs.hc.CloseIdleConnections()
	fs.cancel()
	if err := <-fs.served; err != nil {
		t.Errorf("server stopped with %v, want a clean shutdown", err)
	}
}

func TestFaultsThroughServer(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	up := newSrvFaultUpstream(t)
	const key = "server-fault-key-0c4e"
	env := envMap(map[string]string{"DATAFOLD_BASE_URL": up.URL, "DATAFOLD_API_KEY": key})
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	patient := startFaultServer(t, env, srvPatientTimeout, logger)
	impatient := startFaultServer(t, env, srvFaultTimeout, logger)

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
		{"302 to another port", 1, 0, []string{"302 Found", "redirected to " + up.elsewhere.URL + "/api/v1/data_sources/12", "configured base URL " + up.URL}},
		{"307 to another host", 1, 0, []string{"307 Temporary Redirect", "redirected to http://localhost:", "configured base URL " + up.URL}},
	}
	t.Run("faults", func(t *testing.T) {
		for _, tc := range cases {
			id := 0
			for k, v := range srvFaults {
				if v == tc.fault {
					id = k
				}
			}
			srv := patient
			if tc.fault == "slower than the timeout" {
				srv = impatient
			}
			t.Run(tc.fault, func(t *testing.T) {
				t.Parallel()
				got, isError, took, err := srv.call(id)
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
				for _, w := range []string{key, "forged by another host"} {
					if strings.Contains(got, w) {
						t.Errorf("got %q, want no %q in it", got, w)
					}
				}
				if n := len(up.attempts(tc.fault)); n != tc.attempts {
					t.Errorf("got %d upstream attempts, want %d", n, tc.attempts)
				}
				if took < tc.minTook {
					t.Errorf("got the answer after %v, want at least %v (waits honoured)", took, tc.minTook)
				}
				if got, isError, _, err := patient.call(1); err != nil || isError || !strings.Contains(got, "Snowflake prod") {
					t.Errorf("normal call after the fault got %v isError=%v %q, want the data source", err, isError, got)
				}
			})
		}
	})
	if hits := up.redirected(); len(hits) != 0 {
		t.Errorf("got %d requests at the redirect target (Authorization %q), want none", len(hits), hits)
	}
	t.Run("server keeps serving", func(t *testing.T) {
		for _, srv := range []*faultServer{patient, impatient} {
			if _, err := srv.c.ListTools(context.Background(), mcp.ListToolsRequest{}); err != nil {
				t.Errorf("tools/list after the faults got %v, want the list", err)
			}
			if got, isError, _, err := srv.call(1); err != nil || isError {
				t.Errorf("normal call got %v isError=%v %q, want success", err, isError, got)
			}
			if err := srv.c.Ping(context.Background()); err != nil {
				t.Errorf("ping got %v, want nil", err)
			}
		}
	})
	if strings.Contains(logs.String(), key) {
		t.Error("the API key reached the log")
	}
	patient.stop(t)
	impatient.stop(t)
	up.Close()
	up.elsewhere.Close()
	goleak.VerifyNone(t, leaks)
}
