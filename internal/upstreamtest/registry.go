package upstreamtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
)

// Stub is one expected upstream request and the answer to give.
type Stub struct {
	Method, Path string // path as sent (escaped), without query
	Status       int
	Body         string
	Header       http.Header

	mu       sync.Mutex
	used     int
	seen     *http.Request
	seenBody []byte
}

// Used is how many requests the stub answered.
func (s *Stub) Used() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}

// Seen returns the last request the stub answered and its body.
func (s *Stub) Seen() (*http.Request, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen, s.seenBody
}

// Registry is an http.RoundTripper answering registered stubs. A stub
// never used fails the test at cleanup; a request no stub matches fails it
// at once.
type Registry struct {
	t     testing.TB
	mu    sync.Mutex
	stubs []*Stub
}

// New returns an empty registry that checks its stubs when t ends.
func New(t testing.TB) *Registry {
	r := &Registry{t: t}
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, s := range r.stubs {
			if s.Used() == 0 {
				t.Errorf("stub %s %s was registered but never used", s.Method, s.Path)
			}
		}
	})
	return r
}

// Register adds a stub answering method and path with status and a JSON
// body.
func (r *Registry) Register(method, path string, status int, body string) *Stub {
	s := &Stub{Method: method, Path: path, Status: status, Body: body, Header: http.Header{"Content-Type": {"application/json"}}}
	r.mu.Lock()
	r.stubs = append(r.stubs, s)
	r.mu.Unlock()
	return s
}

// RoundTrip answers a request with the first stub that matches it.
func (r *Registry) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.stubs {
		if s.Method == req.Method && s.Path == req.URL.EscapedPath() {
			s.mu.Lock()
			s.used++
			s.seen, s.seenBody = req, body
			s.mu.Unlock()
			return &http.Response{StatusCode: s.Status, Header: s.Header.Clone(), ContentLength: int64(len(s.Body)),
				Body: io.NopCloser(bytes.NewBufferString(s.Body)), Request: req}, nil
		}
	}
	r.t.Errorf("unexpected upstream request %s %s", req.Method, req.URL.EscapedPath())
	return nil, fmt.Errorf("no stub for %s %s", req.Method, req.URL.EscapedPath())
}
