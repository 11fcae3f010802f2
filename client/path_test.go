package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPathEscaping(t *testing.T) {
	tests := []struct {
		name        string
		prefix      string // path prefix of BaseURL
		template    string
		params      map[string]string
		wantEscaped string
		wantSegment int    // index (in the escaped path split on "/") of the checked value
		wantValue   string // what that segment decodes to on the server
	}{
		{
			name:        "datafold table path with quotes and dots",
			template:    "/api/v1/explore/db/{data_connection_id}/tables/{table_path}/downstreams",
			params:      map[string]string{"data_connection_id": "7", "table_path": `db."my.schema".t`},
			wantEscaped: "/api/v1/explore/db/7/tables/db.%22my.schema%22.t/downstreams",
			wantSegment: 7,
			wantValue:   `db."my.schema".t`,
		},
		{
			name:        "slash and spaces stay in one segment",
			template:    "/api/v1/projects/{projectUuid}/saved/{name}",
			params:      map[string]string{"projectUuid": "p-1", "name": "sales / EU 2024"},
			wantEscaped: "/api/v1/projects/p-1/saved/sales%20%2F%20EU%202024",
			wantSegment: 6,
			wantValue:   "sales / EU 2024",
		},
		{
			name:        "reserved and non-ascii characters",
			template:    "/api/things/{id}",
			params:      map[string]string{"id": "naïve?#%;+"},
			wantEscaped: "/api/things/na%C3%AFve%3F%23%25%3B+",
			wantSegment: 3,
			wantValue:   "naïve?#%;+",
		},
		{
			name:        "base url prefix kept, trailing slash tolerated",
			prefix:      "/proxy/posthog/",
			template:    "/api/projects/{project_id}/insights/",
			params:      map[string]string{"project_id": "12"},
			wantEscaped: "/proxy/posthog/api/projects/12/insights/",
			wantSegment: 5,
			wantValue:   "12",
		},
		{
			name:        "template without leading slash",
			template:    "api/v1/data_sources/{id}",
			params:      map[string]string{"id": "3"},
			wantEscaped: "/api/v1/data_sources/3",
			wantSegment: 4,
			wantValue:   "3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotEscaped, gotPath string
			c, _, _ := newTestClient(t, Config{BaseURL: tt.prefix}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotEscaped, gotPath = r.URL.EscapedPath(), r.URL.Path
			}))
			_, err := c.Do(context.Background(), Request{Path: tt.template, PathParams: tt.params})
			mustNoError(t, err)
			checkEqual(t, tt.wantEscaped, gotEscaped, "got escaped path %q, want %q", gotEscaped, tt.wantEscaped)

			segs := strings.Split(gotEscaped, "/")
			must(t, len(segs) > tt.wantSegment, "got %d segments in %q, want more than %d", len(segs), gotEscaped, tt.wantSegment)
			value, err := url.PathUnescape(segs[tt.wantSegment])
			mustNoError(t, err)
			checkEqual(t, tt.wantValue, value, "got decoded value %q, want %q", value, tt.wantValue)

			wantPath, _ := url.PathUnescape(tt.wantEscaped)
			checkEqual(t, wantPath, gotPath, "got decoded path %q, want %q", gotPath, wantPath)
		})
	}
}

func TestPathErrorsSendNothing(t *testing.T) {
	tests := []struct {
		name     string
		template string
		params   map[string]string
		wantErr  string
	}{
		{"missing parameter", "/api/v1/data_sources/{id}", nil, `missing path parameter "id"`},
		{"one of two missing", "/api/v1/ci/{ci_config_id}/{pr_num}", map[string]string{"ci_config_id": "1"}, `missing path parameter "pr_num"`},
		{"empty parameter", "/api/v1/data_sources/{id}", map[string]string{"id": ""}, `path parameter "id" is empty`},
		{"dot-dot parameter", "/api/v1/data_sources/{id}", map[string]string{"id": ".."}, `must not be ".."`},
		{"unbalanced braces", "/api/v1/data_sources/{id", map[string]string{"id": "1"}, "unbalanced"},
		{"stray closing brace", "/api/v1/data_sources/id}", nil, "unbalanced"},
		{"empty placeholder", "/api/v1/{}/x", nil, "bad placeholder"},
		{"query in template", "/api/v1/data_sources?limit=1", nil, "use Request.Query"},
		{"empty template", "", nil, "empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits counter
			c, _, _ := newTestClient(t, Config{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.inc() }))
			_, err := c.Do(context.Background(), Request{Path: tt.template, PathParams: tt.params})
			mustError(t, err)
			check(t, errors.Is(err, ErrInvalidRequest), "got %v, want it to wrap ErrInvalidRequest", err)
			check(t, strings.Contains(err.Error(), tt.wantErr), "got error %q, want it to contain %q", err, tt.wantErr)
			checkEqual(t, 0, hits.get(), "got %d requests, want 0", hits.get())
		})
	}
}
