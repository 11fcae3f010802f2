package gen

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTypeBare(t *testing.T) {
	cases := []struct {
		name    string
		textual map[string]bool
		in      string
		want    string
	}{
		{"untyped query parameter takes scalars", map[string]bool{"poll": true},
			`{"properties":{"poll":{}},"type":"object"}`,
			`{"properties":{"poll":{"type":["string","number","boolean"]}},"type":"object"}`},
		{"untyped body field is an object", nil,
			`{"properties":{"job_inputs":{}},"type":"object"}`,
			`{"properties":{"job_inputs":{"type":"object"}},"type":"object"}`},
		{"described but untyped items", nil,
			`{"properties":{"explores":{"items":{"description":"Any."},"type":"array"}},"type":"object"}`,
			`{"properties":{"explores":{"items":{"description":"Any.","type":"object"},"type":"array"}},"type":"object"}`},
		{"nested properties and map values", nil,
			`{"properties":{"f":{"properties":{"metrics":{}},"additionalProperties":{}}},"type":"object"}`,
			`{"properties":{"f":{"additionalProperties":{"type":"object"},"properties":{"metrics":{"type":"object"}},"type":"object"}},"type":"object"}`},
		{"typed and union schemas stay", nil,
			`{"properties":{"a":{"type":"string"},"b":{"anyOf":[{"type":"string"},{}]},"c":{"enum":["x"]}},"type":"object"}`,
			`{"properties":{"a":{"type":"string"},"b":{"anyOf":[{"type":"string"},{"type":"object"}]},"c":{"enum":["x"]}},"type":"object"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.in), &s))
			typeBare(s, tc.textual)
			assert.Equal(t, tc.want, canonical(s), "typed schema")
		})
	}
}

// untypedPaths lists the subschemas of s that admit any value for want of
// a type (a bare {} or a schema with only a description).
func untypedPaths(path string, s map[string]any, out *[]string) {
	if untyped(s) {
		*out = append(*out, path)
	}
	for name, p := range asMap(s["properties"]) {
		if ps, ok := p.(map[string]any); ok {
			untypedPaths(path+"/properties/"+name, ps, out)
		}
	}
	for _, key := range []string{"items", "additionalProperties"} {
		if sub, ok := s[key].(map[string]any); ok {
			untypedPaths(path+"/"+key, sub, out)
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		list, _ := s[key].([]any)
		for i, b := range list {
			if bs, ok := b.(map[string]any); ok && !requiredOnly(bs) {
				untypedPaths(fmt.Sprintf("%s/%s/%d", path, key, i), bs, out)
			}
		}
	}
}

// requiredOnly reports an anyOf branch that only requires arguments
// (requireOne's): it constrains its parent rather than typing a value.
func requiredOnly(s map[string]any) bool {
	_, ok := s["required"]
	return ok && len(s) == 1
}

// TestNoUntypedSchemas: no generated input (compact or full) or output
// schema holds a bare {} or another schema without a type.
func TestNoUntypedSchemas(t *testing.T) {
	ops, err := Operations()
	require.NoError(t, err)
	for _, op := range ops {
		for kind, raw := range map[string]json.RawMessage{"input": op.InputSchema, "full input": op.FullInputSchema, "output": op.OutputSchema} {
			if len(raw) == 0 {
				continue
			}
			var s map[string]any
			require.NoError(t, json.Unmarshal(raw, &s), "%s %s schema", op.Name, kind)
			var bare []string
			untypedPaths("", s, &bare)
			assert.Empty(t, bare, "%s: untyped subschemas of the %s schema", op.Name, kind)
		}
	}
}

// TestRequireOne: a body that needs one of its fields, next to query
// arguments, makes the full schema require one of the body arguments, and
// only the full schema (a top-level anyOf in tools/list is refused by
// some clients).
func TestRequireOne(t *testing.T) {
	ops, err := Operations()
	require.NoError(t, err)
	var with []string
	for _, op := range ops {
		var full, compact map[string]any
		require.NoError(t, json.Unmarshal(op.InputSchema, &compact))
		assert.Nil(t, compact["anyOf"], "%s: the compact schema has a top-level anyOf", op.Name)
		if len(op.FullInputSchema) == 0 {
			continue
		}
		require.NoError(t, json.Unmarshal(op.FullInputSchema, &full))
		if full["anyOf"] != nil {
			with = append(with, op.Name)
			assert.Equal(t, `[{"required":["databaseTypes"]},{"required":["resourceNames"]}]`, canonical(full["anyOf"]), "%s: the arguments one of which is needed", op.Name)
		}
	}
	assert.Equal(t, []string{"pdc_filter_data_sources"}, with, "tools whose full schema requires one of their body arguments")
}
