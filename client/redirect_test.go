package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile upstreams: an upstream that answers with a redirect must not
// make the client send its credentials (or a request body, or the PDC
// login form) anywhere else, nor pass another host's answer off as its
// own. Redirects are never followed.

// elsewhere is the server a redirect points at: it records what reached it.
type elsewhere struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string // "METHOD path Authorization body"
}

func newElsewhere(t *testing.T) *elsewhere {
	t.Helper()
	e := &elsewhere{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.hits = append(e.hits, fmt.Sprintf("%s %s %s %s", r.Method, r.URL.Path, r.Header.Get("Authorization"), b))
		e.mu.Unlock()
		fmt.Fprint(w, `{"stolen":true,"from":"elsewhere"}`)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) seen() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.hits...)
}

// hostRecorder is a transport that records every host a request goes to.
type hostRecorder struct {
	mu    sync.Mutex
	hosts []string
	next  http.RoundTripper
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Host)
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

func TestRedirectsNotFollowed(t *testing.T) {
	other := newElsewhere(t)
	otherPort := other.URL                                               // same host (127.0.0.1), another port
	otherHost := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another host name
	for _, tc := range []struct {
		name     string
		provider string
		status   int
		method   string
		location string
		wantLoc  string // Error.Location; "" means the location as given
	}{
		{"302 to another port", Datafold, http.StatusFound, http.MethodGet, otherPort + "/api/v1/x", ""},
		{"301 to another port", Lightdash, http.StatusMovedPermanently, http.MethodGet, otherPort + "/api/v1/x", ""},
		{"307 POST to another port", Lightdash, http.StatusTemporaryRedirect, http.MethodPost, otherPort + "/api/v1/x", ""},
		{"308 PATCH to another host", PostHog, http.StatusPermanentRedirect, http.MethodPatch, otherHost + "/api/v1/x", ""},
		{"303 to cloud metadata", Datafold, http.StatusSeeOther, http.MethodGet, "http://169.254.169.254/latest/meta-data/iam", ""},
		{"userinfo and query stripped", Datafold, http.StatusFound, http.MethodGet,
			"http://admin:hunter2@evil.example:8080/grab?token=abc#frag", "http://evil.example:8080/grab?…"},
		{"relative, same origin", Datafold, http.StatusFound, http.MethodGet, "/elsewhere", "/elsewhere"},
		{"no Location", Datafold, http.StatusFound, http.MethodGet, "", "nowhere (no Location header)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hits counter
			rec := &hostRecorder{next: http.DefaultTransport.(*http.Transport).Clone()}
			c, srv, logs := newTestClient(t, Config{Provider: tc.provider, Transport: rec}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.inc()
				if tc.location != "" {
					w.Header().Set("Location", tc.location)
				}
				w.WriteHeader(tc.status)
			}))
			_, err := c.Do(context.Background(), Request{Method: tc.method, Path: "/api/v1/x", Body: []byte(`{"name":"n"}`)})
			e := asError(t, err)
			wantLoc := tc.wantLoc
			switch {
			case wantLoc == "":
				wantLoc = tc.location
			case strings.HasPrefix(wantLoc, "/"):
				wantLoc = srv.URL + wantLoc
			}
			assert.ErrorIs(t, err, ErrRedirect, "got %v, want ErrRedirect", err)
			assert.Equal(t, tc.status, e.Status, "got status %d, want %d", e.Status, tc.status)
			assert.Equal(t, 1, e.Attempts, "got %d attempts, want 1 (a redirect is not retried)", e.Attempts)
			assert.Equal(t, 1, hits.get(), "got %d upstream requests, want 1", hits.get())
			assert.Equal(t, wantLoc, e.Location, "got Location %q, want %q", e.Location, wantLoc)
			assert.Empty(t, other.seen(), "got requests at the redirect target %q, want none", other.seen())
			rec.mu.Lock()
			assert.Equal(t, []string{strings.TrimPrefix(srv.URL, "http://")}, rec.hosts, "got requests to hosts %v, want the configured one only", rec.hosts)
			rec.mu.Unlock()
			msg := e.Error()
			assert.Contains(t, msg, "redirected to "+wantLoc, "got %q, want where it pointed", msg)
			assert.Contains(t, msg, "configured base URL "+srv.URL, "got %q, want the configured base URL", msg)
			for _, secret := range []string{canaryKey, "hunter2", "token=abc"} {
				assert.NotContains(t, msg, secret, "got %q, want no %q", msg, secret)
				assert.NotContains(t, logs.String(), secret, "got logs %q, want no %q", logs.String(), secret)
			}
		})
	}
}

// TestRedirectRequestCredentials: a person's key (team mode) does not
// follow a redirect either.
func TestRedirectRequestCredentials(t *testing.T) {
	other := newElsewhere(t)
	c := newRawClient(t, Config{Provider: Datafold, RequestCredentials: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	}))
	ctx := WithCredentials(context.Background(), Datafold, Credentials{APIKey: "personal-key-of-bob-42"})
	resp, err := c.Do(ctx, Request{Path: "/api/v1/x"})
	assert.Nil(t, resp, "got an answer %v, want none", resp)
	require.ErrorIs(t, err, ErrRedirect, "got %v, want ErrRedirect", err)
	assert.Empty(t, other.seen(), "got %q at the redirect target, want nothing", other.seen())
	assert.NotContains(t, err.Error(), "personal-key-of-bob-42")
}

// TestRedirectPDCLogin: a 307 on the login would re-post the form, with
// the password, to the target; it must not be followed.
func TestRedirectPDCLogin(t *testing.T) {
	other := newElsewhere(t)
	var data counter
	c, _, _ := newTestClient(t, Config{Provider: PDC}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pdcLoginPath {
			w.Header().Set("Location", other.URL+pdcLoginPath)
			w.WriteHeader(http.StatusTemporaryRedirect)
			return
		}
		data.inc()
	}))
	_, err := get(c, "/api/public/v1/data-sources")
	e := asError(t, err)
	require.ErrorIs(t, err, ErrRedirect, "got %v, want ErrRedirect", err)
	assert.Equal(t, http.StatusTemporaryRedirect, e.Status, "got status %d, want 307", e.Status)
	assert.Empty(t, other.seen(), "got %q at the redirect target, want no login form there", other.seen())
	assert.Zero(t, data.get(), "got %d data requests, want none without a token", data.get())
	assert.NotContains(t, e.Hint, "username/password", "got hint %q, want the redirect explained, not the credentials blamed", e.Hint)
	assert.Contains(t, e.Error(), "redirected to "+other.URL+pdcLoginPath, "got %q, want the redirect target", e.Error())
	assert.NotContains(t, e.Error(), canaryPassword)
}

func TestRedirectIsNotRetriedOrRenewed(t *testing.T) {
	var hits counter
	c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		w.Header().Set("Retry-After", "0")
		http.Redirect(w, r, "/again", http.StatusFound)
	}))
	_, err := get(c, "/api/v1/x")
	assert.True(t, errors.Is(err, ErrRedirect), "got %v, want ErrRedirect", err)
	assert.Equal(t, 1, hits.get(), "got %d requests, want 1", hits.get())
}
