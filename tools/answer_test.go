package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/redact"
)

// TestAnswerPassedOn: an answer comfortably inside the budget is passed on
// as it came (compacted, wrapped when a list), redacted on its bytes; one
// that is not is decoded (structured content is then an object, not raw
// JSON) or reported.
func TestAnswerPassedOn(t *testing.T) {
	long := `{"items":[` + strings.Repeat(`{"id":12345,"name":"orders_by_customer_and_month"},`, 400) + `{"id":1}]}`
	sh := &shaping{tool: "t", provider: "datafold", pager: func() *pager { return &pager{} }}
	for _, tc := range []struct {
		name    string
		body    string
		budget  int
		secrets []string
		want    string // the text; "" when the answer is not passed on as it came
	}{
		{"object, compacted", "{\n  \"id\": 1,\n  \"name\": \"orders\"\n}", 25000, nil, `{"id":1,"name":"orders"}`},
		{"array, wrapped as items", `[{"id":1},{"id":2}]`, 25000, nil, `{"items":[{"id":1},{"id":2}]}`},
		{"upstream key order kept", `{"z":1,"a":2}`, 25000, nil, `{"z":1,"a":2}`},
		{"escapes kept", `{"s":"caf\u00e9 <b>"}`, 25000, nil, `{"s":"caf\u00e9 <b>"}`},
		{"secret key at depth", `{"items":[{"conn":{"password":"hunter22","user":"u"}},{"api_key":"k\"1"}]}`, 25000, nil,
			`{"items":[{"conn":{"password":"[REDACTED]","user":"u"}},{"api_key":"[REDACTED]"}]}`},
		{"secret-looking key with an empty value", `{"password":""}`, 25000, nil, `{"password":""}`},
		{"secret-looking key with a flag", `{"has_password":true}`, 25000, nil, `{"has_password":true}`},
		{"configured secret in a value", `{"note":"key sk-abcdef"}`, 25000, []string{"sk-abcdef"}, `{"note":"key [REDACTED]"}`},
		{"configured secret escaped", `{"note":"key sk-\u0061bcdef"}`, 25000, []string{"sk-abcdef"}, `{"note":"key [REDACTED]"}`},
		{"a string, wrapped as result", `"done"`, 25000, nil, `{"result":"done"}`},
		{"near the budget", long, 2000, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Deps{MaxResultTokens: tc.budget}
			red := redact.New(tc.secrets)
			res := scrubResult(answer(d, sh, &client.Response{Status: 200, Body: []byte(tc.body)}, nil, nil, red), red) // as operationCaller does
			if res.IsError {
				t.Fatalf("got isError, want success: %s", text(res))
			}
			raw, passed := res.Structured.(json.RawMessage)
			if tc.want == "" {
				if passed {
					t.Fatalf("got the answer passed on (%.100s), want it decoded and cut", raw)
				}
				return
			}
			if !passed {
				t.Fatalf("structuredContent got %T, want the answer passed on as json.RawMessage", res.Structured)
			}
			if got := text(res); got != tc.want {
				t.Errorf("text got %s, want %s", got, tc.want)
			}
			if got := string(raw); got != tc.want {
				t.Errorf("structuredContent got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestAnswerNotJSON: bodies that are not one JSON object or list.
func TestAnswerNotJSON(t *testing.T) {
	sh := &shaping{tool: "t", provider: "datafold", pager: func() *pager { return &pager{} }}
	for _, tc := range []struct {
		name, body, contentType string
		wantError               bool
		wantText                string // a part of the text
	}{
		{"malformed JSON", `{"items":[{"id":1}`, "application/json", true, "malformed JSON"},
		{"malformed JSON sent as text", `{"items":[{"id":1}`, "text/plain", false, "non-JSON content"},
		{"text", "upstream says hello", "text/plain", false, "non-JSON content:\nupstream says hello"},
		{"long text, clipped", strings.Repeat("é", 5000), "text/plain", false, strings.Repeat("é", 2000) + "…"},
		{"empty", "", "", false, "with no content"},
		{"a value and more after it", `{"id":1} {"id":2}`, "application/json", false, `{"id":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := &client.Response{Status: 200, Body: []byte(tc.body), Header: map[string][]string{"Content-Type": {tc.contentType}}}
			res := answer(&Deps{}, sh, resp, nil, nil, redact.New(nil))
			if res.IsError != tc.wantError {
				t.Fatalf("isError got %v, want %v: %s", res.IsError, tc.wantError, text(res))
			}
			if !strings.Contains(text(res), tc.wantText) {
				t.Errorf("text got %.300q, want it to contain %.100q", text(res), tc.wantText)
			}
		})
	}
}
