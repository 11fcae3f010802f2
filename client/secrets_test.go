package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/datastack-mcp/datastack-mcp/redact"
)

// echoAuth answers with an error body that repeats the request's
// Authorization header and body, as some upstreams (and debug proxies) do.
func echoAuth(status int, shape string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		w.WriteHeader(status)
		switch shape {
		case "json":
			w.Write([]byte(`{"detail":"rejected header ` + auth + ` for body ` + strings.ReplaceAll(string(b), `"`, `'`) + `"}`))
		case "html":
			w.Write([]byte("<html><body><h1>Denied</h1><pre>Authorization: " + auth + "</pre></body></html>"))
		case "long": // the secret straddles the 300-character cut
			w.Write([]byte(`{"message":"` + strings.Repeat("x", 290) + auth + `"}`))
		default:
			w.Write([]byte("denied: " + auth))
		}
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		handler  http.Handler
	}{
		{"datafold json echo", Datafold, echoAuth(401, "json")},
		{"posthog text echo", PostHog, echoAuth(403, "text")},
		{"lightdash html echo", Lightdash, echoAuth(401, "html")},
		{"datafold secret at the cut", Datafold, echoAuth(400, "long")},
		{"pdc login echoes the form", PDC, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"bad login ` + string(raw) + ` (password=` + canaryPassword + `)"}`))
		})},
		{"pdc data endpoint echoes the token", PDC, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == pdcLoginPath {
				w.Write([]byte(`{"message":"OK","data":{"accessToken":"tok-CANARY-jwt-123"}}`))
				return
			}
			echoAuth(403, "json")(w, r)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, logs := newTestClient(t, Config{Provider: tt.provider}, tt.handler)
			_, err := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/api/x", Body: []byte(`{"q":1}`)})
			e := asError(t, err)
			texts := map[string]string{"Error()": e.Error(), "Message": e.Message, "logs": logs.String()}
			for where, text := range texts {
				for _, secret := range []string{canaryKey, canaryPassword, url.QueryEscape(canaryPassword), "tok-CANARY-jwt-123", "CANARY"} {
					check(t, !strings.Contains(text, secret), "got %s %q, want no %q", where, text, secret)
				}
			}
			// The marker itself may be cut short by the 300-character bound.
			check(t, strings.Contains(e.Message, redacted[:5]), "got Message %q, want the echoed secret replaced by %s", e.Message, redacted)
		})
	}
}

func TestSecretsNeverInTransportErrors(t *testing.T) {
	logs := &lockedBuffer{}
	c, err := New(Config{
		Provider: PostHog, BaseURL: "http://127.0.0.1:1", APIKey: canaryKey, // nobody listens on port 1
		MaxRetryWait: time.Millisecond, Logger: newDebugLogger(logs),
	})
	mustNoError(t, err)
	_, err = c.Do(context.Background(), Request{Path: "/api/x", Query: url.Values{"api_key": {canaryKey}}})
	e := asError(t, err)
	checkEqual(t, 0, e.Status, "got status %d, want 0", e.Status)
	checkEqual(t, 3, e.Attempts, "got attempts %d, want 3", e.Attempts)
	for where, text := range map[string]string{"Error()": e.Error(), "logs": logs.String()} {
		check(t, !strings.Contains(text, canaryKey), "got %s %q, want no API key", where, text)
	}
	check(t, strings.Contains(e.Error(), "connection refused"), "got %q, want the cause named", e.Error())
}

func TestNoGoroutinesLeftBehind(t *testing.T) {
	leaks := goleak.IgnoreCurrent()
	func() {
		var hits counter
		c, srv, _ := newTestClient(t, Config{Timeout: 100 * time.Millisecond, MaxRetries: 1}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch hits.inc() % 3 {
			case 0:
				<-r.Context().Done() // provoke a timeout
			case 1:
				w.WriteHeader(http.StatusServiceUnavailable)
			default:
				w.Write([]byte(`{}`))
			}
		}))
		for range 6 {
			_, _ = get(c, "/api/x")
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = c.Do(ctx, Request{Path: "/api/x"})
		c.CloseIdleConnections()
		srv.Close()
	}()
	goleak.VerifyNone(t, leaks) // retries until the goroutines have ended
}

// TestIssuedTokenJoinsSharedRedactor: the PDC token the server is issued
// is a secret of every provider's answers: the client teaches it to the
// Redactor it shares with the tool layer.
func TestIssuedTokenJoinsSharedRedactor(t *testing.T) {
	const token = "tok-CANARY-issued-0042"
	shared := redact.New(nil)
	c, _, _ := newTestClient(t, Config{Provider: PDC, Redactor: shared}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pdcLoginPath {
			fmt.Fprintf(w, `{"data":{"accessToken":%q}}`, token)
			return
		}
		w.Write([]byte(`{"data":[]}`))
	}))
	_, err := get(c, "/api/public/v1/data-sources")
	require.NoError(t, err)
	// Another provider echoes the token, escaped.
	other := `{"note":"seen \u0074ok-CANARY-issued-0042","k":"` + token + `"}`
	got := string(shared.JSON([]byte(other)))
	assert.NotContains(t, got, "CANARY-issued", "got %s, want the issued token redacted", got)
	assert.True(t, shared.Known(canaryPassword), "got the configured password unknown to the shared redactor, want it known")
}

// TestEchoedSecretsAnySpelling: what only the client knows (an issued
// token, a person's key) is removed from successful answers however the
// upstream escaped it.
func TestEchoedSecretsAnySpelling(t *testing.T) {
	const token = "tok-CANARY-issued-4711"
	c, _, _ := newTestClient(t, Config{Provider: PDC}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pdcLoginPath {
			fmt.Fprintf(w, `{"data":{"accessToken":%q}}`, token)
			return
		}
		w.Write([]byte(`{"a":"tok\u002dCANARY-issued-4711","b":"\u0074ok-CANARY-issued-4711","c":"tok-CANARY-issued-4711"}`))
	}))
	resp, err := get(c, "/api/public/v1/data-sources")
	require.NoError(t, err)
	want := `{"a":"[REDACTED]","b":"[REDACTED]","c":"[REDACTED]"}`
	assert.Equal(t, want, string(resp.Body), "got %s, want %s", resp.Body, want)

	const personal = "personal-key-of-bob-42"
	team := newRawClient(t, Config{Provider: Lightdash, RequestCredentials: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"you":"personal\u002dkey-of-bob-42","x":"personal-key-of-bob\/42"}`))
	}))
	ctx := WithCredentials(context.Background(), Lightdash, Credentials{APIKey: personal})
	resp, err = team.Do(ctx, Request{Path: "/api/v1/user"})
	require.NoError(t, err)
	want = `{"you":"[REDACTED]","x":"personal-key-of-bob\/42"}`
	assert.Equal(t, want, string(resp.Body), "got %s, want %s", resp.Body, want)
}

// TestConfiguredKeyLeftToTheToolLayer: the client does not rewrite
// answers for the configured key (the sandbox's is the word "sandbox");
// error texts lose it.
func TestConfiguredKeyLeftToTheToolLayer(t *testing.T) {
	c, _, _ := newTestClient(t, Config{APIKey: "sandbox"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"host":"sandbox.example"}`))
	}))
	resp, err := get(c, "/api/v1/x")
	require.NoError(t, err)
	assert.Equal(t, `{"host":"sandbox.example"}`, string(resp.Body))
}
