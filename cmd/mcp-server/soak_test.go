//go:build linux

package main

// The soak: many HTTP clients for a minute against the sandbox server
// binary, to show that no call fails under sustained concurrent load and
// that the server's memory stays flat. It is a benchmark, so `go test ./...`
// never runs it; run it with
//
//	go test ./cmd/mcp-server -run '^$' -bench BenchmarkSoak -benchtime 1x -timeout 10m -v
//
// SOAK_CLIENTS (default 32) and SOAK_DURATION (default 60s) change the
// load. It skips with -short, and unless -bench names it (so `-bench .`
// does not take a minute more). SOAK.md records the published run.
//
// It builds mcp-server, starts `mcp-server --sandbox --transport http` on a
// loopback port (logging at info to a pipe this process drains, as a
// deployment would), waits for /healthz, and runs SOAK_CLIENTS MCP clients
// (mcp-go, streamable HTTP, each with its own connection pool) that each
// initialize and then loop: every fifth request tools/list, the others
// tools/call of read tools on all four providers and lineage_impact, the
// hand-written tool that fans out into several upstream calls. Every call
// must succeed (no transport error, no isError). Every 2 s the server's
// VmRSS and thread count are read from /proc/<pid>/status. After a warm-up
// (the first sixth of the run, at least 10 s), the mean RSS of the last
// third of the samples must be within 20% of the mean of the first third.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
)

// soakCall is one request of the mix.
type soakCall struct {
	tool string // "" is tools/list
	args map[string]any
}

// soakMix is what each client cycles through: tools/list every fifth
// request, read tools of each provider, and lineage_impact.
func soakMix() []soakCall {
	ex := sandbox.Examples()
	return []soakCall{
		{tool: ""},
		{tool: "datafold_list_data_sources"},
		{tool: "datafold_get_data_source", args: map[string]any{"data_source_id": 1}},
		{tool: "lightdash_get_project", args: map[string]any{"projectUuid": ex["lightdash"]["projectUuid"]}},
		{tool: "posthog_list_external_data_sources", args: map[string]any{"project_id": ex["posthog"]["project_id"]}},
		{tool: ""},
		{tool: "pdc_get_data_source_by_id", args: map[string]any{"id": ex["pdc"]["id"]}},
		{tool: "lightdash_list_spaces_in_project", args: map[string]any{"projectUuid": ex["lightdash"]["projectUuid"]}},
		{tool: "datafold_get_table_downstreams", args: map[string]any{"data_connection_id": 1, "table_path": ex["datafold"]["table_path"]}},
		{tool: "lineage_impact", args: map[string]any{"data_source_id": 1, "column_path": ex["datafold"]["column_path"]}},
	}
}

// soakSample is one reading of the server process.
type soakSample struct {
	at      time.Duration // since the load started
	rssKB   int64
	threads int64
	calls   int64 // completed so far
}

// procStatus reads VmRSS (kB) and Threads from /proc/<pid>/status.
func procStatus(pid int) (rssKB, threads int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			rssKB, _ = strconv.ParseInt(fields[0], 10, 64)
		case "Threads":
			threads, _ = strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return rssKB, threads, nil
}

// procCPU reads the CPU time (user + system) the process has used, from
// /proc/<pid>/stat, assuming the usual 100 clock ticks per second.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil && d > 0 {
		return d
	}
	return def
}

func BenchmarkSoak(b *testing.B) {
	wantTools := sandboxTools(b)
	if testing.Short() {
		b.Skip("a one-minute soak of the server binary")
	}
	// Only when asked for by name: `-bench .` (the BENCHMARKS.md run) must
	// not take a minute more.
	if f := flag.Lookup("test.bench"); f == nil || !strings.Contains(f.Value.String(), "Soak") {
		b.Skip("run it by name: -bench BenchmarkSoak")
	}
	clients := envInt("SOAK_CLIENTS", 32)
	duration := envDuration("SOAK_DURATION", 60*time.Second)
	warmup := max(duration/6, 10*time.Second)
	if warmup >= duration {
		warmup = duration / 3
	}
	const every = 2 * time.Second

	dir := b.TempDir()
	bin := filepath.Join(dir, "mcp-server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	// Port 0: the server picks a free port and logs its URL.
	cmd := exec.Command(bin, "--sandbox", "--transport", "http", "--addr", "127.0.0.1:0")
	cmd.Env = benchEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlives the benchmark
	stderr := &benchTail{}
	var logBytes atomic.Int64
	listening := newURLWatch()
	cmd.Stderr = io.MultiWriter(stderr, countingWriter{&logBytes}, listening)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	base, err := listening.wait(exited)
	if err != nil {
		b.Fatalf("%v; stderr:\n%s", err, stderr)
	}
	pid := cmd.Process.Pid
	startRSS, _, _ := procStatus(pid)
	startCPU, _ := procCPU(pid)

	b.ResetTimer()
	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	var (
		calls, failures atomic.Int64
		mu              sync.Mutex
		latencies       []time.Duration
		byKind          = map[string][]time.Duration{}
		firstFailures   []string
	)
	fail := func(what string) {
		if failures.Add(1) <= 5 {
			mu.Lock()
			firstFailures = append(firstFailures, what)
			mu.Unlock()
		}
	}
	mix := soakMix()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			defer hc.CloseIdleConnections()
			c, err := mcpclient.NewStreamableHttpClient(base+"/mcp", transport.WithHTTPBasicClient(hc))
			if err != nil {
				fail(err.Error())
				return
			}
			defer c.Close()
			init := mcp.InitializeRequest{}
			init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
			init.Params.ClientInfo = mcp.Implementation{Name: "soak-" + strconv.Itoa(w), Version: "1"}
			if err := c.Start(context.Background()); err != nil {
				fail("start: " + err.Error())
				return
			}
			if _, err := c.Initialize(context.Background(), init); err != nil {
				fail("initialize: " + err.Error())
				return
			}
			var mine []time.Duration
			kinds := map[string][]time.Duration{}
			for i := w; ctx.Err() == nil; i++ {
				call := mix[i%len(mix)]
				rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				t0 := time.Now()
				if call.tool == "" {
					res, err := c.ListTools(rctx, mcp.ListToolsRequest{})
					switch {
					case err != nil:
						fail("tools/list: " + err.Error())
					case len(res.Tools) != wantTools:
						fail(fmt.Sprintf("tools/list: got %d tools, want %d", len(res.Tools), wantTools))
					}
				} else {
					req := mcp.CallToolRequest{}
					req.Params.Name, req.Params.Arguments = call.tool, call.args
					res, err := c.CallTool(rctx, req)
					switch {
					case err != nil:
						fail(call.tool + ": " + err.Error())
					case res.IsError:
						fail(call.tool + ": isError: " + bound(mcpgo.Text(res), 300))
					}
				}
				took := time.Since(t0)
				mine = append(mine, took)
				kind := call.tool
				if kind == "" {
					kind = "tools/list"
				}
				kinds[kind] = append(kinds[kind], took)
				cancel()
				calls.Add(1)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			for k, v := range kinds {
				byKind[k] = append(byKind[k], v...)
			}
			mu.Unlock()
		}(w)
	}

	var samples []soakSample
	tick := time.NewTicker(every)
sampling:
	for {
		select {
		case <-tick.C:
			rss, threads, err := procStatus(pid)
			if err != nil {
				b.Errorf("reading /proc/%d/status: %v", pid, err)
				break sampling
			}
			samples = append(samples, soakSample{at: time.Since(start), rssKB: rss, threads: threads, calls: calls.Load()})
		case <-ctx.Done():
			break sampling
		case err := <-exited:
			b.Fatalf("server exited during the soak: %v; stderr:\n%s", err, stderr)
		}
	}
	tick.Stop()
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	endCPU, _ := procCPU(pid)
	serverCPU := endCPU - startCPU

	// Figures.
	n := calls.Load()
	slices.Sort(latencies)
	pctOf := func(l []time.Duration, p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(p*float64(len(l))))]
	}
	pct := func(p float64) time.Duration { return pctOf(latencies, p) }
	var steady []soakSample
	for _, s := range samples {
		if s.at >= warmup {
			steady = append(steady, s)
		}
	}
	mean := func(s []soakSample) float64 {
		var sum int64
		for _, x := range s {
			sum += x.rssKB
		}
		return float64(sum) / float64(max(len(s), 1))
	}
	third := len(steady) / 3
	first, last := mean(steady[:third]), mean(steady[len(steady)-third:])
	drift := 100 * (last - first) / first
	var peak int64
	for _, s := range samples {
		peak = max(peak, s.rssKB)
	}

	b.Logf("soak: %d clients for %v against %s (pid %d): %d requests, %.0f/s, %d failed; latency p50 %v p90 %v p99 %v max %v; server log %d bytes",
		clients, elapsed.Round(time.Millisecond), base, pid, n, float64(n)/elapsed.Seconds(), failures.Load(),
		pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond),
		pct(1).Round(10*time.Microsecond), logBytes.Load())
	b.Logf("server CPU %v over %v: %.2f of %d cores (the clients run on the same machine)",
		serverCPU.Round(10*time.Millisecond), elapsed.Round(time.Millisecond), serverCPU.Seconds()/elapsed.Seconds(), runtime.NumCPU())
	b.Logf("RSS before load %.1f MiB; peak %.1f MiB; after %v warm-up: first third mean %.1f MiB, last third mean %.1f MiB, drift %+.1f%% (%d steady samples)",
		float64(startRSS)/1024, float64(peak)/1024, warmup, first/1024, last/1024, drift, len(steady))
	var table strings.Builder
	table.WriteString("| t (s) | requests | RSS (MiB) | threads |\n|---:|---:|---:|---:|\n")
	for _, s := range samples {
		fmt.Fprintf(&table, "| %.0f | %d | %.1f | %d |\n", s.at.Seconds(), s.calls, float64(s.rssKB)/1024, s.threads)
	}
	table.WriteString("\n| request | count | p50 (ms) | p99 (ms) |\n|---|---:|---:|---:|\n")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		l := byKind[k]
		slices.Sort(l)
		fmt.Fprintf(&table, "| %s | %d | %.1f | %.1f |\n", k, len(l),
			float64(pctOf(l, 0.5).Microseconds())/1000, float64(pctOf(l, 0.99).Microseconds())/1000)
	}
	b.Logf("samples:\n%s", table.String())

	b.ReportMetric(float64(n)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(last/1024, "rss-last-MiB")
	b.ReportMetric(drift, "rss-drift-%")
	b.ReportMetric(float64(failures.Load()), "failed")

	if failures.Load() > 0 {
		b.Errorf("got %d failed calls, want none; first: %s", failures.Load(), strings.Join(firstFailures, " | "))
	}
	if n == 0 {
		b.Error("got no completed request, want load")
	}
	if len(steady) < 6 {
		b.Errorf("got %d samples after warm-up, want at least 6 (run longer)", len(steady))
	} else if drift > 20 || drift < -20 {
		b.Errorf("RSS drift got %+.1f%% (first third %.1f MiB, last third %.1f MiB), want within ±20%%", drift, first/1024, last/1024)
	}
}

// urlWatch reads the server's log as it is written and finds the line
// that says where it serves (written once it listens).
type urlWatch struct {
	mu    sync.Mutex
	line  []byte
	found chan string
}

var servingURL = regexp.MustCompile(`serving MCP over streamable HTTP.*url=(http://[^ ]+)/mcp`)

func newURLWatch() *urlWatch { return &urlWatch{found: make(chan string, 1)} }

func (u *urlWatch) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, c := range p {
		if c != '\n' {
			if len(u.line) < 4096 {
				u.line = append(u.line, c)
			}
			continue
		}
		if m := servingURL.FindSubmatch(u.line); m != nil {
			select {
			case u.found <- string(m[1]):
			default:
			}
		}
		u.line = u.line[:0]
	}
	return len(p), nil
}

// wait returns the base URL the server serves at, once it listens.
func (u *urlWatch) wait(exited <-chan error) (string, error) {
	select {
	case base := <-u.found:
		return base, nil
	case err := <-exited:
		return "", fmt.Errorf("server exited before it listened: %v", err)
	case <-time.After(2 * time.Minute): // a safety net only
		return "", errors.New("the server did not say where it listens within 2 minutes")
	}
}

// countingWriter counts and discards.
type countingWriter struct{ n *atomic.Int64 }

func (w countingWriter) Write(p []byte) (int, error) { w.n.Add(int64(len(p))); return len(p), nil }
