package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datastack-mcp/datastack-mcp/client"
)

// Fuzzing of argument binding and request building: arbitrary JSON as the
// arguments of any generated tool, through validation, binding, the real
// client's URL and request building, and answer shaping. Run with
//
//	go test ./tools -run '^$' -fuzz FuzzBindArguments -fuzztime 60s
//
// Without -fuzz, the seeds (testdata/fuzz/FuzzBindArguments and f.Add
// below) run as a normal test.
//
// What must hold for any input:
//   - no panic (Tool.Call has no recover of its own: the fuzzer sees it);
//   - the result is never nil, and an isError result names the tool;
//   - a request that is sent goes to the configured host and base path,
//     with the tool's method, each path argument as exactly one segment and
//     never "." or "..", and a JSON body;
//   - arguments that fail validation send nothing.

// fuzzHost is the configured upstream of every provider in the fuzz tests.
const fuzzBase = "/base"

func fuzzHost(provider string) string { return provider + ".fuzz.example.test" }

// fuzzUpstream checks each request the client sends and answers it.
type fuzzUpstream struct {
	tool *Tool

	mu       sync.Mutex
	sent     int // requests other than PDC logins
	problems []string
}

func (u *fuzzUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	answer := func(s string) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(s)), Request: r}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if r.URL.Path == fuzzBase+"/api/public/v1/auth" && u.tool.Provider == client.PDC {
		return answer(`{"data":{"accessToken":"fuzz-token-0123456789","expiresIn":3600}}`), nil
	}
	u.sent++
	problem := func(format string, a ...any) { u.problems = append(u.problems, fmt.Sprintf(format, a...)) }
	if r.URL.Scheme != "https" || r.URL.Host != fuzzHost(u.tool.Provider) {
		problem("request went to %s://%s, want https://%s", r.URL.Scheme, r.URL.Host, fuzzHost(u.tool.Provider))
	}
	if r.Method != u.tool.Method {
		problem("method got %s, want %s", r.Method, u.tool.Method)
	}
	escaped := r.URL.EscapedPath()
	if !strings.HasPrefix(escaped, fuzzBase+"/") {
		problem("path %q does not start with the base path %s", escaped, fuzzBase)
	}
	got, want := strings.Split(strings.TrimPrefix(escaped, fuzzBase), "/"), strings.Split(u.tool.Path, "/")
	if len(got) != len(want) {
		problem("path %q has %d segments, want %d as in %s", escaped, len(got), len(want), u.tool.Path)
	} else {
		for i, seg := range got {
			if seg == "." || seg == ".." {
				problem("path %q has a dot segment", escaped)
			}
			if !strings.Contains(want[i], "{") && seg != want[i] {
				problem("path %q segment %d got %q, want %q as in %s", escaped, i, seg, want[i], u.tool.Path)
			}
		}
	}
	if len(body) > 0 && !json.Valid(body) {
		problem("body %q is not JSON", body)
	}
	return answer(`{"id":1,"name":"fuzz","items":[{"id":1,"token":"t-0123456789"},{"id":2}],"next":null}`), nil
}

// fuzzTools are the generated tools, in name order.
func fuzzTools(t testing.TB) []*Tool {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// fuzzToolIndex is the index of a tool in fuzzTools, for seeds.
func fuzzToolIndex(t testing.TB, name string) uint8 {
	for i, tool := range fuzzTools(t) {
		if tool.Name == name {
			return uint8(i)
		}
	}
	t.Fatalf("no tool %s", name)
	return 0
}

func FuzzBindArguments(f *testing.F) {
	seeds := []struct {
		tool string
		args string
	}{
		{"datafold_get_data_source", `{"data_source_id":7}`},
		{"datafold_get_data_source", `{"data_source_id":".."}`},
		{"datafold_get_table_downstreams", `{"data_connection_id":1,"table_path":"db.\"my.schema\".t/../x","max_depth":3}`},
		{"lightdash_get_space", `{"projectUuid":"..","spaceUuid":"a/b?c#d"}`},
		{"pdc_get_data_source_by_id", `{"id":"%2e%2e/%00\r\nX-Injected: 1"}`},
		{"lightdash_compile_query", `{"projectUuid":"p","exploreId":"e","dimensions":[],"metrics":[],"filters":{},"sorts":[],"limit":1e308,"tableCalculations":[]}`},
		{"datafold_create_data_diff", `{"data_source1_id":1,"data_source2_id":2,"table1":["a","b"],"table2":[[{}]],"pk_columns":[null]}`},
		{"datafold_list_data_sources", `[]`},
		{"datafold_list_data_sources", `null`},
		{"lightdash_delete_space", `{"projectUuid":"p","spaceUuid":"s","confirm":true}`},
	}
	for _, s := range seeds {
		f.Add(fuzzToolIndex(f, s.tool), []byte(s.args))
	}
	all := fuzzTools(f)
	f.Fuzz(func(t *testing.T, index uint8, raw []byte) {
		var args any
		if json.Unmarshal(raw, &args) != nil {
			return // MCP arguments arrive as decoded JSON
		}
		tool := all[int(index)%len(all)]
		up := &fuzzUpstream{tool: tool}
		cfg := client.Config{Provider: tool.Provider, BaseURL: "https://" + fuzzHost(tool.Provider) + fuzzBase,
			Transport: up, MaxRetries: -1, Timeout: 5 * time.Second}
		if tool.Provider == client.PDC {
			cfg.Username, cfg.Password = "fuzz", "fuzz-password"
		} else {
			cfg.APIKey = "fuzz-api-key"
		}
		c, err := client.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		d := &Deps{Callers: map[string]Caller{tool.Provider: c}, Secrets: []string{"fuzz-api-key", "fuzz-password"},
			ConfigHint: map[string]string{tool.Provider: "FUZZ_KEY"}, MaxResultTokens: MinResultTokens}

		_, invalid := tool.validator.check(args)
		res := tool.Call(context.Background(), d, args)
		if res == nil {
			t.Fatalf("%s: got a nil result, want a result", tool.Name)
		}
		up.mu.Lock()
		defer up.mu.Unlock()
		for _, p := range up.problems {
			t.Errorf("%s with %s: %s", tool.Name, raw, p)
		}
		if invalid != "" && up.sent > 0 {
			t.Errorf("%s with %s: got %d requests sent, want none for invalid arguments (%s)", tool.Name, raw, up.sent, invalid)
		}
		text := Text(res)
		if res.IsError && !strings.Contains(text, tool.Name) {
			t.Errorf("%s with %s: got error %q, want it to name the tool", tool.Name, raw, text)
		}
		if !res.IsError && up.sent != 1 {
			t.Errorf("%s with %s: got success after %d requests, want exactly 1", tool.Name, raw, up.sent)
		}
		for _, secret := range []string{"fuzz-api-key", "fuzz-password", "fuzz-token-0123456789", "t-0123456789"} {
			if strings.Contains(text, secret) && !bytes.Contains(raw, []byte(secret)) {
				t.Errorf("%s with %s: got %q, want no credential (%s) in the result", tool.Name, raw, text, secret)
			}
		}
	})
}
