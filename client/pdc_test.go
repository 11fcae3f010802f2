package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakePDC is a PDC server: a login endpoint issuing tokens and a data
// endpoint accepting only tokens it considers valid.
type fakePDC struct {
	t      *testing.T
	logins counter
	data   counter
	// dataGate, when set, holds a data request carrying token until it
	// returns.
	dataGate func(token string)
	// loginGate, when set, holds login number n until it returns.
	loginGate func(n int)
	// issue returns the login answer for login number n.
	issue func(n int) string
	// accept reports whether the data endpoint takes token.
	accept func(token string) bool

	mu     sync.Mutex
	issued []string
	forms  []map[string][]string
}

func (f *fakePDC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == pdcLoginPath {
		n := f.logins.inc()
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.forms = append(f.forms, map[string][]string(r.PostForm))
		f.mu.Unlock()
		if f.loginGate != nil {
			f.loginGate(n)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(f.issue(n)))
		return
	}
	f.data.inc()
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if f.dataGate != nil {
		f.dataGate(token)
	}
	if !ok || !f.accept(token) {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"status":401,"message":"Unauthorized"}`))
		return
	}
	w.Write([]byte(`{"data":[]}`))
}

// jwtAnswer issues a JWT that expires an hour after now().
func jwtAnswer(now func() time.Time) func(int) string {
	return func(n int) string {
		return fmt.Sprintf(`{"message":"OK","data":{"accessToken":%q}}`, makeJWT(now().Add(time.Hour), n))
	}
}

func acceptAll(string) bool { return true }

func TestPDCLoginAndTokenCaching(t *testing.T) {
	f := &fakePDC{t: t, issue: jwtAnswer(time.Now), accept: acceptAll}
	c, _, _ := newTestClient(t, Config{Provider: PDC}, f)
	for range 5 {
		_, err := get(c, "/api/public/v1/data-sources")
		mustNoError(t, err)
	}
	checkEqual(t, 1, f.logins.get(), "got %d logins, want 1", f.logins.get())
	checkEqual(t, 5, f.data.get(), "got %d data calls, want 5", f.data.get())

	want := map[string][]string{
		"username":   {"alice"},
		"password":   {canaryPassword},
		"client_id":  {"pdc-client"},
		"grant_type": {"password"},
		"scope":      {"openid profile email"},
	}
	must(t, len(f.forms) == 1, "got %d login forms, want 1", len(f.forms))
	checkEqual(t, want, f.forms[0], "got login form %v, want %v", f.forms[0], want)
}

func TestPDCLoginRequestShape(t *testing.T) {
	var gotCT, gotAuth, gotAccept, gotMethod string
	c, _, _ := newTestClient(t, Config{Provider: PDC, BaseURL: "/pdc"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/auth") {
			gotCT, gotAuth, gotAccept, gotMethod = r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.Header.Get("Accept"), r.Method
			checkEqual(t, "/pdc"+pdcLoginPath, r.URL.Path, "got login path %q, want %q", r.URL.Path, "/pdc"+pdcLoginPath)
			w.Write([]byte(`{"message":"OK","data":{"accessToken":"tok-1"}}`))
			return
		}
		checkEqual(t, "Bearer tok-1", r.Header.Get("Authorization"), "got Authorization %q, want Bearer tok-1", r.Header.Get("Authorization"))
	}))
	_, err := get(c, "/api/public/v1/data-sources")
	mustNoError(t, err)
	checkEqual(t, http.MethodPost, gotMethod, "got login method %q, want POST", gotMethod)
	checkEqual(t, "application/x-www-form-urlencoded", gotCT, "got login Content-Type %q, want form", gotCT)
	checkEqual(t, "", gotAuth, "got login Authorization %q, want none", gotAuth)
	checkEqual(t, "application/json", gotAccept, "got login Accept %q, want application/json", gotAccept)
}

func TestPDCConcurrentCallersShareOneLogin(t *testing.T) {
	// The login is held until every caller has started, so that callers
	// arrive while it is under way (and, whatever the scheduling, share it).
	release := make(chan struct{})
	f := &fakePDC{t: t, issue: jwtAnswer(time.Now), accept: acceptAll, loginGate: func(int) { <-release }}
	c, _, _ := newTestClient(t, Config{Provider: PDC, Timeout: time.Minute}, f)
	const callers = 16
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { _, errs[i] = get(c, "/api/public/v1/data-sources") })
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		must(t, err == nil, "caller %d: got error %v, want none", i, err)
	}
	checkEqual(t, 1, f.logins.get(), "got %d logins, want 1", f.logins.get())
	checkEqual(t, callers, f.data.get(), "got %d data calls, want %d", f.data.get(), callers)
}

func TestPDCReloginOnExpiry(t *testing.T) {
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		answer     func(now func() time.Time) func(int) string
		advance    time.Duration // clock moves this far before the second call
		wantLogins int
	}{
		{"jwt exp: still valid", jwtAnswer, 59 * time.Minute, 1},
		{"jwt exp: within 30s skew", jwtAnswer, 59*time.Minute + 45*time.Second, 2},
		{"expiresIn: still valid", expiresInAnswer, 9 * time.Minute, 1},
		{"expiresIn: within skew", expiresInAnswer, 9*time.Minute + 40*time.Second, 2},
		{"short expiresIn: half-life skew", shortExpiresInAnswer, 6 * time.Second, 2},
		{"no expiry information: kept", opaqueAnswer, 48 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(base.UnixNano())
			now := func() time.Time { return time.Unix(0, clock.Load()) }
			f := &fakePDC{t: t, issue: tt.answer(now), accept: acceptAll}
			c, _, _ := newTestClient(t, Config{Provider: PDC}, f)
			c.now = now

			_, err := get(c, "/api/public/v1/data-sources")
			mustNoError(t, err)
			clock.Add(int64(tt.advance))
			_, err = get(c, "/api/public/v1/data-sources")
			mustNoError(t, err)
			checkEqual(t, tt.wantLogins, f.logins.get(), "got %d logins, want %d", f.logins.get(), tt.wantLogins)
		})
	}
}

func expiresInAnswer(func() time.Time) func(int) string {
	return func(n int) string {
		return fmt.Sprintf(`{"message":"OK","data":{"accessToken":"opaque-%d","expiresIn":600}}`, n)
	}
}

func shortExpiresInAnswer(func() time.Time) func(int) string {
	return func(n int) string {
		return fmt.Sprintf(`{"message":"OK","data":{"accessToken":"opaque-%d","expires_in":"10"}}`, n)
	}
}

func opaqueAnswer(func() time.Time) func(int) string {
	return func(n int) string { return fmt.Sprintf(`{"message":"OK","data":{"accessToken":"opaque-%d"}}`, n) }
}

func TestPDCReloginOn401(t *testing.T) {
	tests := []struct {
		name         string
		accept       func(token string) bool
		wantLogins   int
		wantData     int
		wantErrState int // 0 = success
	}{
		{"revoked token replaced once", func(tok string) bool { return tok != "opaque-1" }, 2, 2, 0},
		{"persistent 401 gives up after one re-login", func(string) bool { return false }, 2, 2, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakePDC{t: t, issue: opaqueAnswer(nil), accept: tt.accept}
			c, _, _ := newTestClient(t, Config{Provider: PDC}, f)
			_, err := get(c, "/api/public/v1/data-sources")
			checkEqual(t, tt.wantLogins, f.logins.get(), "got %d logins, want %d", f.logins.get(), tt.wantLogins)
			checkEqual(t, tt.wantData, f.data.get(), "got %d data calls, want %d", f.data.get(), tt.wantData)
			if tt.wantErrState == 0 {
				mustNoError(t, err)
				return
			}
			e := asError(t, err)
			checkEqual(t, tt.wantErrState, e.Status, "got status %d, want %d", e.Status, tt.wantErrState)
			checkEqual(t, 2, e.Attempts, "got attempts %d, want 2", e.Attempts)
		})
	}
}

func TestPDCConcurrent401sShareOneRelogin(t *testing.T) {
	const callers = 12
	f := &fakePDC{t: t, issue: opaqueAnswer(nil), accept: func(tok string) bool { return tok != "opaque-1" }}
	// Token 1 is refused only once every caller has sent it: all of them
	// then need a new token at the same time.
	var arrived counter
	f.dataGate = func(token string) {
		if token == "opaque-1" {
			arrived.inc()
			arrived.wait(callers)
		}
	}
	c, _, _ := newTestClient(t, Config{Provider: PDC, Timeout: time.Minute}, f)
	// Cache token 1 first so every caller below starts with it.
	_, err := c.auth.authorization(context.Background(), "")
	mustNoError(t, err)

	var wg sync.WaitGroup
	var failures atomic.Int32
	for range callers {
		wg.Go(func() {
			if _, err := get(c, "/api/public/v1/data-sources"); err != nil {
				failures.Add(1)
			}
		})
	}
	wg.Wait()
	checkEqual(t, int32(0), failures.Load(), "got %d failed calls, want 0", failures.Load())
	checkEqual(t, 2, f.logins.get(), "got %d logins, want 2 (initial + one shared re-login)", f.logins.get())
}

func TestPDCLoginFailure(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantParts  []string
	}{
		{
			name: "bad credentials", status: 401, body: `{"status":401,"message":"Invalid user credentials"}`, wantStatus: 401,
			wantParts: []string{"pdc POST /api/public/v1/auth: 401 Unauthorized: Invalid user credentials", "check the PDC username/password configuration"},
		},
		{
			name: "keycloak style", status: 400, body: `{"error":"invalid_grant","error_description":"Account disabled"}`, wantStatus: 400,
			wantParts: []string{"400 Bad Request: invalid_grant: Account disabled", "check the PDC username/password configuration"},
		},
		{
			name: "answer without token", status: 200, body: `{"message":"OK","data":{}}`, wantStatus: 200,
			wantParts: []string{"pdc POST /api/public/v1/auth", "no usable data.accessToken", "check the PDC username/password configuration"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data counter
			c, _, _ := newTestClient(t, Config{Provider: PDC, MaxRetries: -1}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != pdcLoginPath {
					data.inc()
					return
				}
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			_, err := get(c, "/api/public/v1/data-sources")
			e := asError(t, err)
			checkEqual(t, tt.wantStatus, e.Status, "got status %d, want %d", e.Status, tt.wantStatus)
			checkEqual(t, pdcLoginPath, e.Path, "got path %q, want %q", e.Path, pdcLoginPath)
			for _, part := range tt.wantParts {
				check(t, strings.Contains(e.Error(), part), "got %q, want it to contain %q", e.Error(), part)
			}
			checkEqual(t, 0, data.get(), "got %d data calls, want 0", data.get())
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	issued := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		token     string
		expiresIn time.Duration
		want      time.Time
	}{
		{"expiresIn wins", makeJWT(issued.Add(time.Hour), 1), 5 * time.Minute, issued.Add(5*time.Minute - 30*time.Second)},
		{"jwt exp", makeJWT(issued.Add(time.Hour), 1), 0, issued.Add(time.Hour - 30*time.Second)},
		{"short life uses half", "opaque", 20 * time.Second, issued.Add(10 * time.Second)},
		{"not a jwt", "opaque", 0, time.Time{}},
		{"jwt with bad payload", "a.!!!.c", 0, time.Time{}},
		{"jwt already expired (clock skew)", makeJWT(issued.Add(-time.Minute), 1), 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tokenExpiry(issued, tt.token, tt.expiresIn)
			check(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
		})
	}
}

func TestPDCLoginAnswerDecoding(t *testing.T) {
	// The answer shape documented for operation authToken.
	var ans map[string]any
	mustNoError(t, json.Unmarshal([]byte(`{"message":"OK","data":{"accessToken":"x"}}`), &ans))
	c, _, _ := newTestClient(t, Config{Provider: PDC}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pdcLoginPath {
			json.NewEncoder(w).Encode(ans)
		}
	}))
	got, err := c.auth.authorization(context.Background(), "")
	mustNoError(t, err)
	checkEqual(t, "Bearer x", got, "got %q, want %q", got, "Bearer x")
}
