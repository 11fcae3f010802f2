package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Upstream faults as the client itself reports them: the attempts it made
// (counted on both sides), the fields of the *Error, and no goroutine left
// once the upstream is gone. tools/fault_test.go and
// cmd/mcp-server/fault_test.go check what a tool result says about the
// same faults.

func TestFaultsAtClient(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	// The per-attempt timeout matters only where the upstream never
	// answers (the handler waits until the client gives up); elsewhere it
	// is generous, so that a loaded machine cannot turn an answer into a
	// timeout. Answers are small, and so is the answer limit.
	const (
		shortTimeout = 200 * time.Millisecond
		longTimeout  = time.Minute
		limit        = 4 << 10
	)
	cases := []struct {
		name     string
		method   string
		handler  http.HandlerFunc
		attempts int
		status   int
		timedOut bool
		tooLarge bool
		message  string // in Error.Message
	}{
		{"429 Retry-After, GET", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 3, 429, false, false, "Too Many Requests"},
		{"429 Retry-After, POST", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		}, 3, 429, false, false, "Too Many Requests"},
		{"500", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"detail":"boom"}`, http.StatusInternalServerError)
		}, 1, 500, false, false, "boom"},
		{"502, GET", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}, 3, 502, false, false, "bad gateway"},
		{"502, POST not repeated", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}, 1, 502, false, false, "bad gateway"},
		{"503", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"detail":"maintenance"}`, http.StatusServiceUnavailable)
		}, 3, 503, false, false, "maintenance"},
		{"slower than the timeout, GET", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // until the client gives up
		}, 3, 0, true, false, "timed out after 200ms"},
		{"slower than the timeout, POST not repeated", http.MethodPost, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, 1, 0, true, false, "timed out after 200ms"},
		{"connection reset", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(err)
			}
			_ = conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}, 3, 0, false, false, "connection reset by peer"},
		{"body cut short", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			fmt.Fprint(w, `{"items":[{"id":1},{"i`)
		}, 3, 0, false, false, "reading the answer: unexpected EOF"},
		{"HTML error page", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")
		}, 3, 502, false, false, "502 Bad Gateway nginx"},
		{"body over the limit, declared", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(16*limit))
			w.Write([]byte(strings.Repeat("x", 16*limit)))
		}, 1, 200, false, true, "response too large"},
		{"body over the limit, chunked", http.MethodGet, func(w http.ResponseWriter, r *http.Request) {
			for range 16 {
				if _, err := w.Write([]byte(strings.Repeat("x", limit))); err != nil {
					return
				}
				http.NewResponseController(w).Flush()
			}
		}, 1, 200, false, true, "response too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hits counter
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.inc()
				// Read the body first: only then does net/http watch the
				// connection and cancel r.Context() when the client leaves.
				_, _ = io.Copy(io.Discard, r.Body)
				tc.handler(w, r)
			}))
			srv.Config.SetKeepAlivesEnabled(false) // no silent net/http retry on a reused connection
			srv.Start()
			timeout := longTimeout
			if tc.timedOut {
				timeout = shortTimeout
			}
			c, err := New(Config{Provider: Datafold, BaseURL: srv.URL, APIKey: canaryKey,
				Timeout: timeout, MaxRetryWait: 20 * time.Millisecond, MaxResponseBytes: limit})
			mustNoError(t, err)
			_, err = c.Do(context.Background(), Request{Method: tc.method, Path: "/api/v1/x", Body: []byte(`{}`)})
			e := asError(t, err)
			checkEqual(t, tc.attempts, hits.get(), "got %d upstream attempts, want %d", hits.get(), tc.attempts)
			checkEqual(t, tc.attempts, e.Attempts, "got Error.Attempts %d, want %d", e.Attempts, tc.attempts)
			checkEqual(t, tc.status, e.Status, "got status %d, want %d", e.Status, tc.status)
			checkEqual(t, tc.timedOut, e.Timeout, "got Timeout %v, want %v", e.Timeout, tc.timedOut)
			checkEqual(t, tc.tooLarge, e.TooLarge, "got TooLarge %v, want %v", e.TooLarge, tc.tooLarge)
			check(t, strings.Contains(e.Error(), tc.message), "got %q, want it to contain %q", e.Error(), tc.message)
			check(t, !strings.Contains(e.Error(), canaryKey), "got %q, want no API key in it", e.Error())
			srv.Close()
			c.CloseIdleConnections()
		})
	}
	goleak.VerifyNone(t, leaks)
}

// TestFaultEchoedTokenInAnswer: a PDC upstream that echoes the bearer token
// the client got at login in a successful answer, under a key that does not
// look secret. The token is known only to the client, so the client must
// replace it before the tool layer sees the body.
func TestFaultEchoedTokenInAnswer(t *testing.T) {
	const token = "tok-CANARY-issued-4711"
	c, _, _ := newTestClient(t, Config{Provider: PDC}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pdcLoginPath {
			fmt.Fprintf(w, `{"data":{"accessToken":%q}}`, token)
			return
		}
		fmt.Fprintf(w, `{"note":"you sent %s","items":[%q]}`, r.Header.Get("Authorization"), token)
	}))
	resp, err := get(c, "/api/public/v1/data-sources")
	mustNoError(t, err)
	body := string(resp.Body)
	check(t, !strings.Contains(body, token), "got body %s, want the issued token replaced", body)
	want := `{"note":"you sent Bearer [REDACTED]","items":["[REDACTED]"]}`
	checkEqual(t, want, body, "got body %s, want %s", body, want)
}
