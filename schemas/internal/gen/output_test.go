package gen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	return m
}

// op makes an operation answering 200 with schema.
func op(schema string) string {
	return `{"responses": {"200": {"content": {"application/json": {"schema": ` + schema + `}}}}}`
}

func TestOutputSchema(t *testing.T) {
	doc := decode(t, `{"components": {"schemas": {
		"Member": {"type": "object", "required": ["email"], "properties": {
			"email": {"type": "string", "format": "email", "description": "Their email."},
			"role": {"type": "string", "enum": ["admin", "viewer"]},
			"secret": {"type": "string", "writeOnly": true},
			"extra": {}}},
		"Page": {"allOf": [
			{"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}}}},
			{"type": "object", "properties": {"pagination": {"type": "object", "nullable": true, "properties": {"page": {"type": "number"}}}}}]},
		"Tree": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Tree"}}}
	}}}`)
	for _, tc := range []struct{ name, op, want string }{
		{"object with an enum, a write-only field and an untyped one", op(`{"$ref": "#/components/schemas/Member"}`),
			`{"properties":{"email":{"description":"Their email.","type":"string"},"role":{"type":["string","null"]}},"type":"object"}`},
		{"allOf page of a nested list", op(`{"type": "object", "required": ["results"], "properties": {"results": {"$ref": "#/components/schemas/Page"}}}`),
			`{"properties":{"results":{"properties":{"data":{"items":{"properties":{"email":{"type":"string"},"role":{"type":["string","null"]}},"type":"object"},"type":"array"},"pagination":{"properties":{"page":{"type":["number","null"]}},"type":["object","null"]}},"type":"object"}},"type":"object"}`},
		{"top-level array", op(`{"type": "array", "items": {"type": "integer"}}`),
			`{"properties":{"items":{"items":{"type":"integer"},"type":"array"}},"type":"object"}`},
		{"string answer", op(`{"type": "string"}`), `{"properties":{"result":{"type":"string"}},"type":"object"}`},
		{"union of objects", op(`{"anyOf": [
			{"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}, "rows": {"type": "array"}}},
			{"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}, "error": {"type": "string", "nullable": true}}}]}`),
			`{"properties":{"error":{"type":["string","null"]},"rows":{"type":["array","null"]},"status":{"type":"string"}},"type":"object"}`},
		{"a union with an open object stays open", op(`{"type": "object", "required": ["r"], "properties": {"r": {"anyOf": [{"type": "object"}, {"type": "object", "properties": {"a": {"type": "string"}}}]}}}`),
			`{"properties":{"r":{"type":"object"}},"type":"object"}`},
		{"recursion stops", op(`{"$ref": "#/components/schemas/Tree"}`),
			`{"properties":{"child":{"type":["object","null"]}},"type":"object"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := outputSchema(doc, decode(t, tc.op))
			assert.Equal(t, tc.want, canonical(got))
		})
	}
	for name, o := range map[string]string{
		"any answer":                           op(`{}`),
		"no JSON body":                         `{"responses": {"204": {"description": "No content"}}}`,
		"a 2xx without a body beside one with": `{"responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}, "204": {"description": "none"}}}`,
	} {
		assert.Nil(t, outputSchema(doc, decode(t, o)), "%s: got an output schema, want none", name)
	}
}

// TestOutputSchemasOnlyStateTypes holds every generated output schema to
// the rules of output.go: a type on every node, nothing required, nothing
// forbidden, no enum or format.
func TestOutputSchemasOnlyStateTypes(t *testing.T) {
	ops, err := Operations()
	require.NoError(t, err)
	with := 0
	for _, o := range ops {
		if len(o.OutputSchema) == 0 {
			continue
		}
		with++
		var s map[string]any
		require.NoError(t, json.Unmarshal(o.OutputSchema, &s), o.Name)
		assert.Nil(t, s["additionalProperties"], "%s: additionalProperties at the top", o.Name)
		var walk func(path string, n map[string]any)
		walk = func(path string, n map[string]any) {
			if _, ok := n["type"]; !ok {
				t.Errorf("%s: %s has no type: %s", o.Name, path, canonical(n))
			}
			for _, k := range []string{"required", "enum", "const", "format", "pattern", "anyOf", "oneOf", "allOf"} {
				if _, ok := n[k]; ok {
					t.Errorf("%s: %s has %q", o.Name, path, k)
				}
			}
			if ap, ok := n["additionalProperties"]; ok {
				m, isSchema := ap.(map[string]any)
				if !isSchema {
					t.Errorf("%s: %s additionalProperties got %v, want a schema", o.Name, path, ap)
				} else {
					walk(path+"{}", m)
				}
			}
			for k, p := range asMap(n["properties"]) {
				walk(path+"."+k, p.(map[string]any))
			}
			if items, ok := n["items"].(map[string]any); ok {
				walk(path+"[]", items)
			}
		}
		walk("", s)
		assert.Equal(t, "object", s["type"], "%s: top type", o.Name)
	}
	assert.Greater(t, with, 100, "tools with an output schema")
}
