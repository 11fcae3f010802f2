package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/internal/mcpgo"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/datastack-mcp/datastack-mcp/tools"
)

// recordingUpstream stands for the four providers under path prefixes
// (/datafold, /lightdash, /pdc, /posthog). It records the Authorization
// each provider got and echoes it back in its answer, as a careless
// upstream might, so that scrubbing is tested too. PDC logins issue a token
// naming the user.
type recordingUpstream struct {
	*httptest.Server
	mu     sync.Mutex
	auth   map[string][]string // provider → Authorization headers
	logins []string            // PDC usernames
}

func newRecordingUpstream(t *testing.T) *recordingUpstream {
	t.Helper()
	u := &recordingUpstream{auth: map[string][]string{}}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		provider, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		w.Header().Set("Content-Type", "application/json")
		if provider == "pdc" && rest == "api/public/v1/auth" {
			_ = r.ParseForm()
			user := r.PostForm.Get("username")
			u.mu.Lock()
			u.logins = append(u.logins, user)
			u.mu.Unlock()
			fmt.Fprintf(w, `{"data":{"accessToken":"pdc-token-of-%s-0123456789"}}`, user)
			return
		}
		authz := r.Header.Get("Authorization")
		u.mu.Lock()
		u.auth[provider] = append(u.auth[provider], authz)
		u.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"id": "x1", "name": "echo", "note": "you sent " + authz})
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *recordingUpstream) lastAuth(provider string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if l := u.auth[provider]; len(l) > 0 {
		return l[len(l)-1]
	}
	return ""
}

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// Secrets of the team-mode tests: none may reach a log or a result.
const (
	serverDatafoldKey = "server-datafold-key-5a1f"
	bobDatafoldKey    = "bob-datafold-key-77c2e"
	bobLightdashKey   = "bob-lightdash-pat-91aa"
	bobPDCPassword    = "bob-pdc-password-3e9d"
)

func TestTeamMode(t *testing.T) {
	up := newRecordingUpstream(t)
	env := envMap(map[string]string{
		"DATAFOLD_BASE_URL": up.URL + "/datafold",
		"DATAFOLD_API_KEY":  serverDatafoldKey,
		"LIGHTDASH_URL":     up.URL + "/lightdash", // no server key: team-only
		"PDC_URL":           up.URL + "/pdc",       // no server login: team-only
		// PostHog: nothing set; its default URL applies.
	})
	base, logs := serveSecured(t, options{getenv: env, clientCredentials: true}, httpOptions{clientCredentials: true})

	bob := map[string]string{
		"X-Datafold-Api-Key":  bobDatafoldKey,
		"X-Lightdash-Api-Key": bobLightdashKey,
		"X-PDC-Username":      "bob",
		"X-PDC-Password":      bobPDCPassword,
	}
	withBob := httpClient(t, base+"/mcp", bob)
	anonymous := httpClient(t, base+"/mcp", nil)

	names := listNames(t, anonymous)
	for _, want := range []string{"datafold_list_data_sources", "lightdash_get_authenticated_user", "pdc_get_data_source_by_id", "posthog_list_external_data_sources"} {
		if !slices.Contains(names, want) {
			t.Errorf("tools/list lacks %s, want every provider with a base URL offered in team mode", want)
		}
	}

	cases := []struct {
		name     string
		caller   string // "bob" or "anonymous"
		tool     string
		args     map[string]any
		provider string
		wantAuth string // Authorization the upstream got; "" when the call must fail before
		wantErr  string // text of the isError result
	}{
		{"bob's Datafold key", "bob", "datafold_list_data_sources", nil, "datafold", "Key " + bobDatafoldKey, ""},
		{"server's Datafold key without header", "anonymous", "datafold_list_data_sources", nil, "datafold", "Key " + serverDatafoldKey, ""},
		{"bob's Lightdash key", "bob", "lightdash_get_authenticated_user", nil, "lightdash", "ApiKey " + bobLightdashKey, ""},
		{"Lightdash without any key", "anonymous", "lightdash_get_authenticated_user", nil, "lightdash", "", "X-Lightdash-Api-Key"},
		{"bob's PDC login", "bob", "pdc_get_data_source_by_id", map[string]any{"id": "ds-1"}, "pdc", "Bearer pdc-token-of-bob-0123456789", ""},
		{"PDC without a login", "anonymous", "pdc_get_data_source_by_id", map[string]any{"id": "ds-1"}, "pdc", "", "X-PDC-Username"},
	}
	var results strings.Builder
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := anonymous
			if tc.caller == "bob" {
				c = withBob
			}
			before := up.lastAuth(tc.provider)
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = tc.tool, tc.args
			res, err := c.CallTool(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			text := mcpgo.Text(res)
			b, _ := json.Marshal(res)
			results.Write(b)
			if tc.wantErr != "" {
				if !res.IsError || !strings.Contains(text, tc.wantErr) {
					t.Errorf("result got isError=%v %q, want an error naming %s", res.IsError, text, tc.wantErr)
				}
				if got := up.lastAuth(tc.provider); got != before {
					t.Errorf("upstream got a request with %q, want none", got)
				}
				return
			}
			if res.IsError {
				t.Fatalf("result got error %s, want success", text)
			}
			if got := up.lastAuth(tc.provider); got != tc.wantAuth {
				t.Errorf("upstream Authorization got %q, want %q", got, tc.wantAuth)
			}
			if !strings.Contains(text, tools.Redacted) {
				t.Errorf("result got %s, want the echoed credential redacted", text)
			}
		})
	}
	if got := strings.Join(up.logins, ","); got != "bob" {
		t.Errorf("PDC logins got %q, want bob once", got)
	}

	t.Run("PDC username without password", func(t *testing.T) {
		got, _, answer := post(t, "POST", base+"/mcp", map[string]string{"X-PDC-Username": "bob"}, strings.NewReader(pingBody))
		if got != http.StatusBadRequest || !strings.Contains(answer, "X-PDC-Password") {
			t.Errorf("got %d %s, want 400 naming X-PDC-Password", got, answer)
		}
	})

	all := logs.String() + results.String()
	for _, secret := range []string{serverDatafoldKey, bobDatafoldKey, bobLightdashKey, bobPDCPassword, "pdc-token-of-bob"} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q reached a log or a result", secret)
		}
	}
	if !strings.Contains(logs.String(), `"client_credentials":"datafold,lightdash,pdc"`) {
		t.Errorf("request log got %s, want client_credentials=datafold,lightdash,pdc for bob's calls", bound(logs.String(), 800))
	}
}

// TestTeamModeOff: without --allow-client-credentials the headers are
// ignored, and the log says so naming the headers, not their values.
func TestTeamModeOff(t *testing.T) {
	up := newRecordingUpstream(t)
	env := envMap(map[string]string{
		"DATAFOLD_BASE_URL": up.URL + "/datafold",
		"DATAFOLD_API_KEY":  serverDatafoldKey,
		"LIGHTDASH_URL":     up.URL + "/lightdash",
	})
	base, logs := serveSecured(t, options{getenv: env}, httpOptions{})
	c := httpClient(t, base+"/mcp", map[string]string{"X-Datafold-Api-Key": bobDatafoldKey, "X-Lightdash-Api-Key": bobLightdashKey})

	if names := listNames(t, c); slices.Contains(names, "lightdash_get_authenticated_user") {
		t.Error("tools/list offers Lightdash, want it absent: no server key and team mode off")
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "datafold_list_data_sources"
	res, err := c.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		t.Fatalf("call got %v %s, want success", err, mcpgo.Text(res))
	}
	if got, want := up.lastAuth("datafold"), "Key "+serverDatafoldKey; got != want {
		t.Errorf("upstream Authorization got %q, want %q (the header ignored)", got, want)
	}
	l := logs.String()
	if !strings.Contains(l, "client credential headers ignored") || !strings.Contains(l, "X-Datafold-Api-Key,X-Lightdash-Api-Key") {
		t.Errorf("log got %s, want a warning naming X-Datafold-Api-Key,X-Lightdash-Api-Key", bound(l, 800))
	}
	for _, secret := range []string{serverDatafoldKey, bobDatafoldKey, bobLightdashKey} {
		if strings.Contains(l, secret) {
			t.Errorf("secret %q reached the log", secret)
		}
	}
}
