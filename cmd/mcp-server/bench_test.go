package main

// Benchmarks of the whole server against a plain mcp-go server that serves
// the same number of trivial tools (testdata/plainserver). They build both
// binaries and start processes, so they only run when asked for:
//
//	go test ./cmd/mcp-server -run '^$' -bench . -benchtime 3s -count 1
//
// BENCHMARKS.md holds the published results and explains every metric.
// Without -bench none of this runs; with -short the benchmarks skip.
//
// Variants:
//
//	ours             mcp-server --sandbox: every tool, against the embedded
//	                 sandbox (an in-process upstream); calls read one small
//	                 object (about 100 bytes, like plain's item)
//	ours-large       the same server reading a data source (about 1.2 kB)
//	ours-configured  mcp-server configured as in production (credentials and
//	                 base URLs from the environment), every tool, its upstream
//	                 being the sandbox served over loopback HTTP by the
//	                 benchmark process: the server without the emulator
//	ours-discovery   mcp-server --sandbox --tool-mode discovery (tools/list only)
//	plain            testdata/plainserver: plain mcp-go, as many trivial tools
//	                 as ours offers (mcp-server tools counts them)
//	plain-same-answer  plain, every call answered with ours-large's answer
//	                 (calls only)

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	mcpserver "github.com/datastack-mcp/datastack-mcp/internal/server"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The tool each server is called with: a read against the upstream for
// ours (a small object, like plain's, and a larger one), the trivial
// handler for plain.
const (
	benchOursTool      = "datafold_get_org_spend"   // GET, about 100 bytes
	benchOursLargeTool = "datafold_get_data_source" // GET, about 1.2 kB
	benchPlainTool     = "plain_tool_000"
	benchRSSCalls      = 200              // tools/call requests before peak RSS is read
	benchTimeout       = 60 * time.Second // watchdog of one server process
)

func benchOursArgs() map[string]any      { return map[string]any{} }
func benchOursLargeArgs() map[string]any { return map[string]any{"data_source_id": 1} }
func benchPlainArgs() map[string]any     { return map[string]any{"id": 1} }

// benchBins are the two binaries, built once per top-level benchmark, and
// the number of tools ours offers with every provider (plain serves as many).
type benchBins struct {
	ours, plain string
	tools       int
}

// benchBuild builds mcp-server and plainserver into b.TempDir() with one go
// build (the build cache makes the second and later builds a link only).
func benchBuild(b *testing.B) benchBins {
	b.Helper()
	if testing.Short() {
		b.Skip("builds and starts binaries")
	}
	dir := b.TempDir()
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), ".", "./testdata/plainserver")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	bins := benchBins{ours: filepath.Join(dir, "mcp-server"), plain: filepath.Join(dir, "plainserver")}
	// The plain server serves as many tools as ours does with --sandbox.
	bins.tools = sandboxTools(b)
	return bins
}

// benchServer says how to start one server over stdio and what to call.
type benchServer struct {
	bin      string
	args     []string
	env      []string // the whole environment of the process
	tool     string
	toolArgs func() map[string]any
	tools    int // tools/list must offer this many (0: not checked)
}

// benchEnv is this process's environment without anything that configures
// mcp-server, plus extra. mcp-server runs with its defaults, as a user gets
// it: logs at info on stderr (one line per upstream call), which the
// benchmarks drain and discard.
func benchEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "MCP_") || strings.HasPrefix(k, "DATAFOLD_") || strings.HasPrefix(k, "POSTHOG_") ||
			strings.HasPrefix(k, "LIGHTDASH_") || strings.HasPrefix(k, "PDC_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func benchOurs(bins benchBins, extraArgs ...string) benchServer {
	return benchServer{bin: bins.ours, args: append([]string{"--sandbox"}, extraArgs...),
		env: benchEnv(), tool: benchOursTool, toolArgs: benchOursArgs, tools: bins.tools}
}

func benchPlain(bins benchBins) benchServer {
	return benchServer{bin: bins.plain, args: []string{"-tools", strconv.Itoa(bins.tools)}, env: benchEnv(),
		tool: benchPlainTool, toolArgs: benchPlainArgs, tools: bins.tools}
}

// benchOursConfigured is mcp-server configured from the environment, as in
// production, against the sandbox served over loopback HTTP by this process.
func benchOursConfigured(b *testing.B, bins benchBins) benchServer {
	b.Helper()
	sb, err := sandbox.New()
	if err != nil {
		b.Fatal(err)
	}
	url := map[string]string{}
	for _, p := range schemas.Providers {
		srv := httptest.NewServer(sb.Handler(p))
		b.Cleanup(srv.Close)
		url[p] = srv.URL
	}
	env := benchEnv(
		"DATAFOLD_API_KEY=sandbox", "DATAFOLD_BASE_URL="+url[schemas.Datafold],
		"POSTHOG_API_KEY=sandbox", "POSTHOG_BASE_URL="+url[schemas.PostHog],
		"LIGHTDASH_API_KEY=sandbox", "LIGHTDASH_URL="+url[schemas.Lightdash],
		"PDC_USERNAME=sandbox", "PDC_PASSWORD=sandbox", "PDC_URL="+url[schemas.PDC])
	// Configured with the four providers and no database: the tools such a
	// server offers (the inventory's, but those that need two dbt projects).
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	srv, err := mcpserver.Build(mcpserver.Options{Getenv: func(k string) string { return vars[k] }})
	if err != nil {
		b.Fatal(err)
	}
	return benchServer{bin: bins.ours, env: env, tool: benchOursTool, toolArgs: benchOursArgs, tools: len(srv.Tools)}
}

// ---------------------------------------------------------------- raw stdio

// benchProc is a server process spoken to with raw JSON-RPC lines, so that
// the benchmark sees the exact bytes on the wire and adds no SDK cost.
type benchProc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  *benchTail
	done    chan struct{}
	waitErr error
	nextID  int
	dog     *time.Timer
}

// benchTail keeps the last 4 kB written to it: the server's stderr, for
// error messages.
type benchTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *benchTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if n := len(t.buf) - 4096; n > 0 {
		t.buf = append(t.buf[:0], t.buf[n:]...)
	}
	return len(p), nil
}

func (t *benchTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// failed describes a failed exchange with what the server said on the way out.
func (p *benchProc) failed(err error) error {
	select {
	case <-p.done:
		return fmt.Errorf("%w (server exited: %v; stderr tail:\n%s)", err, p.waitErr, p.stderr)
	case <-time.After(time.Second):
		return fmt.Errorf("%w (stderr tail:\n%s)", err, p.stderr)
	}
}

func benchStart(s benchServer, extraArgs ...string) (*benchProc, error) {
	cmd := exec.Command(s.bin, append(slices.Clone(s.args), extraArgs...)...)
	cmd.Env = s.env
	tail := &benchTail{}
	cmd.Stderr = tail
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &benchProc{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), stderr: tail, done: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	// A hung server is killed, which ends any read with EOF.
	p.dog = time.AfterFunc(benchTimeout, func() { _ = cmd.Process.Kill() })
	return p, nil
}

var benchInitParams = map[string]any{
	"protocolVersion": mcp.LATEST_PROTOCOL_VERSION,
	"capabilities":    map[string]any{},
	"clientInfo":      map[string]any{"name": "datastack-bench", "version": "1"},
}

// request sends one request and returns the whole response line.
func (p *benchProc) request(method string, params any) ([]byte, error) {
	p.nextID++
	id := p.nextID
	msg, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	if _, err := p.in.Write(append(msg, '\n')); err != nil {
		return nil, p.failed(fmt.Errorf("%s: write: %w", method, err))
	}
	ok := []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"result":`)
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			return nil, p.failed(fmt.Errorf("%s: read: %w", method, err))
		}
		if bytes.HasPrefix(line, ok) {
			return line, nil
		}
		var r struct {
			ID    *int            `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if json.Unmarshal(line, &r) == nil && r.ID != nil && *r.ID == id {
			return nil, fmt.Errorf("%s: error answer %s", method, r.Error)
		}
		// anything else (a notification, a log line) is not the answer
	}
}

func (p *benchProc) notify(method string) error {
	_, err := p.in.Write([]byte(`{"jsonrpc":"2.0","method":"` + method + `"}` + "\n"))
	return err
}

// handshake is what every client does first.
func (p *benchProc) handshake() error {
	if _, err := p.request("initialize", benchInitParams); err != nil {
		return err
	}
	return p.notify("notifications/initialized")
}

// close ends the server the way a client does (closing its stdin), and
// kills it when it does not exit within 5 s.
func (p *benchProc) close() {
	_ = p.in.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.dog.Stop()
}

// statusKB reads a field of /proc/PID/status, in kB (-1 when unavailable).
func statusKB(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return -1
}

// ---------------------------------------------------------------- metrics

// percentile is the nearest-rank q-quantile of ds (sorted in place).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}

func reportLatency(b *testing.B, ds []time.Duration, unit time.Duration, name string) {
	b.ReportMetric(float64(percentile(ds, 0.50))/float64(unit), "p50-"+name)
	b.ReportMetric(float64(percentile(ds, 0.95))/float64(unit), "p95-"+name)
}

// ---------------------------------------------------------------- call

// BenchmarkCall times tools/call round trips through the whole server,
// over stdio and streamable HTTP, with mcp-go's clients. Each sub-benchmark
// runs ours and its comparator side by side and alternates their calls
// (one of each per iteration), so that both see the same machine load: the
// ratio of their p50s is the figure the target is about, and on a shared
// machine it is far steadier than two runs made one after the other.
//
//	small  ours (a 100-byte object) against plain (its trivial item)
//	large  ours-large (a 1.2 kB data source) against plain-same-answer
func BenchmarkCall(b *testing.B) {
	bins := benchBuild(b)
	ourHTTP := []string{"--transport", "http", "--addr", "127.0.0.1:0"}
	plainHTTP := []string{"-http", "127.0.0.1:0"}
	for _, pair := range []struct {
		name        string
		ours, plain benchServer
	}{
		{"small", benchOurs(bins), benchPlain(bins)},
		{"large", benchOursLarge(bins), benchPlainAnswer(bins, benchOursAnswer(b))},
	} {
		b.Run(pair.name+"/stdio", func(b *testing.B) {
			benchCallPair(b, benchStdioClient(b, pair.ours), pair.ours, benchStdioClient(b, pair.plain), pair.plain)
		})
		b.Run(pair.name+"/http", func(b *testing.B) {
			benchCallPair(b, benchHTTPClient(b, pair.ours, ourHTTP), pair.ours, benchHTTPClient(b, pair.plain, plainHTTP), pair.plain)
		})
	}
}

// benchStdioClient starts s as a child process behind mcp-go's stdio
// client; the test's cleanup closes it.
func benchStdioClient(b *testing.B, s benchServer) *mcpclient.Client {
	b.Helper()
	env := s.env
	c, err := mcpclient.NewStdioMCPClientWithOptions(s.bin, nil, s.args,
		transport.WithCommandFunc(func(ctx context.Context, command string, _, args []string) (*exec.Cmd, error) {
			cmd := exec.CommandContext(ctx, command, args...)
			cmd.Env = env // exactly this environment
			return cmd, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// benchHTTPClient starts s serving HTTP (httpArgs) and connects mcp-go's
// streamable HTTP client to it; the test's cleanup stops both.
func benchHTTPClient(b *testing.B, s benchServer, httpArgs []string) *mcpclient.Client {
	b.Helper()
	url, stop := benchServeHTTP(b, s.bin, append(slices.Clone(s.args), httpArgs...), s.env)
	b.Cleanup(stop)
	c, err := mcpclient.NewStreamableHttpClient(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// benchCallPair warms both servers up, then calls them in turn, b.N times
// each, and reports each one's p50 and p95 and the ratio of the p50s.
func benchCallPair(b *testing.B, ours *mcpclient.Client, oursS benchServer, plain *mcpclient.Client, plainS benchServer) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	call := benchPrepare(b, ctx, ours, oursS)
	callPlain := benchPrepare(b, ctx, plain, plainS)
	dOurs, dPlain := make([]time.Duration, b.N), make([]time.Duration, b.N)
	b.ReportAllocs() // this process only: the two clients
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dOurs[i] = call()
		dPlain[i] = callPlain()
	}
	b.StopTimer()
	reportLatency(b, dOurs, time.Microsecond, "us-ours")
	reportLatency(b, dPlain, time.Microsecond, "us-plain")
	b.ReportMetric(float64(percentile(dOurs, 0.5))/float64(percentile(dPlain, 0.5)), "p50-ratio")
}

// benchPrepare initializes c, checks that s's call succeeds with
// structured content, warms up, and returns a timed call of s.
func benchPrepare(b *testing.B, ctx context.Context, c *mcpclient.Client, s benchServer) func() time.Duration {
	b.Helper()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-bench", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatalf("initialize: %v", err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = s.tool
	req.Params.Arguments = s.toolArgs()
	for i := 0; i < 50; i++ { // warm-up (connections, lazy initialisation, caches)
		res, err := c.CallTool(ctx, req)
		if err != nil {
			b.Fatalf("tools/call %s: %v", s.tool, err)
		}
		if res.IsError || res.StructuredContent == nil {
			b.Fatalf("tools/call %s: isError=%v structured=%v, want a structured success", s.tool, res.IsError, res.StructuredContent != nil)
		}
	}
	return func() time.Duration {
		t := time.Now()
		res, err := c.CallTool(ctx, req)
		d := time.Since(t)
		if err != nil || res.IsError {
			b.Fatalf("tools/call %s: %v (isError=%v)", s.tool, err, res != nil && res.IsError)
		}
		return d
	}
}

// benchOursLarge is ours called with the larger answer.
func benchOursLarge(bins benchBins) benchServer {
	s := benchOurs(bins)
	s.tool, s.toolArgs = benchOursLargeTool, benchOursLargeArgs
	return s
}

// benchPlainAnswer is plain answering every call with ours-large's answer,
// to compare the servers' own cost at the same answer size.
func benchPlainAnswer(bins benchBins, answer string) benchServer {
	s := benchPlain(bins)
	s.args = append(s.args, "-answer", answer)
	return s
}

// benchOursAnswer is the text ours answers benchOursLargeTool with.
func benchOursAnswer(b *testing.B) string {
	b.Helper()
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	c, err := mcpclient.NewInProcessClient(a.mcp)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	initialize(b, c, mcp.LATEST_PROTOCOL_VERSION)
	ctx := context.Background()
	req := mcp.CallToolRequest{}
	req.Params.Name = benchOursLargeTool
	req.Params.Arguments = benchOursLargeArgs()
	res, err := c.CallTool(ctx, req)
	if err != nil || res.IsError || len(res.Content) != 1 {
		b.Fatalf("tools/call %s: %v, want one content item", benchOursLargeTool, err)
	}
	text, ok := res.Content[0].(mcp.TextContent)
	if !ok || !json.Valid([]byte(text.Text)) {
		b.Fatalf("tools/call %s: want JSON text", benchOursLargeTool)
	}
	return text.Text
}

// benchCalls initializes c, checks one call succeeds, warms up, and times
// b.N calls.
func benchCalls(b *testing.B, c *mcpclient.Client, s benchServer) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	call := benchPrepare(b, ctx, c, s)
	ds := make([]time.Duration, b.N)
	b.ReportAllocs() // this process: the client and the in-process server
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ds[i] = call()
	}
	b.StopTimer()
	reportLatency(b, ds, time.Microsecond, "us")
}

// benchServeHTTP starts bin serving HTTP and returns its MCP URL, read from
// the "url=http://…/mcp" both servers print on stderr.
func benchServeHTTP(b *testing.B, bin string, args, env []string) (string, func()) {
	b.Helper()
	url, _, stop := benchServeHTTPProc(b, bin, args, env)
	return url, stop
}

// benchServeHTTPProc is benchServeHTTP that also returns the process, for
// reading its memory in /proc.
func benchServeHTTPProc(b *testing.B, bin string, args, env []string) (string, *exec.Cmd, func()) {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), " url=http://"); ok && !found { // not base_url=…
				found = true
				urls <- "http://" + strings.Fields(u)[0]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case u := <-urls:
		return u, cmd, stop
	case <-done:
		b.Fatalf("%s exited before serving HTTP", filepath.Base(bin))
	case <-time.After(30 * time.Second):
		stop()
		b.Fatalf("%s did not print its URL within 30s", filepath.Base(bin))
	}
	return "", nil, nil
}

// BenchmarkCallParts splits ours-large's call: the sandbox upstream alone
// (an HTTP GET through its in-process transport, what every call of ours
// also pays) and the whole server through mcp-go's in-process client (no
// transport, no other process).
func BenchmarkCallParts(b *testing.B) {
	if testing.Short() {
		b.Skip("benchmark")
	}
	b.Run("sandbox-upstream", func(b *testing.B) {
		sb, err := sandbox.New()
		if err != nil {
			b.Fatal(err)
		}
		hc := &http.Client{Transport: sb.Transport()}
		get := func() {
			req, _ := http.NewRequest(http.MethodGet, sandbox.BaseURL(schemas.Datafold)+"/api/v1/data_sources/1", nil)
			req.Header.Set("Authorization", "Key sandbox")
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Fatalf("GET data source got %d, want 200", res.StatusCode)
			}
		}
		for i := 0; i < 50; i++ { // warm-up, as benchCalls does
			get()
		}
		ds := make([]time.Duration, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t := time.Now()
			get()
			ds[i] = time.Since(t)
		}
		b.StopTimer()
		reportLatency(b, ds, time.Microsecond, "us")
	})
	b.Run("ours-inprocess", func(b *testing.B) {
		a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger()})
		if err != nil {
			b.Fatal(err)
		}
		c, err := mcpclient.NewInProcessClient(a.mcp)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		benchCalls(b, c, benchServer{tool: benchOursLargeTool, toolArgs: benchOursLargeArgs})
	})
}

// ---------------------------------------------------------------- start-up

// BenchmarkStartup is process start to the first initialize answer over
// stdio, one fresh process per start (teardown is not timed). Each
// iteration starts ours, ours-configured and plain once, in turn, so that
// all three see the same machine load; it reports each one's p50 and p95
// and the ratio of each p50 to plain's.
func BenchmarkStartup(b *testing.B) {
	bins := benchBuild(b)
	variants := []struct {
		name string
		s    benchServer
		ds   []time.Duration
	}{
		{name: "ours", s: benchOurs(bins)},
		{name: "ours-configured", s: benchOursConfigured(b, bins)},
		{name: "plain", s: benchPlain(bins)},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range variants {
			v := &variants[j]
			t := time.Now()
			p, err := benchStart(v.s)
			if err != nil {
				b.Fatal(err)
			}
			_, err = p.request("initialize", benchInitParams)
			v.ds = append(v.ds, time.Since(t))
			b.StopTimer()
			p.close()
			if err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
			b.StartTimer()
		}
	}
	b.StopTimer()
	plain := percentile(variants[len(variants)-1].ds, 0.5)
	for _, v := range variants {
		reportLatency(b, v.ds, time.Millisecond, "ms-"+v.name)
		if v.name != "plain" {
			b.ReportMetric(float64(percentile(v.ds, 0.5))/float64(plain), "p50-ratio-"+v.name)
		}
	}
}

// ---------------------------------------------------------------- tools/list

// BenchmarkToolsList times tools/list over stdio and reports its size: the
// bytes of the JSON-RPC answer on the wire, the number of tools, and the
// model view (per tool: name, description and compact inputSchema, as a
// JSON array: what a host typically hands a model) in bytes and tokens.
func BenchmarkToolsList(b *testing.B) {
	bins := benchBuild(b)
	modes := []struct {
		name string
		s    benchServer
	}{
		{"ours", benchOurs(bins)},
		{"ours-discovery", benchOurs(bins, "--tool-mode", "discovery")},
		{"plain", benchPlain(bins)},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			if slices.Contains(m.s.args, "--tool-mode") && !benchHasFlag(m.s.bin, "tool-mode") {
				b.Skip("mcp-server has no --tool-mode flag yet")
			}
			p, err := benchStart(m.s)
			if err != nil {
				b.Fatal(err)
			}
			defer p.close()
			if err := p.handshake(); err != nil {
				b.Fatal(err)
			}
			wire, count, model, err := benchListTools(p)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := p.request("tools/list", map[string]any{}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(wire), "wire-bytes")
			b.ReportMetric(float64(count), "tools")
			b.ReportMetric(float64(len(model)), "model-bytes")
			b.ReportMetric(float64(tools.CountTokens(string(model))), "model-tokens-o200k")
		})
	}
}

// benchHasFlag says whether bin -h lists the flag.
func benchHasFlag(bin, flag string) bool {
	out, _ := exec.Command(bin, "-h").CombinedOutput()
	return bytes.Contains(out, []byte("-"+flag+" "))
}

// benchListTools lists every tool (following cursors) and returns the bytes
// on the wire, the number of tools and the model view.
func benchListTools(p *benchProc) (wire, n int, model []byte, err error) {
	model = []byte{'['}
	cursor := ""
	for page := 0; page < 100; page++ {
		params := map[string]any{}
		if cursor != "" {
			params["cursor"] = cursor
		}
		line, err := p.request("tools/list", params)
		if err != nil {
			return 0, 0, nil, err
		}
		wire += len(line)
		var r struct {
			Result struct {
				Tools []struct {
					Name        string          `json:"name"`
					Description string          `json:"description"`
					InputSchema json.RawMessage `json:"inputSchema"`
				} `json:"tools"`
				NextCursor string `json:"nextCursor"`
			} `json:"result"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			return 0, 0, nil, err
		}
		for _, t := range r.Result.Tools {
			var schema bytes.Buffer
			if err := json.Compact(&schema, t.InputSchema); err != nil {
				return 0, 0, nil, fmt.Errorf("%s: inputSchema: %w", t.Name, err)
			}
			mv, err := json.Marshal(struct {
				Name        string          `json:"name"`
				Description string          `json:"description,omitempty"`
				InputSchema json.RawMessage `json:"inputSchema,omitempty"`
			}{t.Name, t.Description, schema.Bytes()})
			if err != nil {
				return 0, 0, nil, err
			}
			if n > 0 {
				model = append(model, ',')
			}
			model = append(model, mv...)
			n++
		}
		if cursor = r.Result.NextCursor; cursor == "" {
			return wire, n, append(model, ']'), nil
		}
	}
	return 0, 0, nil, fmt.Errorf("tools/list: more than 100 pages")
}

// ---------------------------------------------------------------- peak RSS

// BenchmarkPeakRSS starts a server per iteration, does what a session does
// (initialize, tools/list, benchRSSCalls calls) and reads the process's
// peak resident set (VmHWM) before closing it. Linux only.
func BenchmarkPeakRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc (Linux)")
	}
	bins := benchBuild(b)
	for _, v := range []struct {
		name string
		s    func(*testing.B) benchServer
	}{
		{"ours", func(*testing.B) benchServer { return benchOurs(bins) }},
		{"ours-configured", func(b *testing.B) benchServer { return benchOursConfigured(b, bins) }},
		{"plain", func(*testing.B) benchServer { return benchPlain(bins) }},
	} {
		b.Run(v.name, func(b *testing.B) {
			s := v.s(b)
			var peak int64
			for i := 0; i < b.N; i++ {
				kb, err := benchSession(s)
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, kb)
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		})
	}
}

// benchSession runs one session against a fresh server and returns its
// VmHWM in kB.
func benchSession(s benchServer) (int64, error) {
	p, err := benchStart(s)
	if err != nil {
		return 0, err
	}
	defer p.close()
	if err := p.handshake(); err != nil {
		return 0, err
	}
	_, n, _, err := benchListTools(p)
	if err != nil {
		return 0, err
	}
	if s.tools > 0 && n != s.tools {
		return 0, fmt.Errorf("tools/list has %d tools, want %d (every tool)", n, s.tools)
	}
	params := map[string]any{"name": s.tool, "arguments": s.toolArgs()}
	for i := 0; i < benchRSSCalls; i++ {
		line, err := p.request("tools/call", params)
		if err != nil {
			return 0, err
		}
		if bytes.Contains(line, []byte(`"isError":true`)) {
			return 0, fmt.Errorf("tools/call %s: %s", s.tool, line)
		}
	}
	kb := statusKB(p.cmd.Process.Pid, "VmHWM")
	if kb < 0 {
		return 0, fmt.Errorf("cannot read VmHWM of pid %d", p.cmd.Process.Pid)
	}
	return kb, nil
}
