package client

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/datastack-mcp/datastack-mcp/internal/upstreamtest"
)

// Upstream faults as the client itself reports them: the attempts it made
// (counted on both sides), the fields of the *Error, and no goroutine left
// once the upstream is gone. The upstream is internal/upstreamtest's fault
// server, the same one tools/fault_test.go and
// cmd/mcp-server/fault_test.go check tool results against.

func TestFaultsAtClient(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	// The per-attempt timeout matters only where the upstream never
	// answers (it waits until the client gives up); elsewhere it is
	// generous, so that a loaded machine cannot turn an answer into a
	// timeout. Answers are small, and so is the answer limit.
	const (
		shortTimeout = 200 * time.Millisecond
		longTimeout  = time.Minute
		limit        = 4 << 10
	)
	cases := []struct {
		name     string
		fault    string
		method   string
		read     bool // Request.Read: the caller says it only reads
		attempts int
		status   int
		timedOut bool
		tooLarge bool
		message  string // in Error.Message
	}{
		{"429 Retry-After, read", upstreamtest.Throttled, http.MethodGet, true, 3, 429, false, false, "throttled"},
		{"429 Retry-After, write", upstreamtest.Throttled, http.MethodPost, false, 3, 429, false, false, "throttled"},
		{"500", upstreamtest.Status500, http.MethodGet, true, 1, 500, false, false, "Internal server error"},
		{"502, read", upstreamtest.Status502, http.MethodGet, true, 3, 502, false, false, "upstream connect error"},
		{"502, write GET not repeated", upstreamtest.Status502, http.MethodGet, false, 1, 502, false, false, "upstream connect error"},
		{"502, write POST not repeated", upstreamtest.Status502, http.MethodPost, false, 1, 502, false, false, "upstream connect error"},
		{"503, write", upstreamtest.Status503, http.MethodPost, false, 3, 503, false, false, "Down for maintenance"},
		{"slower than the timeout, read", upstreamtest.Slow, http.MethodGet, true, 3, 0, true, false, "timed out after 200ms"},
		{"slower than the timeout, write not repeated", upstreamtest.Slow, http.MethodPost, false, 1, 0, true, false, "timed out after 200ms"},
		{"connection reset, read", upstreamtest.Reset, http.MethodGet, true, 3, 0, false, false, "connection reset by peer"},
		{"connection reset, write not repeated", upstreamtest.Reset, http.MethodGet, false, 1, 0, false, false, "connection reset by peer"},
		{"body cut short", upstreamtest.CutShort, http.MethodGet, true, 3, 0, false, false, "reading the answer: unexpected EOF"},
		{"HTML error page", upstreamtest.HTMLErrorPage, http.MethodGet, true, 3, 502, false, false, "502 Bad Gateway nginx/1.25.3"},
		{"body over the limit, declared", upstreamtest.Huge, http.MethodGet, true, 1, 200, false, true, "response too large"},
		{"body over the limit, chunked", upstreamtest.HugeChunked, http.MethodGet, true, 1, 200, false, true, "response too large"},
		{"302 to another port", upstreamtest.Redirect302, http.MethodGet, true, 1, 302, false, false, "redirected to"},
		{"307 to another host", upstreamtest.Redirect307, http.MethodPost, false, 1, 307, false, false, "redirected to http://localhost:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := upstreamtest.NewFaults(t, 16*limit)
			timeout := longTimeout
			if tc.timedOut {
				timeout = shortTimeout
			}
			c, err := New(Config{Provider: Datafold, BaseURL: up.URL, APIKey: canaryKey,
				Timeout: timeout, MaxRetryWait: 20 * time.Millisecond, MaxResponseBytes: limit})
			mustNoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			_, err = c.Do(context.Background(), Request{Method: tc.method, Path: upstreamtest.Path(tc.fault), Body: []byte(`{}`), Read: tc.read})
			e := asError(t, err)
			hits := len(up.Attempts(tc.fault))
			checkEqual(t, tc.attempts, hits, "got %d upstream attempts, want %d", hits, tc.attempts)
			checkEqual(t, tc.attempts, e.Attempts, "got Error.Attempts %d, want %d", e.Attempts, tc.attempts)
			checkEqual(t, tc.status, e.Status, "got status %d, want %d", e.Status, tc.status)
			checkEqual(t, tc.timedOut, e.Timeout, "got Timeout %v, want %v", e.Timeout, tc.timedOut)
			checkEqual(t, tc.tooLarge, e.TooLarge, "got TooLarge %v, want %v", e.TooLarge, tc.tooLarge)
			check(t, strings.Contains(e.Error(), tc.message), "got %q, want it to contain %q", e.Error(), tc.message)
			check(t, !strings.Contains(e.Error(), canaryKey), "got %q, want no API key in it", e.Error())
			checkEqual(t, 0, len(up.Redirected()), "got requests at the redirect target (Authorization %q), want none", up.Redirected())
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
