package tools

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/client"
	"github.com/datastack-mcp/datastack-mcp/redact"
)

func TestAnswerRaw(t *testing.T) {
	long := `{"items":[` + strings.Repeat(`{"id":12345,"name":"orders_by_customer_and_month"},`, 400) + `{"id":1}]}`
	for _, tc := range []struct {
		name    string
		body    string
		budget  int
		secrets []string
		want    string // the text; "" when the full path must answer
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
		{"near the budget", long, 2000, nil, ""},
		{"malformed JSON", `{"items":[{"id":1}`, 25000, nil, ""},
		{"a string", `"done"`, 25000, nil, ""},
		{"empty", ``, 25000, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := answerRaw([]byte(tc.body), tc.budget, redact.New(tc.secrets))
			if tc.want == "" {
				if res != nil {
					t.Fatalf("got %s, want nil (the full path)", text(res))
				}
				return
			}
			if res == nil {
				t.Fatalf("got nil, want %s", tc.want)
			}
			if got := text(res); got != tc.want {
				t.Errorf("text got %s, want %s", got, tc.want)
			}
			if got := string(res.Structured.(json.RawMessage)); got != tc.want {
				t.Errorf("structuredContent got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestAnswerRawAgreesWithFullPath: where answerRaw answers, the full path
// (decode, redact, fit, encode) gives the same JSON value.
func TestAnswerRawAgreesWithFullPath(t *testing.T) {
	sh := &shaping{tool: "t", provider: "datafold", pager: func() *pager { return &pager{} }}
	for _, body := range []string{
		`{"id":1,"name":"orders","tags":["a","b"],"owner":{"id":7,"email":"x@example.com"},"n":1.50}`,
		`[{"id":1,"token_count":3},{"id":2,"secret_santa":false}]`,
		`{"description":"<b>bold</b> & more","unicode":"caf\u00e9"}`,
		`{"options":{"private_key":"-----BEGIN-----","user":"DATAFOLD","token":""},"items":[{"Password":"p"},{"client-secret":"s"}]}`,
	} {
		raw := answerRaw([]byte(body), DefaultMaxResultTokens, redact.New(nil))
		if raw == nil {
			t.Fatalf("%s: answerRaw got nil, want an answer", body)
		}
		full := answerFull(&Deps{}, sh, &client.Response{Status: 200, Body: []byte(body)}, nil, nil, DefaultMaxResultTokens, redact.New(nil))
		var got, want any
		if err := json.Unmarshal(raw.Structured.(json.RawMessage), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(jsonOf(t, full.Structured)), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answerRaw got %v, want the full path's %v", body, got, want)
		}
	}
}
