package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/tools/diff"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Short sandbox timings: a created diff is queued 150 ms, runs 300 ms, and
// the diff tools check every 40 ms, so a diff takes a handful of progress
// steps and a test a fraction of a second.
const (
	testDiffQueued  = 150 * time.Millisecond
	testDiffRunning = 300 * time.Millisecond
	testDiffPoll    = 40 * time.Millisecond
)

// diffServer assembles a sandbox server with short diff timings.
func diffServer(t *testing.T, sel selection, wait time.Duration) *assembled {
	t.Helper()
	a, err := assemble(options{sandbox: true, timeout: 10 * time.Second, getenv: noEnv, logger: discardLogger(), selection: sel,
		diffWait: wait, diffPoll: testDiffPoll})
	if err != nil {
		t.Fatal(err)
	}
	a.sandbox.DiffQueued, a.sandbox.DiffRunning = testDiffQueued, testDiffRunning
	return a
}

// serveOn serves a on a loopback port over streamable HTTP.
func serveOn(t *testing.T, a *assembled) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = serveHTTPOn(ctx, a.mcp, ln, discardLogger()); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String() + "/mcp"
}

// progressNote is one notifications/progress a client received.
type progressNote struct {
	token           string
	progress, total float64
	message         string
}

// progressLog collects a client's progress notifications.
type progressLog struct {
	mu    sync.Mutex
	notes []progressNote
}

func (l *progressLog) listen(c *mcpclient.Client) {
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != string(mcp.MethodNotificationProgress) {
			return
		}
		f := n.Params.AdditionalFields
		p, _ := f["progress"].(float64)
		total, _ := f["total"].(float64)
		msg, _ := f["message"].(string)
		l.mu.Lock()
		l.notes = append(l.notes, progressNote{token: fmt.Sprint(f["progressToken"]), progress: p, total: total, message: msg})
		l.mu.Unlock()
	})
}

// of returns the notifications of one token.
func (l *progressLog) of(token string) []progressNote {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []progressNote
	for _, n := range l.notes {
		if n.token == token {
			out = append(out, n)
		}
	}
	return out
}

// checkProgress asserts every notification of a call arrived: progress
// counts 1, 2, 3, … without a gap, never decreases, keeps one total, and
// the last one has progress == total.
func checkProgress(t *testing.T, notes []progressNote, minSteps int) {
	t.Helper()
	if len(notes) < minSteps {
		t.Fatalf("got %d progress notifications %v, want at least %d", len(notes), notes, minSteps)
	}
	last := notes[len(notes)-1]
	for i, n := range notes {
		if n.total != last.total {
			t.Errorf("notification %d: total %v, want %v throughout", i, n.total, last.total)
		}
		if i > 0 && n.progress < notes[i-1].progress {
			t.Errorf("notification %d: progress %v after %v, want non-decreasing", i, n.progress, notes[i-1].progress)
		}
		if i < len(notes)-1 && n.progress != float64(i+1) {
			t.Errorf("notification %d: progress %v, want %d (a notification is missing)", i, n.progress, i+1)
		}
	}
	if last.progress != last.total {
		t.Errorf("last notification %+v: progress != total, want the final one (it was lost)", last)
	}
}

// awaitFinal waits (in-process clients get notifications asynchronously)
// until the final notification of a token arrived.
func awaitFinal(l *progressLog, token string) []progressNote {
	deadline := time.Now().Add(2 * time.Second)
	for {
		notes := l.of(token)
		if n := len(notes); (n > 0 && notes[n-1].progress == notes[n-1].total) || time.Now().After(deadline) {
			return notes
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func callWithProgress(ctx context.Context, c *mcpclient.Client, name string, args map[string]any, token string) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	if token != "" {
		req.Params.Meta = &mcp.Meta{ProgressToken: token}
	}
	return c.CallTool(ctx, req)
}

func verdictOf(t *testing.T, res *mcp.CallToolResult) diff.DiffVerdict {
	t.Helper()
	var v diff.DiffVerdict
	b, err := json.Marshal(res.StructuredContent)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil || v.DiffID == 0 {
		t.Fatalf("no verdict in %s (%v); text %s", b, err, mcpgo.Text(res))
	}
	return v
}

var ordersDiff = map[string]any{
	"a":           map[string]any{"data_source": "prod", "table": "ANALYTICS.MARTS.fct_orders"},
	"b":           map[string]any{"data_source": "Snowflake (dev)"},
	"primary_key": []any{"order_id"},
}

// checkOrdersVerdict is what diffing prod and dev fct_orders finds on the
// sandbox (client/sandbox/doc.go).
func checkOrdersVerdict(t *testing.T, res *mcp.CallToolResult) diff.DiffVerdict {
	t.Helper()
	if res.IsError {
		t.Fatalf("diff_tables got isError: %s", mcpgo.Text(res))
	}
	v := verdictOf(t, res)
	if v.Status != "done" || v.Result != "different" {
		t.Fatalf("status %q result %q, want done/different; %s", v.Status, v.Result, mcpgo.Text(res))
	}
	if v.A.DataSourceID != 1 || v.B.DataSourceID != 2 || v.A.DataSource != "Snowflake (prod)" || v.B.Table != "ANALYTICS.MARTS.fct_orders" {
		t.Errorf("sides got %+v / %+v", v.A, v.B)
	}
	if got := [...]int{intOr(v.A.Rows), intOr(v.B.Rows), intOr(v.A.RowsOnlyHere), intOr(v.B.RowsOnlyHere), intOr(v.A.DuplicateKeys), intOr(v.B.NullKeys)}; got != [...]int{125430, 125318, 142, 30, 0, 0} {
		t.Errorf("rows, only here, duplicate and null keys got %v", got)
	}
	if v.Values == nil || v.Values.RowsWithDifferences != 1321 || v.Values.ValuesWithDifferences != 2431 || v.Values.ColumnsWithDifferences != 3 {
		t.Errorf("values got %+v", v.Values)
	}
	differing := map[string]int{}
	for _, c := range v.Columns {
		differing[c.Column] = c.ValuesDifferent
	}
	if len(differing) != 3 || differing["amount"] != 1109 || differing["credit_card_amount"] != 1109 || differing["status"] != 213 {
		t.Errorf("columns with differences got %+v, want amount and credit_card_amount 1109, status 213", v.Columns)
	}
	if v.Columns[len(v.Columns)-1].Column != "status" {
		t.Errorf("columns not sorted most first: %+v", v.Columns)
	}
	if !strings.HasPrefix(v.URL, "http://datafold.sandbox.invalid/datadiffs/") {
		t.Errorf("url got %q", v.URL)
	}
	var lineage, summary bool
	for _, n := range v.Next {
		switch n.Tool {
		case "datafold_get_column_upstreams":
			lineage = lineage || n.Arguments["column_path"] == "ANALYTICS.MARTS.fct_orders.amount"
		case "datafold_get_data_diff_summary":
			summary = true
		}
	}
	if !lineage || !summary {
		t.Errorf("next got %+v, want the summary (sample rows) and the lineage of amount", v.Next)
	}
	text := mcpgo.Text(res)
	for _, w := range []string{"different", "142 only in A, 30 only in B", "credit_card_amount 1,109", "datafold_get_column_upstreams", "Link: http://datafold.sandbox.invalid/datadiffs/"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	return v
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// TestDiffTables runs diff_tables in-process with a progress token: a diff
// with differences, an identical one, a failing one and bad arguments.
func TestDiffTables(t *testing.T) {
	a := diffServer(t, selection{}, 10*time.Second)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	var log progressLog
	log.listen(c)
	ctx := context.Background()

	t.Run("different", func(t *testing.T) {
		res, err := callWithProgress(ctx, c, diff.TablesName, ordersDiff, "orders")
		if err != nil {
			t.Fatal(err)
		}
		v := checkOrdersVerdict(t, res)
		// Every next call the verdict points at works as given.
		for _, n := range v.Next {
			if res, err := callWithProgress(ctx, c, n.Tool, n.Arguments, ""); err != nil || res.IsError {
				t.Errorf("next call %s %v failed: %v %s", n.Tool, n.Arguments, err, mcpgo.Text(res))
			}
		}
		notes := awaitFinal(&log, "orders")
		checkProgress(t, notes, 4) // created, queued…, running…, done
		if msg := notes[len(notes)-1].message; !strings.Contains(msg, "different") {
			t.Errorf("last progress message %q, want the verdict", msg)
		}
		var queued, running bool
		for _, n := range notes {
			queued = queued || strings.Contains(n.message, "queued")
			running = running || strings.Contains(n.message, "running")
		}
		if !queued || !running {
			t.Errorf("progress messages %v, want queued and running stages", notes)
		}
	})
	t.Run("identical", func(t *testing.T) {
		res, err := callWithProgress(ctx, c, diff.TablesName, map[string]any{
			"a": map[string]any{"data_source": 1, "table": "ANALYTICS.MARTS.dim_customers"}, "b": map[string]any{"data_source": 2},
			"primary_key": []any{"customer_id"}}, "customers")
		if err != nil {
			t.Fatal(err)
		}
		v := verdictOf(t, res)
		if res.IsError || v.Status != "done" || v.Result != "identical" || len(v.Columns) != 0 || len(v.Next) != 0 {
			t.Errorf("got %+v, want done/identical without next calls; %s", v, mcpgo.Text(res))
		}
		checkProgress(t, awaitFinal(&log, "customers"), 3)
	})
	t.Run("failed", func(t *testing.T) {
		res, err := callWithProgress(ctx, c, diff.TablesName, map[string]any{
			"a": map[string]any{"data_source": "prod", "table": "ANALYTICS.MARTS.fct_orders"},
			"b": map[string]any{"data_source": "dev", "table": "ANALYTICS.MARTS.fct_orders_v2"}, "primary_key": []any{"order_id"}}, "v2")
		if err != nil {
			t.Fatal(err)
		}
		if !res.IsError {
			t.Fatalf("a failed diff got success: %s", mcpgo.Text(res))
		}
		v := verdictOf(t, res)
		if v.Status != "failed" || v.Error == nil || v.Error.Type != "NoSuchTableException" || !strings.Contains(v.Error.Message, "FCT_ORDERS_V2") {
			t.Errorf("got status %q error %+v, want failed with NoSuchTableException", v.Status, v.Error)
		}
		if text := mcpgo.Text(res); !strings.Contains(text, "FAILED") || !strings.Contains(text, "NoSuchTableException: Table 'ANALYTICS.MARTS.FCT_ORDERS_V2' does not exist") || !strings.Contains(text, "SHOW TABLES IN SCHEMA ANALYTICS.MARTS") {
			t.Errorf("text is not a readable failure:\n%s", text)
		}
		checkProgress(t, awaitFinal(&log, "v2"), 3)
		// The suggested check is a read-only query: it runs unconfirmed.
		for _, n := range v.Next {
			if res, err := callWithProgress(ctx, c, n.Tool, n.Arguments, ""); err != nil || res.IsError {
				t.Errorf("next call %s %v failed: %v %s", n.Tool, n.Arguments, err, mcpgo.Text(res))
			}
		}
	})
	t.Run("bad arguments", func(t *testing.T) {
		cases := []struct {
			args map[string]any
			want string
		}{
			{map[string]any{"a": map[string]any{"data_source": "snowflake", "table": "x.y.z"}, "b": map[string]any{"data_source": 2}, "primary_key": []any{"id"}}, "matches several data sources"},
			{map[string]any{"a": map[string]any{"data_source": "oracle", "table": "x.y.z"}, "b": map[string]any{"data_source": 2}, "primary_key": []any{"id"}}, "matches no data source"},
			{map[string]any{"a": map[string]any{"data_source": 1}, "b": map[string]any{"data_source": 2}, "primary_key": []any{"id"}}, "give a.table"},
			{map[string]any{"a": map[string]any{"data_source": 1, "table": "x.y.z"}, "b": map[string]any{"data_source": 2}}, "primary_key"},
		}
		for _, tc := range cases {
			res, err := callWithProgress(ctx, c, diff.TablesName, tc.args, "")
			if err != nil {
				t.Fatal(err)
			}
			if !res.IsError || !strings.Contains(mcpgo.Text(res), tc.want) {
				t.Errorf("args %v got %q, want an error mentioning %q", tc.args, mcpgo.Text(res), tc.want)
			}
		}
	})
}

// TestDiffTimeoutThenGetResult: a diff that outlives the wait answers
// status running with its id, and get_diff_result completes it.
func TestDiffTimeoutThenGetResult(t *testing.T) {
	a := diffServer(t, selection{}, 200*time.Millisecond)
	a.sandbox.DiffQueued, a.sandbox.DiffRunning = 400*time.Millisecond, 400*time.Millisecond
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	var log progressLog
	log.listen(c)
	ctx := context.Background()
	res, err := callWithProgress(ctx, c, diff.TablesName, ordersDiff, "slow")
	if err != nil {
		t.Fatal(err)
	}
	v := verdictOf(t, res)
	if res.IsError || v.Status != "running" || v.RetryAfterSeconds < 1 || v.A.Table != "ANALYTICS.MARTS.fct_orders" {
		t.Fatalf("got %+v, want status running with a retry hint; %s", v, mcpgo.Text(res))
	}
	if len(v.Next) != 1 || v.Next[0].Tool != diff.GetResultName || v.Next[0].Arguments["diff_id"] != float64(v.DiffID) {
		t.Errorf("next got %+v, want get_diff_result with diff_id %d", v.Next, v.DiffID)
	}
	if text := mcpgo.Text(res); !strings.Contains(text, "still queued") || !strings.Contains(text, fmt.Sprintf(`get_diff_result {"diff_id":%d}`, v.DiffID)) {
		t.Errorf("text does not say how to pick it up:\n%s", text)
	}
	checkProgress(t, awaitFinal(&log, "slow"), 2)
	// The diff id is the only handle: a fresh client (another replica
	// would do) picks it up.
	c2 := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	for i := 0; ; i++ {
		res, err = callWithProgress(ctx, c2, diff.GetResultName, map[string]any{"diff_id": v.DiffID}, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := verdictOf(t, res); got.Status != "running" || i == 20 {
			break
		}
	}
	if got := checkOrdersVerdict(t, res); got.DiffID != v.DiffID {
		t.Errorf("get_diff_result answered diff %d, want %d", got.DiffID, v.DiffID)
	}
}

// TestGetDiffResult reads the seeded diffs: 101 differs, 104 failed.
func TestGetDiffResult(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	ctx := context.Background()
	res, err := callWithProgress(ctx, c, diff.GetResultName, map[string]any{"diff_id": 101}, "")
	if err != nil {
		t.Fatal(err)
	}
	checkOrdersVerdict(t, res)
	res, err = callWithProgress(ctx, c, diff.GetResultName, map[string]any{"diff_id": 104}, "")
	if err != nil {
		t.Fatal(err)
	}
	if v := verdictOf(t, res); !res.IsError || v.Status != "failed" || v.Error == nil || v.Error.Type != "NoSuchTableException" {
		t.Errorf("diff 104 got %+v, want a failed verdict", v)
	}
	res, err = callWithProgress(ctx, c, diff.GetResultName, map[string]any{"diff_id": 99999}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(mcpgo.Text(res), "99999") || !strings.Contains(mcpgo.Text(res), "404") {
		t.Errorf("unknown diff got %q, want a readable not-found error", mcpgo.Text(res))
	}
}

// TestDiffProgressOverHTTP: over streamable HTTP every progress
// notification of diff_tables arrives, the last one included, before the
// result, 20 runs out of 20.
func TestDiffProgressOverHTTP(t *testing.T) {
	t.Parallel() // independent of the other tests; runs beside them
	a := diffServer(t, selection{}, 10*time.Second)
	a.sandbox.DiffQueued, a.sandbox.DiffRunning = 40*time.Millisecond, 80*time.Millisecond
	url := serveOn(t, a)
	c := httpClient(t, url, nil)
	var log progressLog
	log.listen(c)
	ctx := context.Background()
	const runs = 20
	for i := range runs {
		token := fmt.Sprintf("http-%d", i)
		res, err := callWithProgress(ctx, c, diff.TablesName, ordersDiff, token)
		if err != nil {
			t.Fatal(err)
		}
		checkOrdersVerdict(t, res)
		// No waiting: over HTTP the notifications precede the result on
		// the response stream, so they are all in when CallTool returns.
		checkProgress(t, log.of(token), 3)
	}
	// The hardest case for the race: a finished diff answers at once, its
	// only notification sent just before the result (without the fix it
	// is lost almost every time, see TestProgressFixIsNeeded).
	for i := range runs {
		token := fmt.Sprintf("http-done-%d", i)
		res, err := callWithProgress(ctx, c, diff.GetResultName, map[string]any{"diff_id": 101}, token)
		if err != nil {
			t.Fatal(err)
		}
		checkOrdersVerdict(t, res)
		checkProgress(t, log.of(token), 1)
	}
}

// TestProgressFixIsNeeded shows the race the fix removes: the same server
// without the notification tracking loses final notifications now and
// then. It only reports (the race is timing-dependent).
func TestProgressFixIsNeeded(t *testing.T) {
	if testing.Short() {
		t.Skip("demonstration")
	}
	a := diffServer(t, selection{}, 10*time.Second)
	a.sandbox.DiffQueued, a.sandbox.DiffRunning = 0, 0
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(a.mcp, server.WithStateLess(true)))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	c := httpClient(t, "http://"+ln.Addr().String()+"/mcp", nil)
	var log progressLog
	log.listen(c)
	lost := 0
	for i := range 20 {
		token := fmt.Sprintf("plain-%d", i)
		if _, err := callWithProgress(context.Background(), c, diff.GetResultName, map[string]any{"diff_id": 101}, token); err != nil {
			t.Fatal(err)
		}
		if notes := log.of(token); len(notes) == 0 || notes[len(notes)-1].progress != notes[len(notes)-1].total {
			lost++
		}
	}
	t.Logf("without the fix, %d of 20 calls lost their final progress notification", lost)
}

// TestDiffOverStdio runs diff_tables through the stdio transport (in
// process, over pipes, wired as serveStdio wires it): the notifications
// precede the result on the stream.
func TestDiffOverStdio(t *testing.T) {
	a := diffServer(t, selection{}, 10*time.Second)
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	stdio := server.NewStdioServer(a.mcp)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = stdio.Listen(ctx, inR, trackStdio(stdio, outW))
		close(done)
	}()
	tr := transport.NewIO(outR, inW, io.NopCloser(strings.NewReader("")))
	c := mcpclient.NewClient(tr)
	t.Cleanup(func() {
		_ = c.Close()
		cancel()
		_ = inW.Close()
		_ = outW.Close()
		<-done
	})
	initialize(t, c, mcp.LATEST_PROTOCOL_VERSION)
	var log progressLog
	log.listen(c)
	res, err := callWithProgress(context.Background(), c, diff.TablesName, ordersDiff, "stdio")
	if err != nil {
		t.Fatal(err)
	}
	checkOrdersVerdict(t, res)
	checkProgress(t, log.of("stdio"), 4) // no waiting: all arrived before the result
}

// TestReviewDataDiffPrompt lists and renders the prompt.
func TestReviewDataDiffPrompt(t *testing.T) {
	a := diffServer(t, selection{}, time.Second)
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	ctx := context.Background()
	list, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range list.Prompts {
		found = found || p.Name == diff.ReviewName
	}
	if !found {
		t.Fatalf("prompts/list lacks %s: %+v", diff.ReviewName, list.Prompts)
	}
	req := mcp.GetPromptRequest{}
	req.Params.Name = diff.ReviewName
	req.Params.Arguments = map[string]string{"table": "ANALYTICS.MARTS.fct_orders", "prod": "1", "dev": "2"}
	got, err := c.GetPrompt(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("got %d messages, want 1", len(got.Messages))
	}
	text := got.Messages[0].Content.(mcp.TextContent).Text
	for _, w := range []string{"ANALYTICS.MARTS.fct_orders", "diff_tables", "get_diff_result", "primary", "datafold_get_column_upstreams", "causes"} {
		if !strings.Contains(text, w) {
			t.Errorf("prompt text lacks %q:\n%s", w, text)
		}
	}
	// Where diff_tables is not offered, neither is the prompt.
	ro := diffServer(t, selection{policy: tools.Policy{ReadOnly: true}}, time.Second)
	c2 := inProcessClient(t, ro, mcp.LATEST_PROTOCOL_VERSION)
	if list, err := c2.ListPrompts(ctx, mcp.ListPromptsRequest{}); err == nil {
		for _, p := range list.Prompts {
			if p.Name == diff.ReviewName {
				t.Error("a read-only server offers review_data_diff, whose diff_tables it hides")
			}
		}
	}
}

// TestDiffConnections: with several Datafold connections the diff tools
// take the connection argument, use that connection's account and link to
// its app, and a read-only connection offers get_diff_result only.
func TestDiffConnections(t *testing.T) {
	var sbs []*sandbox.Sandbox
	var urls []string
	for range 2 {
		sb, err := sandbox.New()
		if err != nil {
			t.Fatal(err)
		}
		sb.DiffQueued, sb.DiffRunning = testDiffQueued, testDiffRunning
		srv := httptest.NewServer(sb.Handler("datafold"))
		t.Cleanup(srv.Close)
		sbs, urls = append(sbs, sb), append(urls, srv.URL)
	}
	cfg := filepath.Join(t.TempDir(), "config.json")
	body := fmt.Sprintf(`{"datafold": {"connections": [
		{"name": "main", "base_url": %q, "api_key_env": "KEY_MAIN"},
		{"name": "audit", "base_url": %q, "api_key_env": "KEY_AUDIT", "read_only": true}]}}`, urls[0], urls[1])
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"KEY_MAIN": "k1", "KEY_AUDIT": "k2"}
	a, err := assemble(options{configPath: cfg, timeout: 10 * time.Second, getenv: func(k string) string { return env[k] }, logger: discardLogger(),
		diffWait: 10 * time.Second, diffPoll: testDiffPoll})
	if err != nil {
		t.Fatal(err)
	}
	enum := func(name string) []any {
		tool := tools.Find(a.tools, name)
		if tool == nil {
			t.Fatalf("%s is not offered", name)
		}
		var s struct {
			Properties map[string]struct {
				Enum []any `json:"enum"`
			} `json:"properties"`
			Required []string `json:"required"`
		}
		if err := json.Unmarshal(tool.InputSchema, &s); err != nil {
			t.Fatal(err)
		}
		return s.Properties[tools.ConnectionArg].Enum
	}
	if got := fmt.Sprint(enum(diff.TablesName)); got != "[main]" {
		t.Errorf("diff_tables connections got %s, want [main] (audit is read-only)", got)
	}
	if got := fmt.Sprint(enum(diff.GetResultName)); got != "[main audit]" {
		t.Errorf("get_diff_result connections got %s, want [main audit]", got)
	}
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	args := map[string]any{"connection": "main"}
	for k, v := range ordersDiff {
		args[k] = v
	}
	res := call(t, c, diff.TablesName, args)
	v := checkOrdersVerdictAt(t, res, urls[0])
	// The diff exists on main's account only.
	res = call(t, c, diff.GetResultName, map[string]any{"connection": "audit", "diff_id": v.DiffID})
	if !res.IsError || !strings.Contains(mcpgo.Text(res), "404") {
		t.Errorf("audit found main's diff %d: %s", v.DiffID, mcpgo.Text(res))
	}
	res = call(t, c, diff.GetResultName, map[string]any{"connection": "audit", "diff_id": 101})
	checkOrdersVerdictAt(t, res, urls[1])
	if res := call(t, c, diff.TablesName, ordersDiff); !res.IsError || !strings.Contains(mcpgo.Text(res), "connection") {
		t.Errorf("diff_tables without a connection got %s, want an error naming the argument", mcpgo.Text(res))
	}
}

func checkOrdersVerdictAt(t *testing.T, res *mcp.CallToolResult, base string) diff.DiffVerdict {
	t.Helper()
	if res.IsError {
		t.Fatalf("got isError: %s", mcpgo.Text(res))
	}
	v := verdictOf(t, res)
	if v.Status != "done" || v.Result != "different" || intOr(v.A.RowsOnlyHere) != 142 {
		t.Errorf("got %+v, want the orders verdict", v)
	}
	if want := fmt.Sprintf("%s/datadiffs/%d/overview", base, v.DiffID); v.URL != want {
		t.Errorf("url got %q, want %q", v.URL, want)
	}
	return v
}

// TestDiffCancelled: a caller that gives up stops the waiting (no more
// status checks); the diff itself keeps running in Datafold.
func TestDiffCancelled(t *testing.T) {
	a := diffServer(t, selection{}, 10*time.Second)
	a.sandbox.DiffQueued, a.sandbox.DiffRunning = 5*time.Second, time.Second
	var mu sync.Mutex
	checks := 0
	a.sandbox.Observe(func(e sandbox.Exchange) {
		if e.Method == http.MethodGet && strings.Contains(e.Path, "/datadiffs/") {
			mu.Lock()
			checks++
			mu.Unlock()
		}
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return checks
	}
	c := inProcessClient(t, a, mcp.LATEST_PROTOCOL_VERSION)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// In process the handler's answer may still come back; over a wire the
	// client has stopped listening.
	if res, err := callWithProgress(ctx, c, diff.TablesName, ordersDiff, "cancel"); err == nil &&
		(!res.IsError || !strings.Contains(mcpgo.Text(res), "cancelled") || !strings.Contains(mcpgo.Text(res), "get_diff_result")) {
		t.Fatalf("a cancelled call got %s, want it to stop and name the diff to pick up", mcpgo.Text(res))
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancellation took %s", time.Since(start))
	}
	time.Sleep(3 * testDiffPoll)
	before := count()
	if before == 0 {
		t.Fatal("the diff was never checked")
	}
	time.Sleep(5 * testDiffPoll)
	if after := count(); after != before {
		t.Errorf("status checks went on after the call was cancelled: %d then %d", before, after)
	}
}

// TestDiffProgressOverHTTPLegacy: the same guarantee for 2025-11-25
// clients over stateless HTTP.
func TestDiffProgressOverHTTPLegacy(t *testing.T) {
	a := diffServer(t, selection{}, 10*time.Second)
	url := serveOn(t, a)
	c, err := mcpclient.NewStreamableHttpClient(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	initialize(t, c, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	var log progressLog
	log.listen(c)
	for i := range 20 {
		token := fmt.Sprintf("legacy-%d", i)
		res, err := callWithProgress(context.Background(), c, diff.GetResultName, map[string]any{"diff_id": 101}, token)
		if err != nil {
			t.Fatal(err)
		}
		checkOrdersVerdict(t, res)
		checkProgress(t, log.of(token), 1)
	}
}
