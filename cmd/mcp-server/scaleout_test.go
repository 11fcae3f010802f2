package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// TestScaleOut starts three server processes behind a round-robin reverse
// proxy and runs a whole conversation through it: nothing may depend on
// which replica answers. The replicas share one upstream, the sandbox
// served over loopback HTTP by this test (a replica's own --sandbox would
// hold its own state), so a data diff created through one replica can be
// polled through the others.
func TestScaleOut(t *testing.T) {
	t.Parallel() // independent of the other tests; runs beside them
	if testing.Short() {
		t.Skip("builds the binary and starts three processes")
	}
	bin := filepath.Join(t.TempDir(), "mcp-server")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}

	sb, err := sandbox.New()
	if err != nil {
		t.Fatal(err)
	}
	// Diffs finish at once: a poll through another replica finds the
	// result, whatever the time between the calls.
	sb.DiffQueued, sb.DiffRunning = 0, 0
	mux := http.NewServeMux()
	for _, p := range schemas.Providers {
		mux.Handle("/"+p+"/", http.StripPrefix("/"+p, sb.Handler(p)))
	}
	var upstreamMu sync.Mutex
	var rejected []string
	sb.Observe(func(ex sandbox.Exchange) {
		if ex.RequestError != nil && ex.Status != http.StatusNotFound {
			upstreamMu.Lock()
			rejected = append(rejected, fmt.Sprintf("%s %s %s: %d %v", ex.Provider, ex.Method, ex.Path, ex.Status, ex.RequestError))
			upstreamMu.Unlock()
		}
	})
	upstream := httptest.NewServer(mux)
	defer upstream.Close()

	env := []string{
		"DATAFOLD_BASE_URL=" + upstream.URL + "/datafold", "DATAFOLD_API_KEY=test",
		"POSTHOG_BASE_URL=" + upstream.URL + "/posthog", "POSTHOG_API_KEY=test",
		"LIGHTDASH_URL=" + upstream.URL + "/lightdash", "LIGHTDASH_API_KEY=test",
		"PDC_URL=" + upstream.URL + "/pdc", "PDC_USERNAME=test", "PDC_PASSWORD=test-password",
	}
	replicas := make([]*url.URL, 3)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range replicas {
		wg.Go(func() { replicas[i], errs[i] = startReplica(t, bin, env) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// The proxy sends request n to replica n mod 3 and notes which
	// JSON-RPC message each replica got.
	type served struct {
		replica   int
		mcpMethod string
		tool      string
	}
	var (
		next int64
		logM sync.Mutex
		log  []served
	)
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		i := int(atomic.AddInt64(&next, 1)-1) % len(replicas)
		var body []byte
		if pr.In.Body != nil {
			body, _ = io.ReadAll(pr.In.Body)
			pr.Out.Body = io.NopCloser(bytes.NewReader(body))
		}
		m, tool := peekMethod(body)
		logM.Lock()
		log = append(log, served{i, m, tool})
		logM.Unlock()
		pr.SetURL(replicas[i])
		pr.Out.Host = replicas[i].Host
	}}
	front := httptest.NewServer(proxy)
	defer front.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a safety net only
	defer cancel()
	// A client of the 2025-11-25 era: initialize, then requests carrying
	// whatever the answer gave it, each to another replica.
	legacy, err := mcpclient.NewStreamableHttpClient(front.URL + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	defer legacy.Close()
	if err := legacy.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: "datastack-test-legacy", Version: "1"}
	if got, err := legacy.Initialize(ctx, init); err != nil || got.ProtocolVersion != "2025-11-25" {
		t.Fatalf("initialize got %v, %v; want protocol 2025-11-25", got, err)
	}
	for range 3 {
		if _, err := legacy.ListTools(ctx, mcp.ListToolsRequest{}); err != nil {
			t.Fatalf("tools/list after initialize: %v", err)
		}
	}

	c := httpClient(t, front.URL+"/mcp", nil) // the newest era the client speaks
	names := listNames(t, c)
	for _, want := range []string{"datafold_create_data_diff", "datafold_get_data_diff_summary_results", "lightdash_list_organization_projects", "pdc_filter_data_sources"} {
		if !slices.Contains(names, want) {
			t.Fatalf("tools/list lacks %s", want)
		}
	}
	call := func(name string, args map[string]any) map[string]any {
		t.Helper()
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = name, args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			t.Fatalf("%s: got protocol error %v, want a result", name, err)
		}
		if res.IsError {
			t.Fatalf("%s: got error %s, want success", name, mcpgo.Text(res))
		}
		m, _ := res.StructuredContent.(map[string]any)
		return m
	}
	ex := sandbox.Examples()
	for _, step := range []struct {
		tool string
		args map[string]any
	}{
		{"datafold_list_data_sources", nil},
		{"posthog_list_external_data_sources", map[string]any{"project_id": ex["posthog"]["project_id"]}},
		{"lightdash_list_organization_projects", nil},
		{"pdc_filter_data_sources", map[string]any{"resourceNames": []any{"*"}}},
	} {
		call(step.tool, step.args)
	}

	created := call("datafold_create_data_diff", argOverrides["datafold_create_data_diff"])
	id, ok := created["id"].(float64)
	if !ok {
		t.Fatalf("datafold_create_data_diff got %v, want an id", created)
	}
	// Polled through the next replica (the proxy takes turns).
	got := call("datafold_get_data_diff_summary_results", map[string]any{"datadiff_id": id})
	if status, _ := got["status"].(string); status != "done" {
		t.Fatalf("diff %v status got %q, want done", id, got["status"])
	}

	logM.Lock()
	defer logM.Unlock()
	createdOn, polledOn, used := -1, map[int]bool{}, map[int]bool{}
	for _, s := range log {
		used[s.replica] = true
		switch s.tool {
		case "datafold_create_data_diff":
			createdOn = s.replica
		case "datafold_get_data_diff_summary_results":
			polledOn[s.replica] = true
		}
	}
	if methods := fmt.Sprint(log); !strings.Contains(methods, "initialize") || !strings.Contains(methods, "tools/list") {
		t.Errorf("messages through the proxy got %s, want initialize and tools/list among them", methods)
	}
	if len(used) != len(replicas) {
		t.Errorf("replicas used got %d, want %d", len(used), len(replicas))
	}
	delete(polledOn, createdOn)
	if createdOn < 0 || len(polledOn) == 0 {
		t.Errorf("diff created on replica %d, polled on other replicas %v, want at least one other", createdOn, polledOn)
	}
	upstreamMu.Lock()
	defer upstreamMu.Unlock()
	if len(rejected) > 0 {
		t.Errorf("the sandbox rejected requests: %s", strings.Join(rejected, "; "))
	}
}

// startReplica runs the binary on a free loopback port with env only and
// returns its base URL. The process gets SIGTERM at cleanup and must exit
// cleanly.
func startReplica(t *testing.T, bin string, env []string) (*url.URL, error) {
	cmd := exec.Command(bin, "--transport", "http", "--addr", "127.0.0.1:0", "--log-format", "json", "--log-level", "info")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("replica exited with %v after SIGTERM, want 0", err)
			}
		case <-time.After(time.Minute): // a safety net only
			_ = cmd.Process.Kill()
			t.Error("replica did not exit within a minute of SIGTERM")
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if !sent && json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "serving MCP over streamable HTTP" {
				found <- rec.URL
				sent = true
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case raw := <-found:
		u, err := url.Parse(strings.TrimSuffix(raw, "/mcp"))
		return u, err
	case err := <-exited:
		exited <- err // for the cleanup
		return nil, fmt.Errorf("replica exited before serving: %v", err)
	case <-time.After(2 * time.Minute): // a safety net only
		return nil, fmt.Errorf("replica did not start serving within 2 minutes")
	}
}
