package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func toolNamed(t *testing.T, name string) *Tool {
	t.Helper()
	for _, tool := range mustAll(t) {
		if tool.Name == name {
			return tool
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

func text(res *Result) string { return Text(res) }

// structured returns a result's structuredContent as an object, whichever
// form the server built it in: a map, or the upstream's JSON passed on as
// it came (answerRaw). It fails the test when it is not an object.
func structured(t *testing.T, res *Result) map[string]any {
	t.Helper()
	if m, ok := res.Structured.(map[string]any); ok {
		return m
	}
	raw, ok := res.Structured.(json.RawMessage)
	var m map[string]any
	if !ok || json.Unmarshal(raw, &m) != nil || m == nil {
		t.Fatalf("structuredContent got %T, want an object", res.Structured)
	}
	return m
}

func TestCallBadArguments(t *testing.T) {
	cases := []struct {
		name string
		tool string
		args any
		want []string
	}{
		{"string where integer", "datafold_get_data_source", map[string]any{"data_source_id": "seven"}, []string{`argument "data_source_id"`, "integer"}},
		{"missing required", "datafold_get_data_source", map[string]any{}, []string{"data_source_id"}},
		{"unknown argument", "datafold_get_data_source", map[string]any{"data_source_id": 1, "dsid": 2}, []string{`unknown argument "dsid"`, "data_source_id"}},
		{"not an object", "datafold_get_data_source", []any{1}, []string{"JSON object"}},
		{"bad enum", "datafold_get_table_downstreams", map[string]any{"data_connection_id": 1, "table_path": "a.b.c", "max_depth": "deep"}, []string{`argument "max_depth"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, tc.tool)
			f := newFake(t) // no stubs: nothing may reach upstream
			res := tool.Call(context.Background(), depsWith(t, tool.Provider, f), tc.args)
			if !res.IsError {
				t.Fatalf("got isError false, want true; text %q", text(res))
			}
			for _, w := range tc.want {
				if !strings.Contains(text(res), w) {
					t.Errorf("got %q, want it to mention %q", text(res), w)
				}
			}
			if !strings.Contains(text(res), tc.tool) {
				t.Errorf("got %q, want it to name the tool", text(res))
			}
		})
	}
}

func TestCallUpstreamErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   []string
	}{
		{"500", 500, `{"detail":"internal error"}`, []string{"500", "Internal Server Error", "later"}},
		{"404", 404, `{"detail":"Data source not found"}`, []string{"404", "Data source not found", "data_source_id"}},
		{"401", 401, `{"detail":"bad key"}`, []string{"401", "TEST_KEY"}},
		{"422", 422, `{"detail":[{"loc":["path","data_source_id"],"msg":"value is not a valid integer","type":"type_error"}]}`, []string{"422", "data_source_id"}},
		{"html page", 502, `<html><body><h1>502 Bad Gateway</h1></body></html>`, []string{"502"}},
		{"echoed secret", 400, `{"detail":"bad header Authorization: Key key-secret-canary"}`, []string{"400", Redacted}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, "datafold_get_data_source")
			f := newFake(t)
			f.Register("GET", "/api/v1/data_sources/7", tc.status, tc.body)
			res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"data_source_id": 7})
			got := text(res)
			if !res.IsError {
				t.Fatalf("got isError false, want true; text %q", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			if strings.Contains(got, "key-secret-canary") || strings.Contains(got, "<html") {
				t.Errorf("got %q: leaks a secret or markup", got)
			}
		})
	}
}

func TestCallSuccessShapes(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		wantKey    string
	}{
		{"object", `{"id":7,"name":"prod"}`, 200, "name"},
		{"array wrapped", `[{"id":1},{"id":2}]`, 200, "items"},
		{"empty", ``, 204, "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, "datafold_get_data_source")
			f := newFake(t)
			f.Register("GET", "/api/v1/data_sources/7", tc.status, tc.body)
			res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"data_source_id": 7.0})
			if res.IsError {
				t.Fatalf("got isError, want success: %s", text(res))
			}
			m := structured(t, res)
			if _, ok := m[tc.wantKey]; !ok {
				t.Errorf("structuredContent got keys %v, want %q", m, tc.wantKey)
			}
			if text(res) == "" {
				t.Error("text content is empty, want the JSON")
			}
		})
	}
}

func TestRedaction(t *testing.T) {
	tool := toolNamed(t, "datafold_get_data_source")
	f := newFake(t)
	f.Register("GET", "/api/v1/data_sources/7", 200, `{"id":7,"options":{"user":"svc","password":"hunter2-canary","private_key":"-----BEGIN canary","has_password":true,"oauth":{"client_secret":"cs-canary","refresh_token":"rt-canary"}},"note":"key-secret-canary"}`)
	res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"data_source_id": 7})
	b, _ := json.Marshal(res)
	for _, leak := range []string{"hunter2-canary", "BEGIN canary", "cs-canary", "rt-canary", "key-secret-canary"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("result contains secret %q: %s", leak, b)
		}
	}
	for _, keep := range []string{`"user":"svc"`, `"has_password":true`} {
		if !strings.Contains(string(b), keep) {
			t.Errorf("result lost %s: %s", keep, b)
		}
	}
}

func TestBindPathEscaping(t *testing.T) {
	cases := []struct {
		name, path, want string
	}{
		{"plain", "ANALYTICS.MARTS.fct_orders", "/api/v1/explore/db/1/tables/ANALYTICS.MARTS.fct_orders/downstreams"},
		{"quoted dots", `db."my.schema".t`, "/api/v1/explore/db/1/tables/db.%22my.schema%22.t/downstreams"},
		{"slash and space", "a/b c", "/api/v1/explore/db/1/tables/a%2Fb%20c/downstreams"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, "datafold_get_table_downstreams")
			f := newFake(t)
			s := f.Register("GET", tc.want, 200, `[]`)
			res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"data_connection_id": 1, "table_path": tc.path, "max_depth": 3})
			if res.IsError {
				t.Fatalf("got error %s", text(res))
			}
			if got := seenReq(s).URL.Query().Get("max_depth"); got != "3" {
				t.Errorf("max_depth got %q, want 3", got)
			}
		})
	}
}

func TestBindBody(t *testing.T) {
	tool := toolNamed(t, "lightdash_run_sql_query")
	f := newFake(t)
	s := f.Register("POST", "/api/v1/projects/p-1/sqlQuery", 200, `{"status":"ok","results":{"rows":[],"fields":{}}}`)
	res := tool.Call(context.Background(), depsWith(t, "lightdash", f), map[string]any{"projectUuid": "p-1", "sql": "select 1"})
	if res.IsError {
		t.Fatalf("got error %s", text(res))
	}
	if got, want := string(seenBody(s)), `{"sql":"select 1"}`; got != want {
		t.Errorf("body got %s, want %s", got, want)
	}
	if got := seenReq(s).Header.Get("Authorization"); got != "ApiKey key-secret-canary" {
		t.Errorf("Authorization got %q, want the ApiKey scheme", got)
	}
}

// TestNotFoundNamesPathArguments: a 404's advice names the arguments in the
// path, never body fields.
func TestNotFoundNamesPathArguments(t *testing.T) {
	cases := map[string]string{
		"datafold_get_data_diff":           "datadiff_id",
		"lightdash_update_space":           "projectUuid, spaceUuid",
		"datafold_create_data_diff":        "",
		"posthog_get_external_data_schema": "project_id, id",
	}
	for name, want := range cases {
		tool := toolNamed(t, name)
		if got := pathArgs(tool); got != want {
			t.Errorf("%s (%s): got %q, want %q", name, tool.Path, got, want)
		}
	}
}

// TestEscapedSecretsRedacted: a configured secret comes back redacted
// however the upstream escapes it in JSON, and credential keys whatever
// their spelling.
func TestEscapedSecretsRedacted(t *testing.T) {
	for name, tc := range map[string]struct{ body, secret string }{
		"unicode escape":        {`{"id":1,"note":"\u006bey-secret-canary"}`, "key-secret-canary"},
		"escaped slash":         {`{"id":1,"note":"dfkey\/abc123"}`, "dfkey/abc123"},
		"escaped hyphen":        {`{"id":1,"note":"key\u002dsecret-canary"}`, "key-secret-canary"},
		"JSON inside a string":  {`{"id":1,"note":"{\"k\":\"key-secret-canary\"}"}`, "key-secret-canary"},
		"password under a name": {`{"id":1,"password2":"hunter22","passphrase":12345678}`, "hunter22"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			f.Register("GET", "/api/v1/data_sources/1", 200, tc.body)
			res := toolNamed(t, "datafold_get_data_source").Call(context.Background(), depsWith(t, "datafold", f, "dfkey/abc123"), map[string]any{"data_source_id": 1})
			require.False(t, res.IsError, res.Text)
			var decoded any
			require.NoError(t, json.Unmarshal([]byte(res.Text), &decoded))
			flat := fmt.Sprint(decoded) + res.Text + jsonOf(t, res.Structured)
			assert.NotContains(t, flat, tc.secret)
			assert.NotContains(t, flat, "12345678")
		})
	}
}

// TestRetryFollowsEffect: a 502 leaves unknown whether the upstream acted,
// so the client repeats only what the effects table says reads, whatever
// the method: datafold_sync_bi_integration (a GET that starts a resync) is
// sent once, datafold_get_data_source (a GET) and pdc_filter_data_sources
// (a POST that searches) are repeated.
func TestRetryFollowsEffect(t *testing.T) {
	cases := []struct {
		tool, method, path string
		args               map[string]any
		attempts           int
	}{
		{"datafold_sync_bi_integration", "GET", "/api/v1/lineage/bi/7/sync/", map[string]any{"bi_datasource_id": 7, ConfirmArg: true}, 1},
		{"datafold_get_data_source", "GET", "/api/v1/data_sources/7", map[string]any{"data_source_id": 7}, 3},
		{"pdc_filter_data_sources", "POST", "/api/public/v1/data-sources/filter", map[string]any{"databaseTypes": []any{"*"}}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.tool, func(t *testing.T) {
			tool := toolNamed(t, tc.tool)
			f := newFake(t)
			d := depsWith(t, tool.Provider, f)
			c, err := client.New(client.Config{Provider: tool.Provider, BaseURL: "https://" + tool.Provider + ".example.test",
				Transport: f, APIKey: "key-secret-canary", Username: "user", Password: "pw-secret-canary", MaxRetryWait: time.Millisecond})
			require.NoError(t, err)
			d.Callers[tool.Provider] = c // the default retries (2)
			if tool.Provider == client.PDC {
				f.Register("POST", "/api/public/v1/auth", 200, `{"data":{"accessToken":"tok","expiresIn":3600}}`)
			}
			s := f.Register(tc.method, tc.path, 502, `{"detail":"bad gateway"}`)
			res := tool.Call(context.Background(), d, tc.args)
			require.True(t, res.IsError, "got success %q, want the 502", text(res))
			assert.Contains(t, text(res), "502", "result")
			assert.Equal(t, tc.attempts, s.Used(), "got %d upstream attempts, want %d", s.Used(), tc.attempts)
		})
	}
}
