package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// truncatedKey is the top-level key of a cut answer (package budget).
const truncatedKey = "_truncated"

// cutResult checks the invariants of every result cut to a budget and
// returns its structured content and _truncated object: the text is one
// sentence, a newline and the structured content as JSON, and it fits
// the budget in real o200k tokens.
func cutResult(t *testing.T, res *Result, budget int) (map[string]any, map[string]any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("got isError, want success: %s", text(res))
	}
	m := structured(t, res)
	got := text(res)
	if n := CountTokens(got); n > budget {
		t.Errorf("text got %d tokens, want at most the budget %d", n, budget)
	}
	first, rest, ok := strings.Cut(got, "\n")
	if !ok || strings.HasPrefix(first, "{") || !strings.Contains(first, "cut to fit") {
		t.Errorf("first line got %q, want a sentence saying the answer was cut", first)
	}
	if !json.Valid([]byte(rest)) {
		t.Fatalf("text after the first line is not valid JSON: %s", rest)
	}
	if want := jsonOf(t, m); rest != want {
		t.Errorf("text JSON got %s, want the structured content %s", rest, want)
	}
	tr, ok := m[truncatedKey].(map[string]any)
	if !ok {
		t.Fatalf("structured content has no %s object: %s", truncatedKey, rest)
	}
	for _, k := range []string{"reason", "next"} {
		if s, _ := tr[k].(string); s == "" {
			t.Errorf("%s.%s got %v, want a sentence", truncatedKey, k, tr[k])
		}
	}
	return m, tr
}

// number reads a JSON number from decoded content.
func jsonInt(t *testing.T, v any) int {
	t.Helper()
	switch x := v.(type) {
	case int:
		return x
	case float64:
		return int(x)
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			t.Fatalf("got %v, want an integer", v)
		}
		return int(n)
	}
	t.Fatalf("got %T %v, want a number", v, v)
	return 0
}

func sampleItems(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{
			"id": i + 1, "name": fmt.Sprintf("fct_orders_check_%d", i+1), "status": "done",
			"uuid":        fmt.Sprintf("3f1c2a9e-5b7d-4e8f-9a0b-%012d", i+1),
			"description": "Compares prod and dev fct_orders on order_id after the nightly dbt run.",
		}
	}
	return out
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBudgetLongList cuts a 2000-item list: the first items are kept
// whole and in order, the totals are the real ones, the upstream's own
// count and next link survive, and the hint names the tool's paging
// arguments with the right values.
func TestBudgetLongList(t *testing.T) {
	const n, budget = 2000, 3000
	list := sampleItems(n)
	cases := []struct {
		name, tool, provider, method, path string
		args                               map[string]any
		answer                             any
		listPath                           string
		keep                               []string // top-level fields that must survive
		wantNext                           func(k int) []string
	}{
		{"limit and offset", "datafold_list_ci_runs", "datafold", "GET", "/api/v1/ci/1/runs",
			map[string]any{"ci_config_id": 1, "offset": 40, "limit": n}, list, "items", nil,
			func(k int) []string {
				return []string{fmt.Sprintf("offset=%d and limit=%d", 40+k, k), `"items.#.id","items.#.name"`}
			}},
		{"page and page_size", "datafold_list_data_diffs", "datafold", "GET", "/api/v1/datadiffs",
			map[string]any{"page_size": n}, map[string]any{"count": n, "page": 1, "page_size": n, "total_pages": 1, "results": list}, "results",
			[]string{"count", "page", "page_size", "total_pages"},
			func(k int) []string { return []string{fmt.Sprintf("page_size=%d and page=2", k), "results.#.id"} }},
		{"count and next link", "posthog_list_external_data_sources", "posthog", "GET", "/api/projects/7/external_data_sources/",
			map[string]any{"project_id": "7", "limit": n}, map[string]any{"count": 4000, "next": "https://us.posthog.com/api/projects/7/external_data_sources/?limit=2000&offset=2000", "previous": nil, "results": list}, "results",
			[]string{"count", "next", "previous"},
			func(k int) []string { return []string{fmt.Sprintf("offset=%d and limit=%d", k, k)} }},
		{"skip and limit in a POST", "pdc_filter_data_sources", "pdc", "POST", "/api/public/v1/data-sources/filter",
			map[string]any{"resourceNames": []any{"*"}, "skip": 100, "limit": n}, map[string]any{"status": 200, "data": list}, "data", []string{"status"},
			func(k int) []string { return []string{fmt.Sprintf("skip=%d and limit=%d", 100+k, k)} }},
		{"fields only", "datafold_list_data_sources", "datafold", "GET", "/api/v1/data_sources",
			map[string]any{}, list, "items", nil,
			func(int) []string {
				return []string{`pass fields with only the gjson paths you need, e.g. ["items.#.id","items.#.name"]`}
			}},
		{"no paging and no fields", "datafold_list_bi_integrations", "datafold", "GET", "/api/v1/lineage/bi/",
			map[string]any{}, list, "items", nil,
			func(int) []string { return []string{"narrow the request"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, tc.tool)
			f := newFake(t)
			if tc.provider == "pdc" {
				f.Register("POST", "/api/public/v1/auth", 200, `{"message":"OK","data":{"accessToken":"opaque-token","expiresIn":600}}`)
			}
			f.Register(tc.method, tc.path, 200, jsonBody(t, tc.answer))
			d := depsWith(t, tc.provider, f)
			d.MaxResultTokens = budget
			res := tool.Call(context.Background(), d, tc.args)
			m, tr := cutResult(t, res, budget)

			kept, _ := m[tc.listPath].([]any)
			k := len(kept)
			if k == 0 || k >= n {
				t.Fatalf("%s got %d items, want some but fewer than %d", tc.listPath, k, n)
			}
			for i, it := range kept {
				if got := jsonInt(t, it.(map[string]any)["id"]); got != i+1 {
					t.Fatalf("%s[%d].id got %d, want %d (the first items, whole, in order)", tc.listPath, i, got, i+1)
				}
				if got := len(it.(map[string]any)); got != 5 {
					t.Fatalf("%s[%d] got %d fields, want all 5", tc.listPath, i, got)
				}
			}
			if got := jsonInt(t, tr["kept"].(map[string]any)[tc.listPath]); got != k {
				t.Errorf("kept.%s got %d, want %d (the items shown)", tc.listPath, got, k)
			}
			if got := jsonInt(t, tr["total"].(map[string]any)[tc.listPath]); got != n {
				t.Errorf("total.%s got %d, want the real %d", tc.listPath, got, n)
			}
			if answer, ok := tc.answer.(map[string]any); ok {
				for _, key := range tc.keep {
					if got, want := jsonOf(t, m[key]), jsonOf(t, answer[key]); got != want {
						t.Errorf("%s got %s, want the upstream's %s", key, got, want)
					}
				}
			}
			next := tr["next"].(string)
			for _, w := range tc.wantNext(k) {
				if !strings.Contains(next, w) {
					t.Errorf("next got %q, want it to contain %q", next, w)
				}
			}
			if first, _, _ := strings.Cut(text(res), "\n"); !strings.Contains(first, fmt.Sprintf("first %d of %d", k, n)) {
				t.Errorf("first line got %q, want it to say first %d of %d", first, k, n)
			}
		})
	}
}

// TestBudgetShapes cuts answers that are not one long list.
func TestBudgetShapes(t *testing.T) {
	const budget = 2000
	huge := strings.Repeat("select order_id, amount from analytics.marts.fct_orders where status = 'completed' union all\n", 2500)
	manyFields := map[string]any{"id": 7, "name": "prod"}
	for i := range 60 {
		manyFields[fmt.Sprintf("section_%02d", i)] = map[string]any{"notes": strings.Repeat(fmt.Sprintf("note %d about the warehouse. ", i), 40), "size": i}
	}
	longKeys := map[string]any{}
	for i := range 40 {
		longKeys[strings.Repeat(fmt.Sprintf("very_long_key_name_%d_", i), 12)] = strings.Repeat("x y ", 400)
	}
	cases := []struct {
		name   string
		budget int // 0: budget
		answer map[string]any
		check  func(t *testing.T, m, tr map[string]any)
	}{
		{"huge string", 0, map[string]any{"id": 7, "name": "prod", "sql": huge}, func(t *testing.T, m, tr map[string]any) {
			s, _ := m["sql"].(string)
			if !strings.HasPrefix(huge, strings.SplitN(s, " …[cut:", 2)[0]) || !strings.Contains(s, "…[cut:") {
				t.Errorf("sql got %.80q…, want the beginning of the string and a cut marker", s)
			}
			if got := jsonInt(t, tr["shortened_strings"].(map[string]any)["sql"]); got != len(huge) {
				t.Errorf("shortened_strings.sql got %d, want the real length %d", got, len(huge))
			}
			if got := jsonOf(t, m["id"]) + jsonOf(t, m["name"]); got != `7"prod"` {
				t.Errorf("small fields got %s, want them kept", got)
			}
		}},
		{"many large fields", 0, manyFields, func(t *testing.T, m, tr map[string]any) {
			for k, v := range m {
				if k == truncatedKey {
					continue
				}
				if got, want := jsonKindOf(v), jsonKindOf(manyFields[k]); got != want {
					t.Errorf("%s got %s, want %s as upstream (output schemas hold)", k, got, want)
				}
			}
			if m["id"] == nil || m["name"] == nil {
				t.Errorf("got id %v, name %v, want the small fields kept", m["id"], m["name"])
			}
			omitted, _ := tr["omitted_fields"].([]any)
			cutSomehow := len(omitted) > 0 || tr["shortened_strings"] != nil
			if !cutSomehow {
				t.Errorf("_truncated got %v, want omitted_fields or shortened_strings", tr)
			}
			if tk, ok := tr["total"].(map[string]any); ok && tk["@this"] != nil {
				if got := jsonInt(t, tk["@this"]); got != 62 {
					t.Errorf("total.@this got %d, want the real 62 fields", got)
				}
			}
		}},
		{"deep nesting", 0, map[string]any{"tree": nestedTree(12)}, func(t *testing.T, m, tr map[string]any) {
			if _, ok := m["tree"].(map[string]any); !ok {
				t.Errorf("tree got %T, want an object still", m["tree"])
			}
		}},
		{"long keys at the smallest budget", MinResultTokens, longKeys, func(t *testing.T, m, tr map[string]any) {
			listed, _ := tr["omitted_fields"].([]any)
			more := 0
			if tr["omitted_fields_more"] != nil {
				more = jsonInt(t, tr["omitted_fields_more"])
			}
			if got, want := len(listed)+more+len(m)-1, 40; got != want {
				t.Errorf("fields shown plus omitted got %d, want the real %d", got, want)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tool := toolNamed(t, "datafold_get_data_source")
			f := newFake(t)
			f.Register("GET", "/api/v1/data_sources/7", 200, jsonBody(t, tc.answer))
			d := depsWith(t, "datafold", f)
			b := cmp.Or(tc.budget, budget)
			d.MaxResultTokens = b
			res := tool.Call(context.Background(), d, map[string]any{"data_source_id": 7})
			m, tr := cutResult(t, res, b)
			tc.check(t, m, tr)
		})
	}
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64, int:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func nestedTree(depth int) any {
	if depth == 0 {
		return strings.Repeat("leaf value ", 60)
	}
	return map[string]any{"left": nestedTree(depth - 1), "right": nestedTree(depth - 1), "depth": depth}
}

// TestBudgetUnderBudget leaves small answers alone: no _truncated, the
// text is the JSON itself.
func TestBudgetUnderBudget(t *testing.T) {
	tool := toolNamed(t, "datafold_list_data_sources")
	cases := []struct {
		name   string
		budget int
		n      int
	}{
		{"default budget", 0, 200},
		{"small budget, small answer", MinResultTokens, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.Register("GET", "/api/v1/data_sources", 200, jsonBody(t, sampleItems(tc.n)))
			d := depsWith(t, "datafold", f)
			d.MaxResultTokens = tc.budget
			res := tool.Call(context.Background(), d, nil)
			m := structured(t, res)
			if _, cut := m[truncatedKey]; cut {
				t.Errorf("got %s, want no cut", truncatedKey)
			}
			if got := len(m["items"].([]any)); got != tc.n {
				t.Errorf("items got %d, want %d", got, tc.n)
			}
			if got, want := text(res), jsonOf(t, m); got != want {
				t.Errorf("text got %.100s, want the JSON %.100s", got, want)
			}
		})
	}
}

// TestBudgetDefault cuts a 2000-item answer at the default budget.
func TestBudgetDefault(t *testing.T) {
	tool := toolNamed(t, "datafold_list_data_sources")
	f := newFake(t)
	f.Register("GET", "/api/v1/data_sources", 200, jsonBody(t, sampleItems(2000)))
	res := tool.Call(context.Background(), depsWith(t, "datafold", f), nil)
	m, _ := cutResult(t, res, DefaultMaxResultTokens)
	if got := len(m["items"].([]any)); got < 100 {
		t.Errorf("items got %d, want the budget used (well over 100 of these items fit)", got)
	}
}

// TestBudgetProjectionShrinks: a projection takes a cut answer under the
// budget, with every item still there.
func TestBudgetProjectionShrinks(t *testing.T) {
	const budget = 3000
	tool := toolNamed(t, "datafold_list_data_sources")
	f := newFake(t)
	f.Register("GET", "/api/v1/data_sources", 200, jsonBody(t, sampleItems(300)))
	d := depsWith(t, "datafold", f)
	d.MaxResultTokens = budget
	res := tool.Call(context.Background(), d, map[string]any{"fields": []any{"items.#.id"}})
	m := structured(t, res)
	if _, cut := m[truncatedKey]; cut {
		t.Fatalf("got %s, want the projection to fit: %.300s", truncatedKey, text(res))
	}
	if got := len(m["items"].([]any)); got != 300 {
		t.Errorf("items got %d, want all 300", got)
	}
	if n := CountTokens(text(res)); n > budget {
		t.Errorf("text got %d tokens, want at most %d", n, budget)
	}
}

// TestOutputSchemasAllowTruncated: a cut answer adds _truncated and may
// leave out fields, so no output schema may forbid extra properties or
// require any.
func TestOutputSchemasAllowTruncated(t *testing.T) {
	for _, tool := range mustAll(t) {
		if len(tool.OutputSchema) == 0 {
			continue
		}
		var s map[string]any
		if err := json.Unmarshal(tool.OutputSchema, &s); err != nil {
			t.Fatalf("%s: %v", tool.Name, err)
		}
		if ap, ok := s["additionalProperties"]; ok && ap != true {
			t.Errorf("%s: additionalProperties got %v, want absent (a cut adds %s)", tool.Name, ap, truncatedKey)
		}
		if req, ok := s["required"]; ok {
			t.Errorf("%s: required got %v, want absent (a cut may leave fields out)", tool.Name, req)
		}
	}
}
