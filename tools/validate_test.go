package tools

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegerArgumentsExact: an integer argument never addresses another
// object than the one written. Whole numbers within ±(2^53-1) are sent in
// plain digits (1.0 and 1e2 included); anything else is refused before a
// request is made, whether the arguments arrive decoded (float64, as mcp-go
// gives them) or as JSON text (json.Number).
func TestIntegerArgumentsExact(t *testing.T) {
	cases := []struct {
		name     string
		args     any
		wantPath string // the request sent; "" for a refusal
		wantErr  []string
		notInErr string
	}{
		{name: "2^53+1 decoded", args: map[string]any{"data_source_id": float64(9007199254740993)},
			wantErr: []string{`argument "data_source_id"`, "too large to be carried exactly"}, notInErr: "9007199254740992"},
		{name: "2^53+1 as text", args: json.RawMessage(`{"data_source_id": 9007199254740993}`),
			wantErr: []string{`argument "data_source_id"`, "9007199254740993 is too large"}, notInErr: "9007199254740992"},
		{name: "1e23 decoded", args: map[string]any{"data_source_id": 1e23}, wantErr: []string{"too large to be carried exactly"}},
		{name: "1e23 as text", args: json.RawMessage(`{"data_source_id": 1e23}`), wantErr: []string{"1e23 is too large"}},
		{name: "huge exponent", args: json.RawMessage(`{"data_source_id": 1e999999999}`), wantErr: []string{"out of range"}},
		{name: "tiny exponent", args: json.RawMessage(`{"data_source_id": 1e-999999999}`), wantErr: []string{"out of range"}},
		{name: "a fraction", args: json.RawMessage(`{"data_source_id": 1.5}`), wantErr: []string{`argument "data_source_id"`}},
		{name: "largest exact integer", args: json.RawMessage(`{"data_source_id": 9007199254740991}`), wantPath: "/api/v1/data_sources/9007199254740991"},
		{name: "1.0 is 1", args: json.RawMessage(`{"data_source_id": 1.0}`), wantPath: "/api/v1/data_sources/1"},
		{name: "1e2 is 100", args: json.RawMessage(`{"data_source_id": 1e2}`), wantPath: "/api/v1/data_sources/100"},
		{name: "decoded 1.0 is 1", args: map[string]any{"data_source_id": 1.0}, wantPath: "/api/v1/data_sources/1"},
		{name: "Go int", args: map[string]any{"data_source_id": 7}, wantPath: "/api/v1/data_sources/7"},
		{name: "not JSON", args: json.RawMessage(`{"data_source_id": 1`), wantErr: []string{"not valid JSON"}},
		{name: "two values", args: json.RawMessage(`{"data_source_id": 1} {}`), wantErr: []string{"not one JSON value"}},
	}
	tool := toolNamed(t, "datafold_get_data_source")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t) // a request without a stub fails the test
			if tc.wantPath != "" {
				f.Register("GET", tc.wantPath, 200, `{"id":1,"name":"prod"}`)
			}
			res := tool.Call(context.Background(), depsWith(t, tool.Provider, f), tc.args)
			if tc.wantPath != "" {
				assert.False(t, res.IsError, "got error %q, want a request to %s", text(res), tc.wantPath)
				return
			}
			require.True(t, res.IsError, "got success %q, want a refusal", text(res))
			for _, w := range tc.wantErr {
				assert.Contains(t, text(res), w)
			}
			if tc.notInErr != "" {
				assert.NotContains(t, text(res), tc.notInErr, "the error quotes a rounded value")
			}
		})
	}
}

// TestIntegerBodyExact: integers in a request body are sent in plain
// digits, and a rounded one is refused, at any depth the schema types.
func TestIntegerBodyExact(t *testing.T) {
	tool := toolNamed(t, "datafold_create_data_diff")
	f := newFake(t)
	s := f.Register("POST", "/api/v1/datadiffs", 200, `{"id":1}`)
	d := depsWith(t, tool.Provider, f)
	res := tool.Call(context.Background(), d, json.RawMessage(`{"data_source1_id": 1.0, "data_source2_id": 2e0, "table1": ["a","b"], "table2": ["a","c"], "pk_columns": ["id"]}`))
	require.False(t, res.IsError, "got error %q", text(res))
	var body map[string]any
	require.NoError(t, json.Unmarshal(seenBody(s), &body))
	assert.Equal(t, float64(1), body["data_source1_id"], "body %s", seenBody(s))
	assert.Contains(t, string(seenBody(s)), `"data_source1_id":1,`, "plain digits in the body")
	assert.Contains(t, string(seenBody(s)), `"data_source2_id":2,`, "plain digits in the body")

	res = tool.Call(context.Background(), d, map[string]any{"data_source1_id": float64(1 << 60), "data_source2_id": 2,
		"table1": []any{"a", "b"}, "table2": []any{"a", "c"}, "pk_columns": []any{"id"}})
	require.True(t, res.IsError, "got success %q, want a refusal", text(res))
	assert.Contains(t, text(res), `argument "data_source1_id"`)
}

// TestParseExactInt reads number literals exactly.
func TestParseExactInt(t *testing.T) {
	cases := []struct {
		lit       string
		n         int64
		whole, ok bool
	}{
		{"0", 0, true, true}, {"-0", 0, true, true}, {"0.000", 0, true, true}, {"0e-999", 0, true, true},
		{"1", 1, true, true}, {"1.0", 1, true, true}, {"1.50e1", 15, true, true}, {"-12e2", -1200, true, true},
		{"9007199254740991", 9007199254740991, true, true}, {"-9007199254740991", -9007199254740991, true, true},
		{"9007199254740992", 0, true, false}, {"9007199254740993", 0, true, false}, {"1e16", 0, true, false},
		{"1e23", 0, true, false}, {"1E23", 0, true, false}, {"1e401", 0, true, false},
		{"1.5", 0, false, false}, {"1e-1", 0, false, false}, {"0.1e1", 1, true, true}, {"123.456e2", 0, false, false},
	}
	for _, tc := range cases {
		n, whole, ok := parseExactInt(tc.lit)
		assert.Equal(t, tc.whole, whole, "%s: whole", tc.lit)
		assert.Equal(t, tc.ok, ok, "%s: ok", tc.lit)
		assert.Equal(t, tc.n, n, "%s: value", tc.lit)
	}
}

// TestNumbersAt: which schema locations take integers only.
func TestNumbersAt(t *testing.T) {
	cases := []struct {
		schema string
		want   numberKind
	}{
		{`{"type":"integer"}`, numbersInt},
		{`{"type":["integer","null"]}`, numbersInt},
		{`{"type":["integer","string","null"]}`, numbersInt},
		{`{"type":["integer","number"]}`, numbersAny},
		{`{"type":"number"}`, numbersAny},
		{`{"type":"string"}`, numbersNone},
		{`{}`, numbersAny},
		{`{"anyOf":[{"type":"integer"},{"type":"string"}]}`, numbersInt},
		{`{"anyOf":[{"type":"number"},{"type":"integer"}]}`, numbersAny},
		{`{"anyOf":[{"type":"string"},{}]}`, numbersAny},
		{`{"allOf":[{"type":"number"},{"type":"integer"}]}`, numbersInt},
		{`{"type":"number","oneOf":[{"type":"integer"},{"type":"string"}]}`, numbersInt},
	}
	for _, tc := range cases {
		var s map[string]any
		require.NoError(t, json.Unmarshal([]byte(tc.schema), &s))
		assert.Equal(t, tc.want, numbersAt(s), "numbersAt(%s)", tc.schema)
	}
}

// TestErrorTextsClipped: an error never quotes back the whole of a long
// name or value the caller sent.
func TestErrorTextsClipped(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	many := map[string]any{}
	for i := range 1000 {
		many[strings.Repeat("k", 500)+string(rune('a'+i%26))+strings.Repeat("z", i)] = 1
	}
	disc, err := DiscoveryTools(mustAll(t))
	require.NoError(t, err)
	describe := Find(disc, "describe_tool")
	require.NotNil(t, describe)
	cases := []struct {
		name string
		tool *Tool
		args any
		want string
	}{
		{"unknown argument name", toolNamed(t, "datafold_get_data_source"), map[string]any{huge: 1, "data_source_id": 1}, "unknown argument"},
		{"a thousand unknown names", toolNamed(t, "datafold_get_data_source"), many, "and 995 more"},
		{"value quoted by a pattern error", toolNamed(t, "lightdash_get_organization_member_by_uuid"), map[string]any{"userUuid": huge}, `argument "userUuid"`},
		{"nested unknown key", toolNamed(t, "datafold_create_data_diff"), map[string]any{huge: map[string]any{huge: huge}}, "unknown argument"},
		{"unknown tool name", describe, map[string]any{"name": huge}, "There is no tool"},
		{"integer as long text", toolNamed(t, "datafold_get_data_source"), json.RawMessage(`{"data_source_id": 1` + strings.Repeat("0", 5000) + `}`), "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.tool.Call(context.Background(), &Deps{}, tc.args)
			require.True(t, res.IsError, "got success, want an error")
			assert.Contains(t, text(res), tc.want)
			assert.Less(t, len(text(res)), 4000, "error text of %d bytes: %.300s…", len(text(res)), text(res))
			assert.Contains(t, text(res), "…", "a cut is marked")
		})
	}
}

// TestErrorResultClipsOperands: %q operands are cut to maxEcho, any other
// text operand to maxErrorOperand, and the text to maxErrorText.
func TestErrorResultClipsOperands(t *testing.T) {
	huge := strings.Repeat("é", 1<<19)
	cases := []struct {
		name    string
		res     *Result
		maxLen  int
		wantCut bool
	}{
		{"quoted name", errorResult("no tool %q here", huge), maxEcho + 40, true},
		{"plain text operand", errorResult("failed: %s.", huge), maxErrorOperand + 40, true},
		{"error operand", errorResult("failed: %v.", errors.New(huge)), maxErrorOperand + 40, true},
		{"many operands", errorResult(strings.Repeat("%s ", 10), huge, huge, huge, huge, huge, huge, huge, huge, huge, huge), maxErrorText + 10, true},
		{"width from an operand", errorResult("%*d %q", 3, 7, huge), maxErrorOperand + 40, true},
		{"short texts untouched", errorResult("%q: %s %d%%", "a", "b", 5), 100, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.LessOrEqual(t, len(tc.res.Text), tc.maxLen, "length")
			assert.Equal(t, tc.wantCut, strings.Contains(tc.res.Text, "…"), "cut marked in %.100q", tc.res.Text)
			assert.True(t, strings.ToValidUTF8(tc.res.Text, "?") == tc.res.Text, "a cut splits a character")
		})
	}
	assert.Equal(t, `"a": b 5%`, errorResult("%q: %s %d%%", "a", "b", 5).Text)
	assert.Equal(t, []byte("qsd"), formatVerbs("%q: %-10s %+d %% done"))
	assert.Nil(t, formatVerbs("%[2]s %[1]q"))
}

// TestClip never splits a character and keeps short strings whole.
func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 3, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"é", 0, ""}, {"abc", -1, ""}} {
		assert.Equal(t, tc.want, Clip(tc.s, tc.n), "Clip(%q, %d)", tc.s, tc.n)
	}
}
