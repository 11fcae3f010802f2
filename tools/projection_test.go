package tools

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// decodeObject parses JSON the way answers are decoded (numbers kept).
func decodeObject(t *testing.T, s string) map[string]any {
	t.Helper()
	v, ok := decodeRaw(s).(map[string]any)
	if !ok {
		t.Fatalf("not a JSON object: %s", s)
	}
	return v
}

// jsonOf renders v as results do (no HTML escaping).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	s, err := EncodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProject(t *testing.T) {
	const answer = `{
		"count": 3,
		"next": null,
		"a.b": {"c": 1},
		"options": {"host": "db.example.com", "port": 5432, "tls": {"mode": "verify-full"}},
		"items": [
			{"id": 1, "name": "orders", "status": "ok", "columns": [{"name": "order_id", "type": "int"}, {"name": "amount", "type": "num"}]},
			{"id": 2, "status": "error", "columns": []},
			{"id": 3, "name": "payments", "status": "ok", "columns": [{"name": "payment_id", "type": "int"}]}
		],
		"empty": []
	}`
	cases := []struct {
		name        string
		paths       []string
		want        string
		wantMissing []string
	}{
		{"top-level key", []string{"count"}, `{"count":3}`, nil},
		{"null value is found", []string{"next"}, `{"next":null}`, nil},
		{"nested object", []string{"options.host", "options.tls.mode"},
			`{"options":{"host":"db.example.com","tls":{"mode":"verify-full"}}}`, nil},
		{"list keeps every item", []string{"items.#.id", "items.#.name"},
			`{"items":[{"id":1,"name":"orders"},{"id":2},{"id":3,"name":"payments"}]}`, nil},
		{"nested lists", []string{"items.#.columns.#.name"},
			`{"items":[{"columns":[{"name":"order_id"},{"name":"amount"}]},{"columns":[]},{"columns":[{"name":"payment_id"}]}]}`, nil},
		{"whole list and a part", []string{"empty", "items.#.status"},
			`{"empty":[],"items":[{"status":"ok"},{"status":"error"},{"status":"ok"}]}`, nil},
		{"path into an empty list", []string{"empty.#.name"}, `{"empty":[]}`, nil},
		{"escaped dot", []string{`a\.b.c`}, `{"a.b":{"c":1}}`, nil},
		{"query under its own path", []string{`items.#(status=="error")#.id`}, `{"items.#(status==\"error\")#.id":[2]}`, nil},
		{"count under its own path", []string{"items.#"}, `{"items.#":3}`, nil},
		{"index under its own path", []string{"items.0.name"}, `{"items.0.name":"orders"}`, nil},
		{"modifier", []string{"options.@keys"}, `{"options.@keys":["host","port","tls"]}`, nil},
		{"missing paths are reported", []string{"count", "nope", "items.#.nope", "options.tls.nope"},
			`{"_fields_not_found":["nope","items.#.nope","options.tls.nope"],"count":3}`, []string{"nope", "items.#.nope", "options.tls.nope"}},
		{"missing query", []string{`items.#(status=="gone")`}, `{"_fields_not_found":["items.#(status==\"gone\")"]}`, []string{`items.#(status=="gone")`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := decodeObject(t, answer)
			before := jsonOf(t, in)
			got, missing := project(in, tc.paths)
			if g := jsonOf(t, got); g != tc.want {
				t.Errorf("got %s, want %s", g, tc.want)
			}
			if !reflect.DeepEqual(missing, tc.wantMissing) {
				t.Errorf("missing got %q, want %q", missing, tc.wantMissing)
			}
			if after := jsonOf(t, in); after != before {
				t.Errorf("project modified its input: got %s, want %s", after, before)
			}
		})
	}
}

func TestFieldsArg(t *testing.T) {
	cases := []struct {
		name    string
		value   any
		want    []string
		wantErr []string // substrings of the error; nil for success
	}{
		{"absent", nil, nil, nil},
		{"paths", []any{"items.#.name", `items.#(status=="error")#.id`, `a\.b`, "results|@keys", "{id,name}"},
			[]string{"items.#.name", `items.#(status=="error")#.id`, `a\.b`, "results|@keys", "{id,name}"}, nil},
		{"not a list", "items.#.name", nil, []string{`argument "fields"`, "array"}},
		{"empty list", []any{}, nil, []string{`argument "fields"`, "empty"}},
		{"not a string", []any{"name", 3.0}, nil, []string{`argument "fields" at 1`, "string"}},
		{"empty path", []any{""}, nil, []string{`argument "fields"`, "empty"}},
		{"empty key", []any{"items..name"}, nil, []string{`"items..name" is not a valid gjson path`, "empty key"}},
		{"trailing dot", []any{"items."}, nil, []string{`"items."`, "separator"}},
		{"unclosed query", []any{"items.#(status"}, nil, []string{`"items.#(status"`, "unclosed"}},
		{"unbalanced", []any{"items)"}, nil, []string{`"items)"`, "unbalanced"}},
		{"unclosed quote", []any{`items.#(name=="x)`}, nil, []string{"unclosed quote"}},
		{"unknown modifier", []any{"items.@bogus"}, nil, []string{"unknown modifier @bogus"}},
		{"lone backslash", []any{`items\`}, nil, []string{"backslash"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := map[string]any{}
			if tc.value != nil {
				args["fields"] = tc.value
			}
			got, err := fieldsArg("fields", args)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %q, want %q", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %q and no error, want an error", got)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestProjectionThroughTool runs fields through a generated tool: the
// argument is applied to the answer and never sent upstream, a bad path
// fails before any request, and a missing path is named in the text.
func TestProjectionThroughTool(t *testing.T) {
	tool := toolNamed(t, "datafold_list_data_sources")
	if !strings.Contains(string(tool.InputSchema), `"fields"`) {
		t.Fatalf("input schema got %s, want a fields argument", tool.InputSchema)
	}
	const body = `[{"id":1,"name":"prod","type":"snowflake","options":{"password":"pw-canary"}},{"id":2,"name":"dev","type":"snowflake"}]`

	t.Run("applied, not sent", func(t *testing.T) {
		f := newFake(t)
		s := f.Register("GET", "/api/v1/data_sources", 200, body)
		res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"fields": []any{"items.#.id", "items.#.name"}})
		if res.IsError {
			t.Fatalf("got error %s", text(res))
		}
		if got, want := jsonOf(t, res.Structured), `{"items":[{"id":1,"name":"prod"},{"id":2,"name":"dev"}]}`; got != want {
			t.Errorf("structuredContent got %s, want %s", got, want)
		}
		if got, want := text(res), `{"items":[{"id":1,"name":"prod"},{"id":2,"name":"dev"}]}`; got != want {
			t.Errorf("text got %s, want %s", got, want)
		}
		if q := seenReq(s).URL.RawQuery; q != "" {
			t.Errorf("upstream query got %q, want none (fields is not sent)", q)
		}
	})

	t.Run("missing path named", func(t *testing.T) {
		f := newFake(t)
		f.Register("GET", "/api/v1/data_sources", 200, body)
		res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"fields": []any{"items.#.name", "items.#.hostname"}})
		if res.IsError {
			t.Fatalf("got error %s", text(res))
		}
		first, rest, _ := strings.Cut(text(res), "\n")
		if !strings.Contains(first, `"items.#.hostname"`) || !strings.Contains(first, "top-level keys are items") {
			t.Errorf("first line got %q, want it to name the missing path and the top-level keys", first)
		}
		if got, want := rest, jsonOf(t, res.Structured); got != want {
			t.Errorf("text JSON got %s, want the structured content %s", got, want)
		}
		m := structured(t, res)
		if got := jsonOf(t, m[notFoundKey]); got != `["items.#.hostname"]` {
			t.Errorf("%s got %s, want [\"items.#.hostname\"]", notFoundKey, got)
		}
	})

	t.Run("invalid path fails before the call", func(t *testing.T) {
		f := newFake(t) // no stubs: nothing may reach upstream
		res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"fields": []any{"items.#(name"}})
		if !res.IsError {
			t.Fatalf("got isError false, want true; text %q", text(res))
		}
		for _, w := range []string{"datafold_list_data_sources", `argument "fields"`, `"items.#(name"`} {
			if !strings.Contains(text(res), w) {
				t.Errorf("got %q, want it to contain %q", text(res), w)
			}
		}
	})

	t.Run("redacted before projection", func(t *testing.T) {
		f := newFake(t)
		f.Register("GET", "/api/v1/data_sources", 200, body)
		res := tool.Call(context.Background(), depsWith(t, "datafold", f), map[string]any{"fields": []any{"items.0.options"}})
		if strings.Contains(text(res), "pw-canary") {
			t.Errorf("got %s: a projected secret was not redacted", text(res))
		}
	})
}
