package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logBuffer collects log output written from several goroutines.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed (and renewed) at each write
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

// waitFor blocks until ok holds for the log text, or ctx ends; it returns
// the text it last saw.
func (b *logBuffer) waitFor(ctx context.Context, ok func(string) bool) string {
	for {
		b.mu.Lock()
		text := b.buf.String()
		if ok(text) {
			b.mu.Unlock()
			return text
		}
		if b.written == nil {
			b.written = make(chan struct{})
		}
		ch := b.written
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return text
		}
	}
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveSecured assembles a server from o (the sandbox when o.getenv is
// nil) and serves it with hopt on a loopback port. It returns the base URL
// (no path) and the Debug-level JSON log of the server.
func serveSecured(t *testing.T, o options, hopt httpOptions) (string, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.getenv == nil {
		o.sandbox, o.getenv = true, noEnv
	}
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	o.logger = logger
	a, err := assemble(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = serveHTTPOn(ctx, a.mcp, ln, logger, hopt); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + ln.Addr().String(), logs
}

const pingBody = `{"jsonrpc":"2.0","id":1,"method":"ping"}`

// post sends body to url with headers and returns the status, headers and
// answer.
func post(t *testing.T, method, url string, headers map[string]string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// unsized hides a body's length so that it is sent chunked.
type unsized struct{ io.Reader }

func TestEndpointSecurity(t *testing.T) {
	const token = "tok-0123456789abcdef"
	const limit = 64 << 10
	base, _ := serveSecured(t, options{}, httpOptions{
		tokens:         []string{"another-token-fedcba9876", token},
		allowedOrigins: []string{"https://app.example.com"},
		maxBodyBytes:   limit,
	})
	auth := "Bearer " + token
	padded := func(n int) string { return pingBody[:len(pingBody)-1] + strings.Repeat(" ", n-len(pingBody)) + "}" }
	cases := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    string
		chunked bool
		want    int
		// wantHeader, when set, is a header that must hold the given text.
		wantHeader, wantHeaderHas string
	}{
		{"token, no Origin", "POST", "/mcp", map[string]string{"Authorization": auth}, pingBody, false, 200, "", ""},
		{"token scheme in lower case", "POST", "/mcp", map[string]string{"Authorization": "bearer " + token}, pingBody, false, 200, "", ""},
		{"second token of the list", "POST", "/mcp", map[string]string{"Authorization": "Bearer another-token-fedcba9876"}, pingBody, false, 200, "", ""},
		{"localhost Origin on any port", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "http://localhost:3000"}, pingBody, false, 200, "", ""},
		{"127.0.0.1 Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "http://127.0.0.1:5173"}, pingBody, false, 200, "", ""},
		{"[::1] Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "http://[::1]:8080"}, pingBody, false, 200, "", ""},
		{"listed Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "https://app.example.com"}, pingBody, false, 200, "Access-Control-Allow-Origin", "https://app.example.com"},
		{"listed Origin with default port", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "https://APP.example.com:443"}, pingBody, false, 200, "", ""},
		{"foreign Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "https://evil.example"}, pingBody, false, 403, "", ""},
		{"foreign Origin is refused before the token", "POST", "/mcp", map[string]string{"Origin": "https://evil.example"}, pingBody, false, 403, "", ""},
		{"null Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "null"}, pingBody, false, 403, "", ""},
		{"look-alike localhost Origin", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "http://localhost.evil.example"}, pingBody, false, 403, "", ""},
		{"listed host, other scheme", "POST", "/mcp", map[string]string{"Authorization": auth, "Origin": "http://app.example.com"}, pingBody, false, 403, "", ""},
		{"no token", "POST", "/mcp", nil, pingBody, false, 401, "WWW-Authenticate", "Bearer"},
		{"wrong token", "POST", "/mcp", map[string]string{"Authorization": "Bearer tok-0123456789abcdeX"}, pingBody, false, 401, "WWW-Authenticate", `error="invalid_token"`},
		{"token as Basic", "POST", "/mcp", map[string]string{"Authorization": "Basic " + token}, pingBody, false, 401, "WWW-Authenticate", "Bearer"},
		{"GET without token", "GET", "/mcp", nil, "", false, 401, "", ""},
		{"body at the limit", "POST", "/mcp", map[string]string{"Authorization": auth}, padded(limit), false, 200, "", ""},
		{"body past the limit", "POST", "/mcp", map[string]string{"Authorization": auth}, padded(limit + 1), false, 413, "", ""},
		{"chunked body past the limit", "POST", "/mcp", map[string]string{"Authorization": auth}, padded(limit + 1), true, 413, "", ""},
		{"oversize body without token", "POST", "/mcp", nil, padded(limit + 1), false, 401, "", ""},
		{"healthz is open", "GET", "/healthz", map[string]string{"Origin": "https://evil.example"}, "", false, 200, "", ""},
		{"preflight of a listed Origin", "OPTIONS", "/mcp", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}, "", false, 204, "Access-Control-Allow-Headers", "authorization"},
		{"no metadata without JWT", "GET", "/.well-known/oauth-protected-resource", nil, "", false, 404, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
				if tc.chunked {
					body = unsized{body}
				}
			}
			got, h, answer := post(t, tc.method, base+tc.path, tc.headers, body)
			if got != tc.want {
				t.Fatalf("status got %d, want %d (answer %s)", got, tc.want, bound(answer, 300))
			}
			if tc.wantHeader != "" && !strings.Contains(h.Get(tc.wantHeader), tc.wantHeaderHas) {
				t.Errorf("%s got %q, want it to hold %q", tc.wantHeader, h.Get(tc.wantHeader), tc.wantHeaderHas)
			}
		})
	}
}

// TestEndpointDefaults: without any option, loopback Origins and bodies up
// to 4 MiB pass, no token is needed.
func TestEndpointDefaults(t *testing.T) {
	base, _ := serveSecured(t, options{}, httpOptions{})
	big := pingBody[:len(pingBody)-1] + strings.Repeat(" ", defaultMaxBodyBytes) + "}"
	cases := []struct {
		name    string
		headers map[string]string
		body    string
		want    int
	}{
		{"no token needed", nil, pingBody, 200},
		{"localhost Origin", map[string]string{"Origin": "http://localhost:6274"}, pingBody, 200},
		{"foreign Origin", map[string]string{"Origin": "https://example.com"}, pingBody, 403},
		{"body past 4 MiB", nil, big, 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, answer := post(t, "POST", base+"/mcp", tc.headers, strings.NewReader(tc.body))
			if got != tc.want {
				t.Errorf("status got %d, want %d (answer %s)", got, tc.want, bound(answer, 200))
			}
		})
	}
}

func TestHTTPFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("tokens", "# team tokens\n\ntok-aaaaaaaaaaaaaaaa\n  tok-bbbbbbbbbbbbbbbb  \n")
	empty := write("empty", "# nothing\n\n")
	short := write("short", "abc\n")
	cases := []struct {
		name       string
		args       []string
		wantTokens int
		wantErr    string
	}{
		{"token file", []string{"--http-token-file", good}, 2, ""},
		{"token and file", []string{"--http-token", "tok-cccccccccccccccc", "--http-token-file", good}, 3, ""},
		{"empty token file", []string{"--http-token-file", empty}, 0, "holds no token"},
		{"missing token file", []string{"--http-token-file", filepath.Join(dir, "none")}, 0, "--http-token-file"},
		{"short token", []string{"--http-token-file", short}, 0, "at least 16"},
		{"bad origin", []string{"--allowed-origins", "app.example.com"}, 0, "not an origin"},
		{"zero body cap", []string{"--max-body-bytes", "0"}, 0, "must be positive"},
		{"issuer without audience", []string{"--jwt-issuer", "https://id.example.com"}, 0, "--jwt-audience"},
		{"plain http issuer", []string{"--jwt-issuer", "http://id.example.com", "--jwt-audience", "x"}, 0, "must be https"},
		{"audience from public URL", []string{"--jwt-issuer", "https://id.example.com", "--public-url", "https://mcp.example.com/mcp"}, 0, ""},
		{"bad public URL", []string{"--public-url", "mcp.example.com"}, 0, "--public-url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet()
			get := addHTTPFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			o, err := get()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("got error %v, want one saying %q", err, tc.wantErr)
			}
			if err == nil && len(o.tokens) != tc.wantTokens {
				t.Errorf("tokens got %d, want %d", len(o.tokens), tc.wantTokens)
			}
		})
	}
}

func TestHTTPTokenFromEnv(t *testing.T) {
	t.Setenv("MCP_HTTP_TOKEN", "tok-from-env-0123456789")
	fs := newFlagSet()
	get := addHTTPFlags(fs)
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	if strings.Contains(help.String(), "tok-from-env") {
		t.Errorf("-h output got the token from the environment, want it hidden")
	}
	o, err := get()
	if err != nil || len(o.tokens) != 1 || o.tokens[0] != "tok-from-env-0123456789" {
		t.Errorf("tokens got %q (%v), want the one of MCP_HTTP_TOKEN", o.tokens, err)
	}
}

func TestTeamModeNeedsHTTP(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := run([]string{"--allow-client-credentials", "--sandbox"}, &stdout, &stderr); got != 2 {
		t.Errorf("exit code got %d, want 2", got)
	}
	if !strings.Contains(stderr.String(), "--transport http") {
		t.Errorf("stderr got %q, want it to say team mode needs --transport http", stderr.String())
	}
}

func newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// TestSlowBodyCutOff: a client that stalls or trickles its body gets 408
// once the body read time is up, and its connection is closed; the
// server keeps serving others. The test waits for the server's verdict:
// the trickle's pace is the only clock it sets.
func TestSlowBodyCutOff(t *testing.T) {
	const timeout = 300 * time.Millisecond
	base, logs := serveSecured(t, options{}, httpOptions{bodyReadTimeout: timeout, tokens: []string{"tok-0123456789abcdef"}})
	addr := strings.TrimPrefix(base, "http://")
	for _, tc := range []struct {
		name    string
		auth    bool
		trickle bool // keep sending a byte at a time; else stop after the first bytes
		want    int
	}{
		{"stalled body", true, false, http.StatusRequestTimeout},
		{"trickled body", true, true, http.StatusRequestTimeout},
		{"stalled body without token: refused, closed", false, false, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			// Only a safety net: the server's verdict comes long before.
			require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute)))
			head := "POST /mcp HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
				"Accept: application/json, text/event-stream\r\nContent-Length: 1000000\r\n"
			if tc.auth {
				head += "Authorization: Bearer tok-0123456789abcdef\r\n"
			}
			_, err = io.WriteString(conn, head+"\r\n"+`{"jsonrpc":"2.0",`)
			require.NoError(t, err)
			stop := make(chan struct{})
			trickled := make(chan struct{})
			go func() {
				defer close(trickled)
				if !tc.trickle {
					return
				}
				tick := time.NewTicker(timeout / 10)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						if _, err := conn.Write([]byte(" ")); err != nil {
							return
						}
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			close(stop)
			<-trickled
			require.NoError(t, err, "got no answer, want the server to cut the body off")
			resp.Body.Close()
			assert.Equal(t, tc.want, resp.StatusCode, "got status %d, want %d", resp.StatusCode, tc.want)
			assert.True(t, resp.Close, "got a connection kept open, want it closed")
			// The server has closed its side: reading ends.
			_, err = io.ReadAll(conn)
			assert.NoError(t, err, "got %v reading after the answer, want the connection closed (EOF)", err)
		})
	}
	got, _, answer := post(t, "POST", base+"/mcp", map[string]string{"Authorization": "Bearer tok-0123456789abcdef"}, strings.NewReader(pingBody))
	assert.Equal(t, http.StatusOK, got, "got %d (%s) for a normal request after the slow ones, want 200", got, answer)
	assert.Contains(t, logs.String(), "request body not received in time", "got logs %s, want the cut-off logged", bound(logs.String(), 400))
}

func TestReadRequestBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		length int64
		max    int64
		want   string
		err    error
	}{
		{"declared", "hello", 5, 10, "hello", nil},
		{"declared, at the cap", "0123456789", 10, 10, "0123456789", nil},
		{"declared, cut short", "hel", 5, 10, "", io.ErrUnexpectedEOF},
		{"chunked", "hello", -1, 10, "hello", nil},
		{"chunked, at the cap", "0123456789", -1, 10, "0123456789", nil},
		{"chunked, over the cap", "0123456789a", -1, 10, "", errBodyTooLarge},
		{"large, declared", strings.Repeat("x", 100<<10), 100 << 10, 1 << 20, strings.Repeat("x", 100<<10), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{Body: io.NopCloser(strings.NewReader(tc.body)), ContentLength: tc.length}
			got, err := readRequestBody(r, tc.max)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err, "got %v, want %v", err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got), "got %d bytes, want %d", len(got), len(tc.want))
		})
	}
}

func TestBodyReadTimeoutFlag(t *testing.T) {
	for _, tc := range []struct {
		name, env string
		args      []string
		want      time.Duration
		wantErr   string
	}{
		{"default", "", nil, defaultBodyReadTimeout, ""},
		{"flag", "", []string{"--body-read-timeout", "5s"}, 5 * time.Second, ""},
		{"env", "7s", nil, 7 * time.Second, ""},
		{"flag wins over env", "7s", []string{"--body-read-timeout", "2s"}, 2 * time.Second, ""},
		{"bad env", "soon", nil, 0, "MCP_BODY_READ_TIMEOUT"},
		{"zero", "", []string{"--body-read-timeout", "0s"}, 0, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("MCP_BODY_READ_TIMEOUT", tc.env)
			fs := newFlagSet()
			get := addHTTPFlags(fs)
			require.NoError(t, fs.Parse(tc.args))
			o, err := get()
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.bodyReadTimeout, "got %v, want %v", o.bodyReadTimeout, tc.want)
		})
	}
}
