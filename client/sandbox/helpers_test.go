package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// newTestSandbox returns a sandbox whose diffs and syncs finish quickly.
func newTestSandbox(t testing.TB) *Sandbox {
	t.Helper()
	s, err := New()
	require.NoError(t, err)
	s.DiffQueued = 20 * time.Millisecond
	s.DiffRunning = 40 * time.Millisecond
	s.SyncDuration = 40 * time.Millisecond
	return s
}

var testCreds = map[string]string{
	schemas.Datafold:  "Key dfk_test",
	schemas.PostHog:   "Bearer phx_test",
	schemas.Lightdash: "ApiKey ldpat_test",
}

type result struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   any
	req    *http.Request
}

func (r *result) get(path string) any {
	cur := r.JSON
	if path == "" {
		return cur
	}
	for _, k := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			cur = x[i]
		default:
			return nil
		}
	}
	return cur
}

var (
	tokensMu sync.Mutex
	tokens   = map[*Sandbox]string{}
)

// pdcToken logs in to the sandbox's PDC (once per sandbox).
func pdcToken(t testing.TB, s *Sandbox) string {
	t.Helper()
	tokensMu.Lock()
	tok, ok := tokens[s]
	tokensMu.Unlock()
	if ok {
		return tok
	}
	form := url.Values{"username": {"demo"}, "password": {"demo"}, "client_id": {"pdc-client"},
		"grant_type": {"password"}, "scope": {"openid profile email"}}
	req, _ := http.NewRequest("POST", BaseURL("pdc")+"/api/public/v1/auth", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := send(t, s, req)
	require.Equal(t, 200, res.Status, string(res.Body))
	tok, _ = res.get("data.accessToken").(string)
	require.NotEmpty(t, tok)
	tokensMu.Lock()
	tokens[s] = tok
	tokensMu.Unlock()
	return tok
}

// call sends method path (relative to the provider's base URL) with a JSON
// body (nil for none) and the provider's test credentials.
func do(t testing.TB, s *Sandbox, provider, method, path string, body any) *result {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, BaseURL(provider)+path, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if provider == schemas.PDC {
		req.Header.Set("Authorization", "Bearer "+pdcToken(t, s))
	} else {
		req.Header.Set("Authorization", testCreds[provider])
	}
	return send(t, s, req)
}

func send(t testing.TB, s *Sandbox, req *http.Request) *result {
	t.Helper()
	client := &http.Client{Transport: s.Transport()}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := &result{Status: resp.StatusCode, Header: resp.Header, Body: b, req: req}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &r.JSON)
	}
	return r
}

// validateResponse checks res against the spec (status must be declared,
// body must match its schema).
func validateResponse(t testing.TB, provider string, res *result) {
	t.Helper()
	sp := testSpec(provider)
	req := res.req.Clone(context.Background())
	req.Body = http.NoBody
	route, params, err := sp.findRoute(req)
	require.NoError(t, err)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if res.Status == http.StatusNoContent {
		// HTTP forbids a 204 body; Lightdash's spec still declares one for
		// DeleteSpace (the real server sends none).
		if len(res.Body) != 0 {
			t.Fatalf("204 with a body: %s", res.Body)
		}
		in.Options.ExcludeResponseBody = true
	}
	err = openapi3filter.ValidateResponse(context.Background(), in)
	if err != nil {
		b := res.Body
		if len(b) > 3000 {
			b = b[:3000]
		}
		t.Fatalf("%s %s -> %d: response does not match the spec: %v\nbody: %s", req.Method, req.URL.Path, res.Status, trimErr(err), b)
	}
}

func trimErr(err error) string {
	s := err.Error()
	if len(s) > 4000 {
		s = s[:4000] + "…"
	}
	return s
}

// settle waits until the engine has compared every diff of s created so
// far (a diff stays "processing" while it compares).
func settle(s *Sandbox) {
	s.mu.Lock()
	var runs []*diffRun
	for _, d := range s.df.diffs {
		if d.out != nil && d.out.run != nil {
			runs = append(runs, d.out.run)
		}
	}
	s.mu.Unlock()
	for _, r := range runs {
		<-r.done
	}
}
