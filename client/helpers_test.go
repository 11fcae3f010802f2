package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/redact"
)

// redacted is what replaces a secret.
const redacted = redact.Redacted

// Canary credentials: they must never show up in error texts or logs.
const (
	canaryKey      = "sk-CANARY-key-7f3a9c1d"
	canaryPassword = "pw-CANARY-s3cr3t!&="
)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestClient starts h on loopback and returns a client for it. cfg's
// Provider defaults to Datafold, credentials to the canaries, and timings
// to values that keep tests fast. The log buffer captures Debug output.
func newTestClient(t *testing.T, cfg Config, h http.Handler) (*Client, *httptest.Server, *lockedBuffer) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if cfg.Provider == "" {
		cfg.Provider = Datafold
	}
	if cfg.Provider == PDC {
		if cfg.Username == "" {
			cfg.Username = "alice"
		}
		if cfg.Password == "" {
			cfg.Password = canaryPassword
		}
	} else if cfg.APIKey == "" {
		cfg.APIKey = canaryKey
	}
	cfg.BaseURL = srv.URL + cfg.BaseURL // BaseURL in cfg is a path prefix here
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.MaxRetryWait == 0 {
		cfg.MaxRetryWait = 5 * time.Millisecond
	}
	logs := &lockedBuffer{}
	cfg.Logger = newDebugLogger(logs)
	c, err := New(cfg)
	mustNoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c, srv, logs
}

// newDebugLogger writes Debug-level text records to w.
func newDebugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// asError asserts that err is an *Error and returns it.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	mustError(t, err)
	e, ok := err.(*Error)
	must(t, ok, "got %T (%v), want *Error", err, err)
	return e
}

// counter counts requests safely across handler goroutines.
type counter struct {
	mu      sync.Mutex
	n       int
	changed chan struct{} // closed and renewed at each increment
}

func (c *counter) inc() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
	return c.n
}

// wait blocks until the count reaches n.
func (c *counter) wait(n int) {
	for {
		c.mu.Lock()
		if c.n >= n {
			c.mu.Unlock()
			return
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch := c.changed
		c.mu.Unlock()
		<-ch
	}
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// makeJWT builds an unsigned JWT whose payload carries exp and a serial.
func makeJWT(exp time.Time, serial int) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload := enc.EncodeToString(fmt.Appendf(nil, `{"sub":"alice","exp":%d,"n":%d}`, exp.Unix(), serial))
	return header + "." + payload + ".sig"
}

// get is a GET of path with a background context.
func get(c *Client, path string) (*Response, error) {
	return c.Do(context.Background(), Request{Method: http.MethodGet, Path: path})
}

// roundTripFunc is a fake transport.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// check reports a failure (and goes on) unless ok.
func check(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

// must stops the test unless ok.
func must(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}

// checkEqual reports a failure unless got deeply equals want.
func checkEqual[T any](t *testing.T, want, got T, format string, args ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf(format, args...)
	}
}

func mustNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
}

func mustError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one")
	}
}
