package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// authRecorder answers 200 and remembers the Authorization headers it saw.
type authRecorder struct {
	mu   sync.Mutex
	seen []string
	body string // answer body; "" means {}
}

func (a *authRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen = append(a.seen, r.Header.Get("Authorization"))
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if a.body == "" {
		w.Write([]byte(`{}`))
		return
	}
	w.Write([]byte(a.body))
}

func (a *authRecorder) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.seen) == 0 {
		return ""
	}
	return a.seen[len(a.seen)-1]
}

// newRawClient is a client for h without the test defaults of newTestClient
// (which always fills in credentials).
func newRawClient(t *testing.T, cfg Config, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	cfg.Timeout = 2 * time.Second
	cfg.MaxRetryWait = 5 * time.Millisecond
	c, err := New(cfg)
	mustNoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestRequestCredentialsAPIKey(t *testing.T) {
	const personal = "personal-key-of-bob-42"
	cases := []struct {
		name       string
		provider   string
		serverKey  string
		allow      bool
		requestKey string
		wantAuth   string // Authorization sent; "" means no request reached the upstream
		wantStatus int    // *Error status when the call fails
	}{
		{"request key wins", Datafold, "server-key-1234", true, personal, "Key " + personal, 0},
		{"posthog scheme", PostHog, "server-key-1234", true, personal, "Bearer " + personal, 0},
		{"lightdash scheme", Lightdash, "", true, personal, "ApiKey " + personal, 0},
		{"no request key falls back to the server's", Datafold, "server-key-1234", true, "", "Key server-key-1234", 0},
		{"no key anywhere", Datafold, "", true, "", "", http.StatusUnauthorized},
		{"not allowed: request key ignored", Datafold, "server-key-1234", false, personal, "Key server-key-1234", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &authRecorder{}
			c := newRawClient(t, Config{Provider: tc.provider, APIKey: tc.serverKey, RequestCredentials: tc.allow}, rec)
			ctx := context.Background()
			if tc.requestKey != "" {
				ctx = WithCredentials(ctx, tc.provider, Credentials{APIKey: tc.requestKey})
			}
			_, err := c.Do(ctx, Request{Path: "/api/v1/x"})
			if tc.wantStatus != 0 {
				e := asError(t, err)
				if e.Status != tc.wantStatus {
					t.Errorf("status got %d, want %d", e.Status, tc.wantStatus)
				}
				if !errors.Is(err, ErrNoCredentials) {
					t.Errorf("error got %v, want one that is ErrNoCredentials", err)
				}
				if !strings.Contains(e.Error(), "no datafold credentials") {
					t.Errorf("error got %q, want it to say there are no credentials", e.Error())
				}
				if got := rec.last(); got != "" {
					t.Errorf("upstream got Authorization %q, want no request at all", got)
				}
				return
			}
			mustNoError(t, err)
			if got := rec.last(); got != tc.wantAuth {
				t.Errorf("Authorization got %q, want %q", got, tc.wantAuth)
			}
		})
	}
}

func TestRequestCredentialsOtherProviderIgnored(t *testing.T) {
	rec := &authRecorder{}
	c := newRawClient(t, Config{Provider: Datafold, APIKey: "server-key-1234", RequestCredentials: true}, rec)
	ctx := WithCredentials(context.Background(), Lightdash, Credentials{APIKey: "lightdash-key-9999"})
	_, err := c.Do(ctx, Request{Path: "/x"})
	mustNoError(t, err)
	if got, want := rec.last(), "Key server-key-1234"; got != want {
		t.Errorf("Authorization got %q, want %q (a Lightdash key must not reach Datafold)", got, want)
	}
}

func TestRequestCredentialsScrubbed(t *testing.T) {
	const personal = `bob-key-"quoted"-<7731>`
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"echoed in an error", http.StatusBadRequest, `{"detail":"bad key ` + jsonEscaped(personal) + `"}`},
		{"echoed in an answer", http.StatusOK, `{"owner":{"api_key":"` + jsonEscaped(personal) + `","other":"` + jsonEscapedHTML(personal) + `"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			c := newRawClient(t, Config{Provider: Datafold, RequestCredentials: true, MaxRetries: -1}, h)
			ctx := WithCredentials(context.Background(), Datafold, Credentials{APIKey: personal})
			resp, err := c.Do(ctx, Request{Path: "/x"})
			var text string
			if tc.status >= 400 {
				text = asError(t, err).Error()
			} else {
				mustNoError(t, err)
				text = string(resp.Body)
				if !json.Valid(resp.Body) {
					t.Errorf("scrubbed body got %s, want valid JSON", resp.Body)
				}
			}
			for _, form := range []string{personal, jsonEscaped(personal), jsonEscapedHTML(personal)} {
				if strings.Contains(text, form) {
					t.Errorf("got %q, want the request's key %q scrubbed", text, form)
				}
			}
			if !strings.Contains(text, redacted) {
				t.Errorf("got %q, want %s in its place", text, redacted)
			}
		})
	}
}

func jsonEscaped(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.Trim(strings.TrimSpace(b.String()), `"`)
}

func jsonEscapedHTML(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func TestRequestCredentialsPDC(t *testing.T) {
	f := &fakePDC{t: t, issue: jwtAnswer(time.Now), accept: acceptAll}
	c := newRawClient(t, Config{Provider: PDC, RequestCredentials: true}, f)
	as := func(user, pw string) context.Context {
		return WithCredentials(context.Background(), PDC, Credentials{Username: user, Password: pw})
	}
	steps := []struct {
		name       string
		ctx        context.Context
		wantLogins int
	}{
		{"alice logs in", as("alice", "alice-pw-1"), 1},
		{"alice again uses her token", as("alice", "alice-pw-1"), 1},
		{"bob logs in himself", as("bob", "bob-pw-22"), 2},
		{"alice's name with another password is another login", as("alice", "guess-pw"), 3},
		{"bob again uses his token", as("bob", "bob-pw-22"), 3},
	}
	for _, s := range steps {
		_, err := c.Do(s.ctx, Request{Path: "/api/public/v1/data-sources"})
		if err != nil {
			t.Fatalf("%s: got error %v, want none", s.name, err)
		}
		if got := f.logins.get(); got != s.wantLogins {
			t.Errorf("%s: got %d logins, want %d", s.name, got, s.wantLogins)
		}
		if secrets := RequestSecrets(s.ctx); len(secrets) < 2 {
			t.Errorf("%s: RequestSecrets got %q, want the password and the issued token", s.name, secrets)
		}
	}
	f.mu.Lock()
	forms := slices.Clone(f.forms)
	f.mu.Unlock()
	var users []string
	for _, form := range forms {
		users = append(users, form["username"][0])
	}
	if got, want := strings.Join(users, ","), "alice,bob,alice"; got != want {
		t.Errorf("login usernames got %s, want %s", got, want)
	}

	_, err := c.Do(context.Background(), Request{Path: "/api/public/v1/data-sources"})
	if e := asError(t, err); e.Status != http.StatusUnauthorized {
		t.Errorf("without credentials: status got %d, want 401", e.Status)
	}
}

func TestRequestCredentialsPDCTokenInSecrets(t *testing.T) {
	f := &fakePDC{t: t, issue: func(n int) string {
		return fmt.Sprintf(`{"data":{"accessToken":"tok-%d-abcdef"}}`, n)
	}, accept: acceptAll}
	c := newRawClient(t, Config{Provider: PDC, RequestCredentials: true}, f)
	ctx := WithCredentials(context.Background(), PDC, Credentials{Username: "carol", Password: "carol-pw-3"})
	_, err := c.Do(ctx, Request{Path: "/api/public/v1/data-sources"})
	mustNoError(t, err)
	got := RequestSecrets(ctx)
	for _, want := range []string{"carol-pw-3", "tok-1-abcdef"} {
		if !slices.Contains(got, want) {
			t.Errorf("RequestSecrets got %q, want it to hold %q", got, want)
		}
	}
	if slices.Contains(got, "carol") {
		t.Errorf("RequestSecrets got %q, want no username (not a secret)", got)
	}
}

func TestRequestCredentialsPDCBounded(t *testing.T) {
	f := &fakePDC{t: t, issue: jwtAnswer(time.Now), accept: acceptAll}
	c := newRawClient(t, Config{Provider: PDC, RequestCredentials: true}, f)
	ra := c.auth.(*requestAuth)
	for i := range maxPDCLogins + 10 {
		ra.pdcFor(Credentials{Username: fmt.Sprint("user", i), Password: "pw"})
	}
	if got := ra.pdcLoginCount(); got != maxPDCLogins {
		t.Errorf("kept logins got %d, want %d", got, maxPDCLogins)
	}
}

func TestIdentityKey(t *testing.T) {
	bob := WithCredentials(context.Background(), Datafold, Credentials{APIKey: "bob-key-1234"})
	bobBoth := WithCredentials(bob, Lightdash, Credentials{APIKey: "bob-ld-5678"})
	cases := []struct {
		name      string
		a, b      context.Context
		wantEqual bool
	}{
		{"same credentials", bob, WithCredentials(context.Background(), Datafold, Credentials{APIKey: "bob-key-1234"}), true},
		{"another key", bob, WithCredentials(context.Background(), Datafold, Credentials{APIKey: "eve-key-1234"}), false},
		{"same key, other provider", bob, WithCredentials(context.Background(), PostHog, Credentials{APIKey: "bob-key-1234"}), false},
		{"one more provider", bob, bobBoth, false},
		{"PDC password matters", WithCredentials(context.Background(), PDC, Credentials{Username: "a", Password: "p1"}),
			WithCredentials(context.Background(), PDC, Credentials{Username: "a", Password: "p2"}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := IdentityKey(tc.a), IdentityKey(tc.b)
			if a == "" || b == "" {
				t.Fatalf("keys got %q and %q, want both set", a, b)
			}
			if (a == b) != tc.wantEqual {
				t.Errorf("keys equal got %v, want %v", a == b, tc.wantEqual)
			}
			if strings.Contains(a, "bob") {
				t.Errorf("key %q shows the credentials", a)
			}
		})
	}
	if got := IdentityKey(context.Background()); got != "" {
		t.Errorf("key without credentials got %q, want empty", got)
	}
}
