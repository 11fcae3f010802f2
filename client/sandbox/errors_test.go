package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
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

// recorder keeps the exchanges a sandbox reports.
type recorder struct {
	mu  sync.Mutex
	exs []Exchange
}

func observe(s *Sandbox) *recorder {
	r := &recorder{}
	s.Observe(func(e Exchange) {
		r.mu.Lock()
		r.exs = append(r.exs, e)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) last() Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.exs) == 0 {
		return Exchange{}
	}
	return r.exs[len(r.exs)-1]
}

// validateError checks an error answer against the spec where the spec
// declares that status (or a default response).
func validateError(t *testing.T, provider string, res *result) {
	t.Helper()
	sp := testSpec(provider)
	req := res.req.Clone(context.Background())
	req.Body = http.NoBody
	route, params, err := sp.findRoute(req)
	if err != nil {
		return // no route: nothing declared
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Status, Header: res.Header, Body: io.NopCloser(bytes.NewReader(res.Body)),
		Options: &openapi3filter.Options{MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("error answer does not match the spec: %v\n%s", trimErr(err), res.Body)
	}
}

func rawReq(t *testing.T, s *Sandbox, provider, method, path, ct, body string) *result {
	t.Helper()
	req, err := http.NewRequest(method, BaseURL(provider)+path, strings.NewReader(body))
	require.NoError(t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if provider == schemas.PDC {
		if !strings.HasSuffix(path, "/auth") {
			req.Header.Set("Authorization", "Bearer "+pdcToken(t, s))
		}
	} else {
		req.Header.Set("Authorization", testCreds[provider])
	}
	return send(t, s, req)
}

func TestInvalidRequestsGetProviderStyleErrors(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	rec := observe(s)
	const js = "application/json"
	const form = "application/x-www-form-urlencoded"
	cases := []struct {
		name, prov, method, path, ct, body string
		status                             int
		check                              func(t *testing.T, r *result)
	}{
		{"datafold missing required body fields", "datafold", "POST", "/api/v1/datadiffs", js, `{"pk_columns":["id"]}`, 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"body", "data_source1_id"}, r.get("detail.0.loc"))
			require.Equal(t, "missing", r.get("detail.0.type"))
			require.Equal(t, "Field required", r.get("detail.0.msg"))
			require.Equal(t, []any{"body", "data_source2_id"}, r.get("detail.1.loc"))
		}},
		{"datafold wrong type", "datafold", "POST", "/api/v1/datadiffs", js, `{"data_source1_id":"x","data_source2_id":2}`, 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"body", "data_source1_id"}, r.get("detail.0.loc"))
			require.Equal(t, "int_type", r.get("detail.0.type"))
		}},
		{"datafold missing body", "datafold", "POST", "/api/v1/datadiffs", "", "", 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"body"}, r.get("detail.0.loc"))
			require.Equal(t, "missing", r.get("detail.0.type"))
		}},
		{"datafold path param type", "datafold", "GET", "/api/v1/data_sources/abc", "", "", 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"path", "data_source_id"}, r.get("detail.0.loc"))
		}},
		{"datafold 3.1 exclusiveMaximum", "datafold", "GET", "/api/v1/explore/db/1/tables/ANALYTICS.MARTS.fct_orders/upstreams?max_depth=100", "", "", 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"query", "max_depth"}, r.get("detail.0.loc"))
			require.Equal(t, "less_than", r.get("detail.0.type"))
		}},
		{"datafold 3.1 anyOf-null wrong type", "datafold", "POST", "/api/v1/datadiffs", js, `{"data_source1_id":1,"data_source2_id":2,"filter1":5}`, 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"body", "filter1"}, r.get("detail.0.loc"))
		}},
		{"posthog bad enum", "posthog", "PATCH", "/api/projects/1/external_data_schemas/" + phStripeID + "/", js, `{"sync_type":"sometimes"}`, 400, func(t *testing.T, r *result) {
			require.Equal(t, "validation_error", r.get("type"))
			require.Equal(t, "invalid_choice", r.get("code"))
			require.Equal(t, "sync_type", r.get("attr"))
		}},
		{"posthog missing required", "posthog", "POST", "/api/projects/1/external_data_sources/", js, `{"payload":{}}`, 400, func(t *testing.T, r *result) {
			require.Equal(t, "required", r.get("code"))
			require.Equal(t, "source_type", r.get("attr"))
		}},
		{"posthog uuid format", "posthog", "GET", "/api/projects/1/external_data_sources/not-a-uuid/", "", "", 400, func(t *testing.T, r *result) {
			require.Equal(t, "validation_error", r.get("type"))
			require.Equal(t, "id", r.get("attr"))
		}},
		{"lightdash bad enum", "lightdash", "PATCH", "/api/v1/org/users/" + ldUserAna, js, `{"role":"boss"}`, 400, func(t *testing.T, r *result) {
			require.Equal(t, "error", r.get("status"))
			require.Equal(t, "ParameterError", r.get("error.name"))
			require.Equal(t, 400.0, r.get("error.statusCode"))
		}},
		{"lightdash missing body field", "lightdash", "POST", "/api/v1/projects/" + ldProject + "/sqlQuery", js, `{}`, 400, func(t *testing.T, r *result) {
			require.Contains(t, r.get("error.message").(string), "sql")
		}},
		{"lightdash malformed query param", "lightdash", "GET", "/api/v1/org/users?page=first", "", "", 400, func(t *testing.T, r *result) {
			require.Contains(t, r.get("error.message").(string), "page")
		}},
		{"pdc minItems", "pdc", "POST", "/api/public/v1/data-sources/by-ids", js, `{"ids":[]}`, 400, func(t *testing.T, r *result) {
			require.Equal(t, 400.0, r.get("status"))
			require.Contains(t, r.get("message").(string), "ids")
		}},
		{"pdc auth form incomplete", "pdc", "POST", "/api/public/v1/auth", form, "username=a&password=b", 400, func(t *testing.T, r *result) {
			require.Equal(t, 400.0, r.get("status"))
		}},
		{"pdc bad json", "pdc", "POST", "/api/public/v1/data-sources/filter", js, `{"resourceNames":`, 400, nil},
		{"datafold deeply nested body", "datafold", "POST", "/api/v1/data_sources", js, `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}", 422, func(t *testing.T, r *result) {
			require.Equal(t, []any{"body"}, r.get("detail.0.loc"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rawReq(t, s, tc.prov, tc.method, tc.path, tc.ct, tc.body)
			require.Equal(t, tc.status, r.Status, string(r.Body))
			ex := rec.last()
			require.Error(t, ex.RequestError, "RequestError must be set")
			require.Equal(t, tc.status, ex.Status)
			validateError(t, tc.prov, r)
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestUnknownIDsAndRoutes(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	rec := observe(s)
	cases := []struct {
		name, prov, method, path string
		status                   int
		matched                  bool // the request matched the spec
		check                    func(t *testing.T, r *result)
	}{
		{"datafold diff", "datafold", "GET", "/api/v1/datadiffs/999", 404, true, func(t *testing.T, r *result) {
			require.Equal(t, "Data diff 999 not found", r.get("detail"))
		}},
		{"datafold column", "datafold", "GET", "/api/v1/explore/db/1/columns/ANALYTICS.MARTS.fct_orders.nope/downstreams", 404, true, nil},
		{"datafold data source", "datafold", "GET", "/api/v1/data_sources/77", 404, true, nil},
		{"datafold monitor run", "datafold", "GET", "/api/v1/monitors/201/runs/3002", 404, true, nil},
		{"datafold route", "datafold", "GET", "/api/v1/nope", 404, false, func(t *testing.T, r *result) {
			require.Equal(t, "Not Found", r.get("detail"))
		}},
		{"datafold method", "datafold", "DELETE", "/api/v1/datadiffs/101", 405, false, func(t *testing.T, r *result) {
			require.Equal(t, "Method Not Allowed", r.get("detail"))
			require.Contains(t, r.Header.Get("Allow"), "GET")
		}},
		{"posthog source", "posthog", "GET", "/api/projects/1/external_data_sources/00000000-0000-4000-8000-000000000000/", 404, true, func(t *testing.T, r *result) {
			require.Equal(t, "invalid_request", r.get("type"))
			require.Equal(t, "not_found", r.get("code"))
			require.Equal(t, "Not found.", r.get("detail"))
		}},
		{"posthog project", "posthog", "GET", "/api/projects/2/external_data_sources/", 404, true, nil},
		{"posthog no trailing slash", "posthog", "GET", "/api/projects/1/external_data_sources", 404, false, nil},
		{"pdc data source", "pdc", "GET", "/api/public/v1/data-sources/ffffffffffffffffffffffff", 404, true, func(t *testing.T, r *result) {
			require.Equal(t, 404.0, r.get("status"))
			require.Contains(t, r.get("message").(string), "not found")
		}},
		{"lightdash space", "lightdash", "GET", "/api/v1/projects/" + ldProject + "/spaces/00000000-0000-4000-8000-000000000000", 404, true, func(t *testing.T, r *result) {
			require.Equal(t, "NotFoundError", r.get("error.name"))
			require.Equal(t, 404.0, r.get("error.statusCode"))
		}},
		{"lightdash project", "lightdash", "GET", "/api/v1/projects/00000000-0000-4000-8000-000000000000", 404, true, nil},
		{"lightdash explore", "lightdash", "GET", "/api/v1/projects/" + ldProject + "/explores/nope", 404, true, nil},
		{"lightdash method", "lightdash", "PUT", "/api/v1/user/warehouseCredentials", 405, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, tc.prov, tc.method, tc.path, nil)
			require.Equal(t, tc.status, r.Status, string(r.Body))
			ex := rec.last()
			if tc.matched {
				require.NoError(t, ex.RequestError)
				require.NotEmpty(t, ex.OperationID)
				validateError(t, tc.prov, r)
			} else {
				require.Error(t, ex.RequestError)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	rec := observe(s)
	get := func(prov, path, auth string) *result {
		req, _ := http.NewRequest("GET", BaseURL(prov)+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return send(t, s, req)
	}
	paths := map[string]string{"datafold": "/api/v1/data_sources", "posthog": "/api/projects/1/external_data_sources/",
		"lightdash": "/api/v1/user", "pdc": "/api/public/v1/data-sources/" + pdcSnowflakeID}
	bad := map[string][]string{
		"datafold":  {"", "Bearer x", "Key", "Key  "},
		"posthog":   {"", "Key x", "Bearer"},
		"lightdash": {"", "Bearer x", "ApiKey"},
		"pdc":       {"", "Key x", "Bearer not-a-jwt", "Bearer a.b.c"},
	}
	for prov, auths := range bad {
		for _, a := range auths {
			r := get(prov, paths[prov], a)
			require.Equal(t, 401, r.Status, "%s %q: %s", prov, a, r.Body)
			require.Error(t, rec.last().RequestError)
			if prov == "pdc" || prov == "lightdash" {
				validateError(t, prov, r)
			}
		}
	}
	require.Equal(t, "not_authenticated", get("posthog", paths["posthog"], "").get("code"))
	require.Equal(t, "Not authenticated", get("datafold", paths["datafold"], "").get("detail"))
	require.Equal(t, "AuthorizationError", get("lightdash", paths["lightdash"], "").get("error.name"))
	for prov, a := range map[string]string{"datafold": "Key any", "posthog": "Bearer phx_any", "lightdash": "ApiKey any", "pdc": "Bearer " + pdcToken(t, s)} {
		require.Equal(t, 200, get(prov, paths[prov], a).Status, prov)
	}

	// PDC: tokens are this sandbox's own, and expire.
	other := newTestSandbox(t)
	require.Equal(t, 401, get("pdc", paths["pdc"], "Bearer "+pdcToken(t, other)).Status)
	tok := pdcToken(t, s)
	s.mu.Lock()
	s.now = func() time.Time { return time.Now().Add(s.TokenTTL + time.Minute) }
	s.mu.Unlock()
	r := get("pdc", paths["pdc"], "Bearer "+tok)
	require.Equal(t, 401, r.Status)
	require.Equal(t, "Invalid or expired token", r.get("message"))
	s.mu.Lock()
	s.now = time.Now
	s.mu.Unlock()

	// The login itself: any non-empty pair works, an empty password does not.
	form := url.Values{"username": {"dana"}, "password": {""}, "client_id": {"pdc-client"}, "grant_type": {"password"}, "scope": {"openid"}}
	req, _ := http.NewRequest("POST", BaseURL("pdc")+"/api/public/v1/auth", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = send(t, s, req)
	require.Equal(t, 401, r.Status)
	validateError(t, "pdc", r)
	form.Set("password", "pw")
	req, _ = http.NewRequest("POST", BaseURL("pdc")+"/api/public/v1/auth", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = send(t, s, req)
	require.Equal(t, 200, r.Status)
	require.Equal(t, "OK", r.get("message"))
	require.Equal(t, 1800.0, r.get("data.expiresIn"))
	validateResponse(t, "pdc", r)
}

func TestTransportAndObserve(t *testing.T) {
	t.Parallel()
	s := newTestSandbox(t)
	rec := observe(s)
	client := &http.Client{Transport: s.Transport()}
	_, err := client.Get("http://example.com/api/v1/user")
	require.Error(t, err)
	_, err = client.Get("http://nope.sandbox.invalid/x")
	require.Error(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", BaseURL("datafold")+"/api/v1/data_sources", nil)
	_, err = client.Do(req)
	require.Error(t, err)

	r := do(t, s, "datafold", "GET", "/api/v1/datadiffs/101", nil)
	require.Equal(t, 200, r.Status)
	ex := rec.last()
	require.Equal(t, Exchange{Provider: "datafold", OperationID: "get_datadiff_api_v1_datadiffs__datadiff_id__get",
		Method: "GET", Path: "/api/v1/datadiffs/101", Status: 200}, ex)

	// Handler works as a plain http.Handler (any host).
	rw := &captureWriter{h: http.Header{}}
	hreq, _ := http.NewRequest("GET", "http://127.0.0.1:1234/api/v1/org", nil)
	hreq.Header.Set("Authorization", "ApiKey x")
	s.Handler("lightdash").ServeHTTP(rw, hreq)
	require.Equal(t, 200, rw.status)
	var v map[string]any
	require.NoError(t, json.Unmarshal(rw.body.Bytes(), &v))
	require.Equal(t, "Jaffle Shop Inc.", v["results"].(map[string]any)["name"])
}

type captureWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *captureWriter) Header() http.Header         { return w.h }
func (w *captureWriter) WriteHeader(s int)           { w.status = s }
func (w *captureWriter) Write(b []byte) (int, error) { return w.body.Write(b) }
