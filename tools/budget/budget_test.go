package budget

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func jsonBytes(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func noPager() *Pager { return &Pager{} }

// decodedSize is the size the budget gives a decoded value: the reference
// the sizes read from JSON text must equal.
func decodedSize(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 2
		for k, kid := range x {
			n += decodedSize(kid) + keyTokens(k)
		}
		return n
	case []any:
		n := 2
		for _, kid := range x {
			n += decodedSize(kid) + 1
		}
		return n
	case string:
		return stringTokens(x)
	case json.Number:
		return EstimateTokens(x.String())
	default: // nil, bool
		return 1
	}
}

// TestSizesFromText: a value sized on its JSON text has the size of its
// decoded value, whatever the spacing and escapes.
func TestSizesFromText(t *testing.T) {
	for _, tc := range []struct{ name, json string }{
		{"list of records", string(jsonBytes(t, sampleItems(20)))},
		{"spaced", "{ \"a\" : [ 1 , 2.5e3 , -3 ] ,\n\t\"b\" : { \"c\" : null , \"d\" : true , \"e\" : false } }"},
		{"escapes", `{"s":"caf\u00e9 \"quoted\" back\\slash \n\t\u0001 \/","k\u00e9y":"\ud83d\ude00 and a lone \ud83d."}`},
		{"html escaped by Go", string(jsonBytes(t, map[string]any{"h": "<b>&</b>"}))},
		{"non-ASCII", `{"de":"Überprüfung","ja":"日本語のテキスト"}`},
		{"empty containers", `{"a":{},"b":[],"c":""}`},
		{"nested lists", `[[1,[2,[3,[]]]],{"x":[{"y":[]}]}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, json.Valid([]byte(tc.json)), "the case is not valid JSON")
			var v any
			dec := json.NewDecoder(strings.NewReader(tc.json))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&v))
			n := newNode(tc.json)
			assert.Equal(t, decodedSize(v), n.tok, "size from the text got %d, want the decoded value's %d", n.tok, decodedSize(v))
			assert.Equal(t, v, n.value(), "decoded value")
		})
	}
}

// TestMembers: an object's members are its keys sorted, the last of a
// repeated key winning; a list's are read as far as asked.
func TestMembers(t *testing.T) {
	obj := newNode(`{"b":1, "a":{"x":2}, "b":"last", "c\u00e9":[]}`)
	assert.Equal(t, []string{"a", "b", "cé"}, obj.open().keys)
	assert.Equal(t, "last", obj.kid(1).value())
	assert.Equal(t, 3, obj.count())

	list := newNode(`[ {"id":1} , 2 , "three" , [4] ]`)
	assert.Equal(t, 4, list.count())
	assert.Empty(t, list.open().kids, "no element is read before one is asked for")
	assert.Equal(t, "three", list.kid(2).value())
	assert.Len(t, list.open().kids, 3, "elements read got %d, want up to the one asked for", len(list.open().kids))
	assert.Equal(t, `[4]`, list.kid(3).raw)
}

// TestPassOn: an answer comfortably inside the budget comes back as it
// came, compacted (wrapped when a list or scalar); the same answer fitted
// the decoding way is the same JSON value.
func TestPassOn(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  Doc
		want string
	}{
		{"object", Doc{JSON: []byte("{\n  \"z\": 1,\n  \"a\": \"caf\\u00e9 <b>\"\n}")}, `{"z":1,"a":"caf\u00e9 <b>"}`},
		{"list", Doc{JSON: []byte(`[{"id":1}, {"id":2}]`), Wrap: "items"}, `{"items":[{"id":1},{"id":2}]}`},
		{"scalar", Doc{JSON: []byte(`"done"`), Wrap: "result"}, `{"result":"done"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Fit(tc.doc, Options{Budget: Default, Pager: noPager})
			require.NoError(t, err)
			raw, ok := f.Value.(json.RawMessage)
			require.True(t, ok, "value got %T, want json.RawMessage", f.Value)
			assert.Equal(t, tc.want, string(raw))
			assert.Equal(t, tc.want, f.Text)
			assert.False(t, f.Truncated)

			// With a lead the answer is decoded: the same value.
			g, err := Fit(tc.doc, Options{Budget: Default, Lead: "A lead.", Pager: noPager})
			require.NoError(t, err)
			var got, want any
			require.NoError(t, json.Unmarshal(raw, &want))
			require.NoError(t, json.Unmarshal(jsonBytes(t, g.Value), &got))
			assert.Equal(t, want, got)
			assert.True(t, strings.HasPrefix(g.Text, "A lead.\n{"), "text got %.60q, want the lead, a newline and the JSON", g.Text)
		})
	}
}

// TestFitCuts: an answer over the budget is cut within it, the first items
// whole and in order, with _truncated saying what was cut.
func TestFitCuts(t *testing.T) {
	const budget = 2000
	doc := Doc{JSON: jsonBytes(t, sampleItems(500)), Wrap: "items"}
	f, err := Fit(doc, Options{Budget: budget, Pager: func() *Pager {
		return NewPager(map[string]map[string]any{"offset": {}, "limit": {}}, "fields")
	}, Args: map[string]any{"offset": 10}})
	require.NoError(t, err)
	require.True(t, f.Truncated)
	assert.LessOrEqual(t, exactTokens(f.Text), budget, "text tokens")
	m := f.Value.(map[string]any)
	items := m["items"].([]any)
	require.NotEmpty(t, items)
	for i, it := range items {
		assert.Equal(t, json.Number(fmt.Sprint(i+1)), it.(map[string]any)["id"], "items[%d].id", i)
	}
	tr := m[truncatedKey].(map[string]any)
	assert.Equal(t, map[string]any{"items": 500}, tr["total"])
	assert.Contains(t, tr["next"], fmt.Sprintf("offset=%d and limit=%d", 10+len(items), len(items)))
	first, rest, _ := strings.Cut(f.Text, "\n")
	assert.Contains(t, first, fmt.Sprintf("first %d of 500 entries", len(items)))
	text, err := EncodeJSON(f.Value)
	require.NoError(t, err)
	assert.Equal(t, text, rest, "the text's JSON is the structured content")
}

// TestShortenString: a long string keeps its first characters (never a
// split character) and says how many it cut.
func TestShortenString(t *testing.T) {
	long := strings.Repeat("Überprüfung 日本 ", 20000)
	doc := Doc{JSON: jsonBytes(t, map[string]any{"id": 7, "log": long})}
	f, err := Fit(doc, Options{Budget: 1000, Pager: noPager})
	require.NoError(t, err)
	m := f.Value.(map[string]any)
	got := m["log"].(string)
	assert.True(t, utf8.ValidString(got), "the cut string is valid UTF-8")
	prefix, marker, ok := strings.Cut(got, " …[cut: ")
	require.True(t, ok, "got %.80q…, want the cut marker", got)
	assert.True(t, strings.HasPrefix(long, prefix), "kept text is the string's beginning")
	total := utf8.RuneCountInString(long)
	assert.Equal(t, fmt.Sprintf("%d of %d characters not shown]", total-utf8.RuneCountInString(prefix), total), marker)
	assert.Equal(t, json.Number("7"), m["id"])
}

// TestDeterministic: the same answer is cut the same way.
func TestDeterministic(t *testing.T) {
	answer := map[string]any{"count": 2000, "results": sampleItems(2000), "meta": map[string]any{"a": strings.Repeat("x ", 3000), "b": sampleItems(50)}}
	doc := Doc{JSON: jsonBytes(t, answer)}
	var first string
	for i := range 3 {
		f, err := Fit(doc, Options{Budget: 1500, Pager: noPager})
		require.NoError(t, err)
		if i == 0 {
			first = f.Text
		} else {
			require.Equal(t, first, f.Text, "run %d cut differently", i)
		}
	}
}

// TestFitBigAnswerMemory: fitting an answer far over the budget allocates
// a fraction of its size: it is never decoded whole, and only the first
// elements of its list are read.
func TestFitBigAnswerMemory(t *testing.T) {
	doc := Doc{JSON: jsonBytes(t, sampleItems(40000)), Wrap: "items"} // about 7 MB
	// Estimates only: the exact count of each attempt's 100 kB text makes
	// short-lived garbage of its own, whatever the answer's size.
	exact := exactTokens
	exactTokens = nil
	defer func() { exactTokens = exact }()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := Fit(doc, Options{Budget: Default, Pager: noPager})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)
	require.True(t, f.Truncated)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(len(doc.JSON)/2), "fitting a %d-byte answer allocated %d bytes, want under half its size", len(doc.JSON), allocated)
}

// TestPageHint: page-numbered tools are told which page holds what comes
// next, when pages of the kept size line up.
func TestPageHint(t *testing.T) {
	p := NewPager(map[string]map[string]any{"page": {"default": 1.0}, "page_size": {"default": 100.0}}, "fields")
	cases := []struct {
		name string
		args map[string]any
		kept int
		want string
	}{
		{"first page", map[string]any{}, 30, "call again with page_size=30 and page=2"},
		{"aligned later page", map[string]any{"page": 3, "page_size": 100}, 50, "call again with page_size=50 and page=6"},
		{"unaligned later page", map[string]any{"page": 2, "page_size": 100}, 30, "call again with page_size of at most 30"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := p.next(tc.args, &cut{path: "results", array: true, kept: tc.kept, total: 100}, nil, nil, false, false)
			assert.True(t, strings.HasPrefix(got, tc.want), "got %q, want it to start with %q", got, tc.want)
		})
	}
}

// TestEstimateTokens keeps the estimator on the safe side of the real
// o200k count for the kinds of text answers hold.
func TestEstimateTokens(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	cases := []struct{ name, s string }{
		{"json list", string(jsonBytes(t, sampleItems(50)))},
		{"uuids", string(jsonBytes(t, []string{"3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "9c8b7a6f-5e4d-4c3b-8a29-1807f6e5d401"}))},
		{"sql", `SELECT order_id, customer_id, SUM(amount) AS total FROM analytics.marts.fct_orders WHERE status = 'completed' GROUP BY 1, 2`},
		{"prose", string(readme)},
		{"non-ASCII", "Überprüfung der Bestellungen – 日本語のテキストです。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			est, real := EstimateTokens(tc.s), exactTokens(tc.s)
			assert.GreaterOrEqual(t, est, real, "estimate got %d, want at least the real count", est)
			assert.LessOrEqual(t, est, real*5/2, "estimate got %d, want at most 2.5 times the real %d", est, real)
		})
	}
}

// keysOf is m's keys, sorted.
func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFitObjectShares: a record over the budget keeps its small fields
// whole and the paging fields, and says which large ones it cut.
func TestFitObjectShares(t *testing.T) {
	answer := map[string]any{"count": 3000, "next": "https://example.com/?page=2", "id": 1, "results": sampleItems(3000), "log": strings.Repeat("line ", 20000)}
	f, err := Fit(Doc{JSON: jsonBytes(t, answer)}, Options{Budget: 3000, Pager: noPager})
	require.NoError(t, err)
	m := f.Value.(map[string]any)
	assert.Equal(t, []string{"_truncated", "count", "id", "log", "next", "results"}, keysOf(m))
	assert.Equal(t, json.Number("3000"), m["count"])
	tr := m[truncatedKey].(map[string]any)
	assert.Contains(t, tr, "shortened_strings")
	assert.Equal(t, map[string]any{"log": utf8.RuneCountInString(answer["log"].(string))}, tr["shortened_strings"])
}
