package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// The secrets sweep: canary credentials for every provider, configured on
// the server (environment) and, in team mode, sent by the client in
// headers, plus the endpoint's own bearer token. The upstream echoes back
// whatever credentials it gets (Authorization header, PDC login form) in
// successful answers, in JSON, HTML and text error pages, and in failed
// logins. Every tool the server offers is called in each upstream mood,
// resources are listed and read, and the server logs at debug in text and
// JSON. No canary may appear in a log record, a tool result, a resource or
// a protocol error.
//
// Each canary holds a marker (C4NARY…) of letters and digits only, which
// survives any escaping (JSON, URL, HTML): the checks look for the marker,
// so a secret that leaked in an escaped form is found too. PDC usernames
// are identities, not secrets (like the JWT subject in request logs), and
// are only required to stay out of the logs.

// sweepSecret is one canary: its value and the marker the checks look for.
type sweepSecret struct{ name, value, marker string }

func sweepCanary(name, marker, decoration string) sweepSecret {
	return sweepSecret{name: name, value: marker + decoration, marker: marker}
}

var (
	// Server-side credentials (environment).
	canaryDatafold  = sweepCanary("DATAFOLD_API_KEY", "C4NARYdfsrv71a", "-datafold")
	canaryPostHog   = sweepCanary("POSTHOG_API_KEY", "C4NARYphsrv3b0", "")
	canaryLightdash = sweepCanary("LIGHTDASH_API_KEY", "C4NARYldsrv9c2", "-pat")
	canaryPDCPass   = sweepCanary("PDC_PASSWORD", "C4NARYpdcsrv5e", "!&= %/+\"<p>") // every character that gets escaped somewhere
	canaryPDCToken  = sweepCanary("PDC token (server login)", "C4NARYtoksrv8d", ".jwt-like")
	canaryEndpoint  = sweepCanary("MCP_HTTP_TOKEN", "C4NARYendpt4f6", "-0123456789abcdef")
	// Team-mode credentials (request headers).
	canaryTeamDatafold  = sweepCanary("X-Datafold-Api-Key", "C4NARYdfteam2a", "-key")
	canaryTeamPostHog   = sweepCanary("X-PostHog-Api-Key", "C4NARYphteam6b", "")
	canaryTeamLightdash = sweepCanary("X-Lightdash-Api-Key", "C4NARYldteam1c", "-pat")
	canaryTeamPDCPass   = sweepCanary("X-PDC-Password", "C4NARYpdcteam7", "#;&=?")
	canaryTeamPDCToken  = sweepCanary("PDC token (team login)", "C4NARYtokteam3", ".jwt-like")
)

// PDC usernames: allowed in results (identities), never in logs.
const (
	sweepPDCUser     = "C4NARYUSERsrv"
	sweepTeamPDCUser = "C4NARYUSERteam"
)

// echo moods of the upstream.
const (
	moodOK         int32 = iota // 200 answers echoing the credentials
	moodError                   // error answers echoing them
	moodLoginError              // PDC logins fail, echoing the form
)

// echoUpstream stands for all four providers under path prefixes and
// echoes the credentials it receives.
type echoUpstream struct {
	*httptest.Server
	mood atomic.Int32
	n    atomic.Int64

	mu    sync.Mutex
	seen  map[string]bool // Authorization values and login passwords received
	calls int
}

// echoStatuses are the error answers, in turn. Retry-After: 0 makes the
// retried ones (429, 502, 503) retry at once.
var echoStatuses = []int{400, 401, 403, 404, 409, 422, 429, 500, 502, 503}

func newEchoUpstream(t *testing.T) *echoUpstream {
	t.Helper()
	u := &echoUpstream{seen: map[string]bool{}}
	u.Server = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.Close)
	return u
}

func (u *echoUpstream) serve(w http.ResponseWriter, r *http.Request) {
	provider, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	body, _ := io.ReadAll(r.Body)
	n := u.n.Add(1)
	mood := u.mood.Load()
	w.Header().Set("Content-Type", "application/json")
	if provider == "pdc" && rest == "api/public/v1/auth" {
		form, _ := url.ParseQuery(string(body))
		u.record(form.Get("password"))
		if mood == moodLoginError {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"bad login %s (password was %s)"}`, jsonText(string(body)), jsonText(form.Get("password")))
			return
		}
		token := canaryPDCToken.value
		if form.Get("password") == canaryTeamPDCPass.value {
			token = canaryTeamPDCToken.value
		}
		fmt.Fprintf(w, `{"message":"logged in with %s","data":{"accessToken":%q,"expiresIn":3600}}`, jsonText(string(body)), token)
		return
	}
	authz := r.Header.Get("Authorization")
	u.record(authz)
	echo := "you sent " + authz + " to " + r.Method + " " + r.URL.Path
	if mood == moodOK {
		json.NewEncoder(w).Encode(map[string]any{
			"id": 1, "uuid": "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "name": "echo", "status": "done",
			"note":    echo,
			"results": []any{map[string]any{"id": 2, "note": echo, "header": authz}},
			"data":    map[string]any{"comment": echo},
		})
		return
	}
	status := echoStatuses[int(n)%len(echoStatuses)]
	w.Header().Set("Retry-After", "0")
	switch n % 3 {
	case 0:
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"detail":%q,"request":{"headers":{"authorization":%q}}}`, echo, authz)
	case 1:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><head><title>Error</title></head><body><h1>%d</h1><pre>Authorization: %s</pre></body></html>", status, authz)
	default:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		fmt.Fprintf(w, "error %d: %s", status, echo)
	}
}

// jsonText escapes s for a place inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func (u *echoUpstream) record(v string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen[v] = true
	u.calls++
}

// received reports whether the upstream got a credential containing s.
func (u *echoUpstream) received(s string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for v := range u.seen {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// sweepRun is one server under the sweep.
type sweepRun struct {
	name      string
	team      bool
	logFormat string
}

func TestSecretsSweep(t *testing.T) {
	runs := []sweepRun{
		{"server credentials, text log", false, "text"},
		{"team mode, JSON log", true, "json"},
	}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) { sweep(t, run) })
	}
}

func sweep(t *testing.T, run sweepRun) {
	up := newEchoUpstream(t)
	env := envMap(map[string]string{
		"DATAFOLD_BASE_URL": up.URL + "/datafold", canaryDatafold.name: canaryDatafold.value,
		"POSTHOG_BASE_URL": up.URL + "/posthog", canaryPostHog.name: canaryPostHog.value,
		"LIGHTDASH_URL": up.URL + "/lightdash", canaryLightdash.name: canaryLightdash.value,
		"PDC_URL": up.URL + "/pdc", "PDC_USERNAME": sweepPDCUser, canaryPDCPass.name: canaryPDCPass.value,
	})
	logs := &logBuffer{}
	logger, err := newLogger(logs, "debug", run.logFormat)
	if err != nil {
		t.Fatal(err)
	}
	a, err := assemble(options{getenv: env, timeout: 2 * time.Second, logger: logger,
		diffWait: 300 * time.Millisecond, diffPoll: 50 * time.Millisecond, clientCredentials: run.team})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		_ = serveHTTPOn(ctx, a.mcp, ln, logger, httpOptions{tokens: []string{canaryEndpoint.value}, clientCredentials: run.team})
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })

	headers := map[string]string{"Authorization": "Bearer " + canaryEndpoint.value}
	secrets := []sweepSecret{canaryDatafold, canaryPostHog, canaryLightdash, canaryPDCPass, canaryPDCToken, canaryEndpoint}
	if run.team {
		headers["X-Datafold-Api-Key"] = canaryTeamDatafold.value
		headers["X-PostHog-Api-Key"] = canaryTeamPostHog.value
		headers["X-Lightdash-Api-Key"] = canaryTeamLightdash.value
		headers["X-PDC-Username"] = sweepTeamPDCUser
		headers["X-PDC-Password"] = canaryTeamPDCPass.value
		secrets = append(secrets, canaryTeamDatafold, canaryTeamPostHog, canaryTeamLightdash, canaryTeamPDCPass, canaryTeamPDCToken)
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(hc.CloseIdleConnections)
	connect := func(headers map[string]string) *mcpclient.Client {
		c, err := mcpclient.NewStreamableHttpClient("http://"+ln.Addr().String()+"/mcp",
			transport.WithHTTPHeaders(headers), transport.WithHTTPBasicClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if err := c.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		init := mcp.InitializeRequest{}
		init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
		init.Params.ClientInfo = mcp.Implementation{Name: "secrets-sweep", Version: "1"}
		if _, err := c.Initialize(context.Background(), init); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := connect(headers)

	var out strings.Builder // every result, resource and protocol error
	record := func(what string, v any, err error) {
		if err != nil {
			fmt.Fprintf(&out, "%s: protocol error: %v\n", what, err)
			return
		}
		b, _ := json.Marshal(v)
		fmt.Fprintf(&out, "%s: %s\n", what, b)
	}
	listed, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*tools.Tool{}
	for _, tool := range a.tools {
		byName[tool.Name] = tool
	}
	var names []string
	for _, tool := range listed.Tools {
		names = append(names, tool.Name)
	}
	sort.Strings(names)
	examples := sandbox.Examples()
	isError, calls := 0, 0
	callAll := func(c *mcpclient.Client, mood int32, only string) {
		up.mood.Store(mood)
		for _, name := range names {
			tool := byName[name]
			if tool == nil || (only != "" && tool.Provider != only) {
				continue
			}
			req := mcp.CallToolRequest{}
			req.Params.Name = name
			req.Params.Arguments = exampleArgs(t, tool, examples[tool.Provider])
			cctx, ccancel := context.WithTimeout(context.Background(), 20*time.Second)
			res, err := c.CallTool(cctx, req)
			ccancel()
			record(name, res, err)
			calls++
			if err == nil && res.IsError {
				isError++
			}
		}
		res, err := c.ListResources(context.Background(), mcp.ListResourcesRequest{})
		record("resources/list", res, err)
		if err == nil {
			for i, r := range res.Resources {
				if i == 8 {
					break
				}
				read := mcp.ReadResourceRequest{}
				read.Params.URI = r.URI
				got, err := c.ReadResource(context.Background(), read)
				record("resources/read "+r.URI, got, err)
			}
		}
	}
	callAll(c, moodOK, "")
	callAll(c, moodError, "")
	callAll(c, moodLoginError, "pdc")
	if run.team {
		// Without credential headers, team mode falls back to the
		// server's own credentials.
		own := connect(map[string]string{"Authorization": "Bearer " + canaryEndpoint.value})
		callAll(own, moodOK, "")
		callAll(own, moodError, "")
		callAll(own, moodLoginError, "pdc")
		_ = own.Close()
	}
	_ = c.Close()
	hc.CloseIdleConnections()
	cancel()
	<-done

	results, logText := out.String(), logs.String()
	t.Logf("%d tool calls (%d isError), %d upstream requests, %d bytes of results, %d bytes of logs",
		calls, isError, up.n.Load(), len(results), len(logText))
	if calls < 100 {
		t.Errorf("got %d tool calls, want every offered tool called (over 100)", calls)
	}
	for _, s := range secrets {
		if s != canaryEndpoint && !up.received(s.marker) {
			t.Errorf("%s: the upstream never received it, want it used (else the sweep proves nothing)", s.name)
		}
		if i := strings.Index(results, s.marker); i >= 0 {
			t.Errorf("%s reached a result: got %q, want %s", s.name, around(results, i), tools.Redacted)
		}
		if i := strings.Index(logText, s.marker); i >= 0 {
			t.Errorf("%s reached the log: got %q, want no trace", s.name, around(logText, i))
		}
	}
	for _, user := range []string{sweepPDCUser, sweepTeamPDCUser} {
		if i := strings.Index(logText, user); i >= 0 {
			t.Errorf("PDC username reached the log: got %q, want no trace", around(logText, i))
		}
	}
	if n := strings.Count(results, tools.Redacted); n < calls {
		t.Errorf("got %d redactions in %d calls, want at least one per call (the echoes replaced, not absent)", n, calls)
	}
	if !strings.Contains(logText, `upstream request`) {
		t.Errorf("log got no debug record of upstream requests, want the log at debug")
	}
}

// around is the text around index i, for failure messages.
func around(s string, i int) string {
	return s[max(0, i-120):min(len(s), i+80)]
}
