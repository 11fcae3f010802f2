package tools

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// stub is one expected upstream request and the answer to give.
type stub struct {
	method, path string // path as sent (escaped), without query
	status       int
	body         string
	header       http.Header
	used         int
	seen         *http.Request
	seenBody     []byte
}

// fakeTransport answers registered stubs at the HTTP transport, so the real
// client code runs. A stub that is never used fails the test, as does a
// request no stub matches.
type fakeTransport struct {
	t     *testing.T
	mu    sync.Mutex
	stubs []*stub
}

func newFake(t *testing.T) *fakeTransport {
	f := &fakeTransport{t: t}
	t.Cleanup(func() {
		for _, s := range f.stubs {
			if s.used == 0 {
				t.Errorf("stub %s %s was registered but never used", s.method, s.path)
			}
		}
	})
	return f
}

func (f *fakeTransport) register(method, path string, status int, body string) *stub {
	s := &stub{method: method, path: path, status: status, body: body, header: http.Header{"Content-Type": {"application/json"}}}
	f.stubs = append(f.stubs, s)
	return s
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
	}
	for _, s := range f.stubs {
		if s.method == r.Method && s.path == r.URL.EscapedPath() {
			s.used++
			s.seen, s.seenBody = r, body
			return &http.Response{StatusCode: s.status, Header: s.header.Clone(), Body: io.NopCloser(bytes.NewBufferString(s.body)), Request: r}, nil
		}
	}
	f.t.Errorf("unexpected upstream request %s %s", r.Method, r.URL.EscapedPath())
	return nil, fmt.Errorf("no stub for %s %s", r.Method, r.URL.EscapedPath())
}

// depsWith returns Deps whose provider client talks to the fake.
func depsWith(t *testing.T, provider string, f *fakeTransport, secrets ...string) *Deps {
	t.Helper()
	cfg := client.Config{Provider: provider, BaseURL: "https://" + provider + ".example.test", Transport: f, MaxRetries: -1}
	switch provider {
	case client.PDC:
		cfg.Username, cfg.Password = "user", "pw-secret-canary"
	default:
		cfg.APIKey = "key-secret-canary"
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &Deps{
		Callers:    map[string]Caller{provider: c},
		Secrets:    append([]string{cfg.APIKey, cfg.Password}, secrets...),
		ConfigHint: map[string]string{provider: "TEST_KEY"},
	}
}
