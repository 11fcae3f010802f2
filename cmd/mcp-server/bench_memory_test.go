package main

// Benchmarks of the server under big traffic, side by side with plain
// mcp-go (testdata/plainserver), both serving streamable HTTP on loopback:
//
//	go test ./cmd/mcp-server -run '^$' -bench 'BigAnswers|Throughput' -benchtime 5x -count 1
//
// BenchmarkBigAnswers: memory while 8 calls at once each get a 10 MiB
// upstream answer. BenchmarkThroughput: calls per second of a small tool
// call with 8 clients at once. BENCHMARKS.md holds the published figures.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

const (
	benchBigTool    = "datafold_list_data_sources" // GET /api/v1/data_sources, a list
	benchBigPath    = "/api/v1/data_sources"
	benchSmallPath  = "/api/internal/bolt/org/spend" // what benchOursTool reads
	benchBigSize    = 10 << 20                       // bytes of the big answer: the client's default limit
	benchClients    = 8
	benchSettleMB   = 60               // RSS the server should come back under after the big calls
	benchSettleWait = 10 * time.Second // longest wait for it
)

// benchBigAnswer is a JSON list of data-source records of exactly size
// bytes (the last record's name is padded to fit).
func benchBigAnswer(size int) []byte {
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('[')
	for i := 1; ; i++ {
		rec := fmt.Sprintf(`{"id":%d,"name":"warehouse_%d","type":"snowflake","created_at":"2026-11-02T10:%02d:00Z",`+
			`"owner_id":%d,"groups":["analytics","finance"],"options":{"account":"acme-%d","warehouse":"COMPUTE_WH","role":"ANALYST"}}`,
			i, i, i%60, i%97, i)
		if b.Len()+len(rec)+400 >= size {
			// The last record: padded so the list is exactly size bytes.
			pad := size - b.Len() - len(`{"id":0,"name":""}]`) - len(strconv.Itoa(i))
			b.WriteString(`{"id":` + strconv.Itoa(i) + `,"name":"` + strings.Repeat("x", pad) + `"}]`)
			return []byte(b.String())
		}
		b.WriteString(rec)
		b.WriteByte(',')
	}
}

// benchUpstream serves the big answer and the small one on loopback, as
// the providers' APIs do: whole JSON documents with a Content-Length (an
// answer of unknown length costs the client a second copy while it is
// read, see client/body.go).
func benchUpstream(b *testing.B, big []byte) string {
	b.Helper()
	small := []byte(`{"daily_cap_usd":50,"daily_spend_usd":12.5,"enforced":true,"monthly_cap_usd":1000,"monthly_spend_usd":310.75}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		switch r.URL.Path {
		case benchBigPath:
			body = big
		case benchSmallPath:
			body = small
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// benchHTTPServer is one server of these benchmarks, started over HTTP.
type benchHTTPServer struct {
	name  string
	bin   string
	args  []string
	env   []string
	tool  string
	args0 func() map[string]any
}

// benchOursHTTP is mcp-server configured as in production for Datafold
// only (a fake key, the base URL of the loopback upstream), with its
// defaults: the 25,000-token result budget and the 10 MiB answer limit.
func benchOursHTTP(bins benchBins, upstream, tool string) benchHTTPServer {
	return benchHTTPServer{name: "ours", bin: bins.ours, tool: tool, args0: func() map[string]any { return map[string]any{} },
		args: []string{"--transport", "http", "--addr", "127.0.0.1:0"},
		env:  benchEnv("DATAFOLD_API_KEY=bench-fake-key", "DATAFOLD_BASE_URL="+upstream)}
}

// benchPlainHTTP is plain mcp-go: trivial tools, or with url a proxy that
// answers every call with the body of a GET of url.
func benchPlainHTTP(bins benchBins, name, url string) benchHTTPServer {
	s := benchHTTPServer{name: name, bin: bins.plain, tool: benchPlainTool, args0: benchPlainArgs, env: benchEnv(),
		args: []string{"-tools", strconv.Itoa(bins.tools), "-http", "127.0.0.1:0"}}
	if url != "" {
		s.args = append(s.args, "-upstream", url)
	}
	return s
}

// benchRunning is a started server with benchClients initialized clients.
type benchRunning struct {
	pid     int
	clients []*mcpclient.Client
	stop    func()
}

func benchStartHTTP(b *testing.B, s benchHTTPServer) *benchRunning {
	b.Helper()
	url, cmd, stop := benchServeHTTPProc(b, s.bin, s.args, s.env)
	r := &benchRunning{pid: cmd.Process.Pid}
	r.stop = func() {
		for _, c := range r.clients {
			_ = c.Close()
		}
		stop()
	}
	for i := 0; i < benchClients; i++ {
		c, err := mcpclient.NewStreamableHttpClient(url)
		if err != nil {
			r.stop()
			b.Fatal(err)
		}
		r.clients = append(r.clients, c)
		if err := c.Start(context.Background()); err != nil {
			r.stop()
			b.Fatal(err)
		}
		init := mcp.InitializeRequest{}
		init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcp.Implementation{Name: "datastack-bench", Version: "1"}
		if _, err := c.Initialize(context.Background(), init); err != nil {
			r.stop()
			b.Fatalf("%s: initialize: %v", s.name, err)
		}
	}
	return r
}

// callAll makes calls calls of tool on every client at once and returns
// the first failure.
func (r *benchRunning) callAll(tool string, args map[string]any, calls int) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(r.clients))
	for _, c := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := mcp.CallToolRequest{}
			req.Params.Name = tool
			req.Params.Arguments = args
			for i := 0; i < calls; i++ {
				res, err := c.CallTool(context.Background(), req)
				if err == nil && (res.IsError || res.StructuredContent == nil) {
					err = fmt.Errorf("tools/call %s: isError=%v structured=%v, want a structured success", tool, res.IsError, res.StructuredContent != nil)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// BenchmarkBigAnswers starts a fresh server per iteration, lets 8 clients
// call a tool at once whose upstream answer is 10 MiB, and reads the
// server's memory in /proc: VmRSS before the calls, VmHWM (peak) after
// them, and VmRSS once it settles (polled until under benchSettleMB, at
// most benchSettleWait) with its anonymous part (RssAnon: heap and stacks,
// not the executable's pages). per-answer-x is the peak's growth over the RSS
// before, per answer, as a multiple of the answer's size. Linux only.
//
//	ours   mcp-server with its default settings: each answer is cut to
//	       the 25,000-token result budget before it is sent
//	plain  plain mcp-go proxying the same upstream: each answer is sent
//	       whole (as text and as structuredContent)
func BenchmarkBigAnswers(b *testing.B) {
	if statusKB(os.Getpid(), "VmRSS") < 0 {
		b.Skip("needs /proc (Linux)")
	}
	bins := benchBuild(b)
	big := benchBigAnswer(benchBigSize)
	upstream := benchUpstream(b, big)
	for _, s := range []benchHTTPServer{
		benchOursHTTP(bins, upstream, benchBigTool),
		benchPlainHTTP(bins, "plain", upstream+benchBigPath),
	} {
		b.Run(s.name, func(b *testing.B) {
			var peak, before, after, anon, settle, growth float64
			for i := 0; i < b.N; i++ {
				r := benchStartHTTP(b, s)
				rssBefore := statusKB(r.pid, "VmRSS")
				if err := r.callAll(s.tool, s.args0(), 1); err != nil {
					r.stop()
					b.Fatalf("%s: %v", s.name, err)
				}
				hwm := statusKB(r.pid, "VmHWM")
				start := time.Now()
				rss := statusKB(r.pid, "VmRSS")
				for rss > benchSettleMB<<10 && time.Since(start) < benchSettleWait {
					time.Sleep(50 * time.Millisecond) // a benchmark may wait; polled, not fixed
					rss = statusKB(r.pid, "VmRSS")
				}
				waited := time.Since(start)
				rssAnon := statusKB(r.pid, "RssAnon")
				r.stop()
				peak = max(peak, float64(hwm)/1024)
				before = max(before, float64(rssBefore)/1024)
				after = max(after, float64(rss)/1024)
				anon = max(anon, float64(rssAnon)/1024)
				settle = max(settle, float64(waited.Milliseconds()))
				growth = max(growth, float64((hwm-rssBefore)<<10)/float64(benchClients*benchBigSize))
			}
			b.ReportMetric(peak, "peak-RSS-MB")
			b.ReportMetric(before, "RSS-before-MB")
			b.ReportMetric(after, "RSS-after-MB")
			b.ReportMetric(anon, "RssAnon-after-MB")
			b.ReportMetric(settle, "settle-ms")
			b.ReportMetric(growth, "per-answer-x")
		})
	}
}

// BenchmarkThroughput is calls per second of a small tool call with 8
// clients calling at once over streamable HTTP. Each iteration runs a
// round against each server in turn (every client makes benchRoundCalls
// calls), so all see the same machine load; it reports each one's calls/s
// and ours's ratio to each plain.
//
//	ours        mcp-server as in production for Datafold, reading a
//	            100-byte object from a loopback upstream
//	plain       plain mcp-go's trivial tool (a 60-byte object, no upstream)
//	plain-proxy plain mcp-go reading the same 100-byte object from the same
//	            upstream: the same answer size and upstream work as ours
//	            (both send it as text and as structuredContent, and both
//	            keep their upstream connections alive)
//
// cpu-us/call is the server process's own CPU time (user and system, from
// /proc/PID/stat) per call: unlike calls/s, it hardly depends on what else
// the machine is doing; cpu-ratio-* is plain's CPU per call over ours's.
func BenchmarkThroughput(b *testing.B) {
	bins := benchBuild(b)
	upstream := benchUpstream(b, nil)
	servers := []benchHTTPServer{
		benchOursHTTP(bins, upstream, benchOursTool),
		benchPlainHTTP(bins, "plain", ""),
		benchPlainHTTP(bins, "plain-proxy", upstream+benchSmallPath),
	}
	running := make([]*benchRunning, len(servers))
	for i, s := range servers {
		running[i] = benchStartHTTP(b, s)
		defer running[i].stop()
		if err := running[i].callAll(s.tool, s.args0(), 20); err != nil { // warm-up
			b.Fatalf("%s: %v", s.name, err)
		}
	}
	const benchRoundCalls = 100
	spent := make([]time.Duration, len(servers))
	cpu := make([]time.Duration, len(servers))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, s := range servers {
			t, c := time.Now(), cpuOf(running[j].pid)
			if err := running[j].callAll(s.tool, s.args0(), benchRoundCalls); err != nil {
				b.Fatalf("%s: %v", s.name, err)
			}
			spent[j] += time.Since(t)
			cpu[j] += cpuOf(running[j].pid) - c
		}
	}
	b.StopTimer()
	calls := float64(b.N * benchRoundCalls * benchClients)
	rate := make([]float64, len(servers))
	for j, s := range servers {
		rate[j] = calls / spent[j].Seconds()
		b.ReportMetric(rate[j], "calls/s-"+s.name)
		b.ReportMetric(float64(cpu[j].Microseconds())/calls, "cpu-us/call-"+s.name)
	}
	b.ReportMetric(rate[0]/rate[1], "ratio-plain")
	b.ReportMetric(rate[0]/rate[2], "ratio-plain-proxy")
	if cpu[0] > 0 { // plain's CPU per call over ours's: the steadier ratio
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-ratio-plain")
		b.ReportMetric(float64(cpu[2])/float64(cpu[0]), "cpu-ratio-plain-proxy")
	}
}

// cpuOf is procCPU (soak_test.go), 0 without /proc.
func cpuOf(pid int) time.Duration {
	d, _ := procCPU(pid)
	return d
}
