package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; "" = valid
	}{
		{"datafold ok", Config{Provider: Datafold, BaseURL: "https://app.datafold.com", APIKey: "k"}, ""},
		{"trailing slash and prefix ok", Config{Provider: Lightdash, BaseURL: "http://localhost:8080/ld/", APIKey: "k"}, ""},
		{"pdc ok", Config{Provider: PDC, BaseURL: "https://pdc.example.com", Username: "u", Password: "p"}, ""},
		{"no provider", Config{BaseURL: "https://x", APIKey: "k"}, "Provider is required"},
		{"unknown provider", Config{Provider: "dbt", BaseURL: "https://x", APIKey: "k"}, `unknown provider "dbt"`},
		{"no base url", Config{Provider: PostHog, APIKey: "k"}, "BaseURL is required"},
		{"relative base url", Config{Provider: PostHog, BaseURL: "app.posthog.com", APIKey: "k"}, "absolute http:// or https://"},
		{"ftp base url", Config{Provider: PostHog, BaseURL: "ftp://x", APIKey: "k"}, "absolute http:// or https://"},
		{"unparseable base url", Config{Provider: PostHog, BaseURL: "http://[::1", APIKey: "k"}, "not a valid URL"},
		{"base url with query", Config{Provider: PostHog, BaseURL: "https://x/?a=1", APIKey: "k"}, "query or fragment"},
		{"base url with credentials", Config{Provider: PostHog, BaseURL: "https://u:p@x", APIKey: "k"}, "must not carry credentials"},
		{"missing api key", Config{Provider: Datafold, BaseURL: "https://x"}, "APIKey is required"},
		{"multi-line api key", Config{Provider: Datafold, BaseURL: "https://x", APIKey: "a\nb"}, "single line"},
		{"pdc missing password", Config{Provider: PDC, BaseURL: "https://x", Username: "u"}, "Username and Password are required"},
		{"pdc missing username", Config{Provider: PDC, BaseURL: "https://x", Password: "p"}, "Username and Password are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr == "" {
				mustNoError(t, err)
				checkEqual(t, tt.cfg.Provider, c.Provider(), "got provider %q, want %q", c.Provider(), tt.cfg.Provider)
				return
			}
			mustError(t, err)
			check(t, strings.Contains(err.Error(), tt.wantErr), "got error %q, want it to contain %q", err, tt.wantErr)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{Provider: Datafold, BaseURL: "https://app.datafold.com/", APIKey: "k", MaxRetries: -3})
	mustNoError(t, err)
	checkEqual(t, DefaultTimeout, c.timeout, "got timeout %v, want %v", c.timeout, DefaultTimeout)
	checkEqual(t, 0, c.maxRetries, "got maxRetries %d, want 0 for a negative setting", c.maxRetries)
	checkEqual(t, DefaultMaxRetryWait, c.maxRetryWait, "got maxRetryWait %v, want %v", c.maxRetryWait, DefaultMaxRetryWait)
	checkEqual(t, int64(DefaultMaxResponseBytes), c.maxBytes, "got maxBytes %d, want %d", c.maxBytes, DefaultMaxResponseBytes)
	checkEqual(t, "", c.prefix, "got prefix %q, want empty", c.prefix)
	// Concurrent calls keep their upstream connections (not the default 2).
	tr, ok := c.hc.Transport.(*http.Transport)
	must(t, ok, "got transport %T, want *http.Transport", c.hc.Transport)
	checkEqual(t, maxIdlePerHost, tr.MaxIdleConnsPerHost, "got MaxIdleConnsPerHost %d, want %d", tr.MaxIdleConnsPerHost, maxIdlePerHost)

	c, err = New(Config{Provider: Datafold, BaseURL: "https://app.datafold.com", APIKey: "k"})
	mustNoError(t, err)
	checkEqual(t, DefaultMaxRetries, c.maxRetries, "got maxRetries %d, want %d", c.maxRetries, DefaultMaxRetries)
}

func TestAuthHeaderPerProvider(t *testing.T) {
	tests := []struct {
		name      string
		provider  string
		userAgent string
		wantAuth  string
		wantUA    string
	}{
		{"datafold", Datafold, "", "Key " + canaryKey, "datastack-mcp"},
		{"posthog", PostHog, "", "Bearer " + canaryKey, "datastack-mcp"},
		{"lightdash", Lightdash, "custom-agent/1.0", "ApiKey " + canaryKey, "custom-agent/1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got http.Header
			c, _, _ := newTestClient(t, Config{Provider: tt.provider, UserAgent: tt.userAgent},
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got = r.Header.Clone()
					w.Write([]byte(`{}`))
				}))
			_, err := get(c, "/api/ping")
			mustNoError(t, err)
			checkEqual(t, tt.wantAuth, got.Get("Authorization"), "got Authorization %q, want %q", got.Get("Authorization"), tt.wantAuth)
			checkEqual(t, "application/json", got.Get("Accept"), "got Accept %q, want application/json", got.Get("Accept"))
			checkEqual(t, tt.wantUA, got.Get("User-Agent"), "got User-Agent %q, want %q", got.Get("User-Agent"), tt.wantUA)
		})
	}
}

func TestRequestBodyAndContentType(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		body        []byte
		contentType string
		wantCT      string
		wantBody    string
	}{
		{"json body gets default content type", http.MethodPost, []byte(`{"a":1}`), "", "application/json", `{"a":1}`},
		{"explicit content type kept", http.MethodPatch, []byte(`[{"op":"add"}]`), "application/json-patch+json", "application/json-patch+json", `[{"op":"add"}]`},
		{"no body no content type", http.MethodDelete, nil, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotCT, gotBody, gotMethod string
			c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				gotCT, gotBody, gotMethod = r.Header.Get("Content-Type"), string(b), r.Method
				w.WriteHeader(http.StatusCreated)
				w.Write([]byte(`{"id":1}`))
			}))
			resp, err := c.Do(context.Background(), Request{Method: tt.method, Path: "/api/v1/things", Body: tt.body, ContentType: tt.contentType})
			mustNoError(t, err)
			checkEqual(t, http.StatusCreated, resp.Status, "got status %d, want 201", resp.Status)
			checkEqual(t, `{"id":1}`, string(resp.Body), "got body %q, want {\"id\":1}", resp.Body)
			checkEqual(t, tt.method, gotMethod, "got method %q, want %q", gotMethod, tt.method)
			checkEqual(t, tt.wantCT, gotCT, "got Content-Type %q, want %q", gotCT, tt.wantCT)
			checkEqual(t, tt.wantBody, gotBody, "got body %q, want %q", gotBody, tt.wantBody)
		})
	}
}

func TestQueryEncoding(t *testing.T) {
	tests := []struct {
		name    string
		query   url.Values
		wantRaw string
	}{
		{"none", nil, ""},
		{"special characters and repeats", url.Values{"q": {"a b&c=d/é"}, "limit": {"10"}, "tag": {"x", "y"}},
			"limit=10&q=a+b%26c%3Dd%2F%C3%A9&tag=x&tag=y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotRaw string
			var gotQuery url.Values
			c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotRaw, gotQuery = r.URL.RawQuery, r.URL.Query()
			}))
			_, err := c.Do(context.Background(), Request{Path: "/api/v1/data_sources", Query: tt.query})
			mustNoError(t, err)
			checkEqual(t, tt.wantRaw, gotRaw, "got raw query %q, want %q", gotRaw, tt.wantRaw)
			if len(tt.query) > 0 {
				checkEqual(t, tt.query, gotQuery, "got decoded query %v, want %v", gotQuery, tt.query)
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"detail":"Data source not found"}`))
	}))
	_, err := c.Do(context.Background(), Request{Path: "/api/v1/data_sources/{id}", PathParams: map[string]string{"id": "7"}})
	e := asError(t, err)
	want := "datafold GET /api/v1/data_sources/7: 404 Not Found: Data source not found"
	checkEqual(t, want, e.Error(), "got %q, want %q", e.Error(), want)
	checkEqual(t, 404, e.Status, "got status %d, want 404", e.Status)
	checkEqual(t, 1, e.Attempts, "got attempts %d, want 1", e.Attempts)
	checkEqual(t, "/api/v1/data_sources/7", e.Path, "got path %q, want /api/v1/data_sources/7", e.Path)
}

func TestDebugLogFields(t *testing.T) {
	c, _, logs := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	_, err := c.Do(context.Background(), Request{
		Path:       "/api/v1/data_sources/{id}",
		PathParams: map[string]string{"id": "secret-id-42"},
		Query:      url.Values{"token": {"query-secret-99"}},
	})
	mustError(t, err)
	out := logs.String()
	for _, want := range []string{"provider=datafold", "method=GET", "path=/api/v1/data_sources/{id}", "status=418", "attempt=1", "duration_ms="} {
		check(t, strings.Contains(out, want), "got log %q, want it to contain %q", out, want)
	}
	for _, banned := range []string{"query-secret-99", "secret-id-42", canaryKey, "Authorization"} {
		check(t, !strings.Contains(out, banned), "got log %q, want no %q", out, banned)
	}
	checkEqual(t, 1, strings.Count(out, "\n"), "got %d log lines, want 1", strings.Count(out, "\n"))
}
