package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"
	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"

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
// The upstream is internal/upstreamtest's fault server, the one the client
// and tool fault tests use. Nothing here races a clock: the upstream that
// never answers waits until the server gives up (a server with a 300 ms
// --timeout serves that case), every other case is served by a server
// whose --timeout no loaded machine reaches, and the oversized answer
// declares a size just over the server's cap, which is refused before any
// of it is read.

// srvFaultTimeout is --timeout of the server for the upstream that never
// answers; srvPatientTimeout that of the server for every other case.
const (
	srvFaultTimeout   = 300 * time.Millisecond
	srvPatientTimeout = time.Minute
)

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
	up := upstreamtest.NewFaults(t, client.DefaultMaxResponseBytes+1)
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
		{upstreamtest.Throttled, 3, 2 * time.Second, []string{"429 Too Many Requests", "throttled", "wait 1s and call again"}},
		{upstreamtest.Status500, 1, 0, []string{"500 Internal Server Error", "call again later"}},
		{upstreamtest.Status502, 3, 0, []string{"502 Bad Gateway", "upstream connect error", "call again later"}},
		{upstreamtest.Status503, 3, 0, []string{"503 Service Unavailable", "Down for maintenance", "call again later"}},
		{upstreamtest.Slow, 3, 3 * srvFaultTimeout, []string{"did not answer in time (3 attempts)", "call again later"}},
		{upstreamtest.Reset, 3, 0, []string{"broke off before a complete answer", "connection reset by peer", "call again"}},
		{upstreamtest.CutShort, 3, 0, []string{"broke off before a complete answer", "unexpected EOF", "call again"}},
		{upstreamtest.CutComplete, 1, 0, []string{"answered 200 with malformed JSON", "call again"}},
		{upstreamtest.HTMLErrorPage, 3, 0, []string{"502 Bad Gateway", "nginx/1.25.3", "call again later"}},
		{upstreamtest.Huge, 1, 0, []string{"response too large", "ask for less"}},
		{upstreamtest.Redirect302, 1, 0, []string{"302 Found", "redirected to " + up.Elsewhere.URL + upstreamtest.Path(upstreamtest.Redirect302), "configured base URL " + up.URL}},
		{upstreamtest.Redirect307, 1, 0, []string{"307 Temporary Redirect", "redirected to http://localhost:", "configured base URL " + up.URL}},
	}
	t.Run("faults", func(t *testing.T) {
		for _, tc := range cases {
			id := upstreamtest.FaultIDs[tc.fault]
			srv := patient
			if tc.fault == upstreamtest.Slow {
				srv = impatient
			}
			t.Run(tc.fault, func(t *testing.T) {
				t.Parallel()
				got, isError, took, err := srv.call(id)
				if err != nil {
					t.Fatalf("tools/call got protocol error %v, want an isError result", err)
				}
				t.Logf("%d attempts in %v: %s", len(up.Attempts(tc.fault)), took.Round(time.Millisecond), got)
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
				if n := len(up.Attempts(tc.fault)); n != tc.attempts {
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
	if hits := up.Redirected(); len(hits) != 0 {
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
	goleak.VerifyNone(t, leaks)
}
