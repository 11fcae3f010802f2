package gen

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

func TestSchemaChanges(t *testing.T) {
	a := json.RawMessage(`{"type":"object","properties":{"results":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"}}}},"gone":{"type":"string"}}}`)
	b := json.RawMessage(`{"type":"object","properties":{"results":{"type":"object","properties":{"data":{"type":"array"}}},"new":{"type":"integer"}}}`)
	got := SchemaChanges(a, b)
	want := []string{
		"- gone",
		`+ new: {"type":"integer"}`,
		`~ results: type "array" → "object"`,
		`+ results.data: {"type":"array"}`,
		"- results[]",
	}
	assert.Equal(t, want, got)
	assert.Nil(t, SchemaChanges(a, a), "a schema against itself")
}

func TestCatalogChanges(t *testing.T) {
	in := json.RawMessage(`{"type":"object"}`)
	before := []schemas.Operation{
		{Name: "x_old", Provider: "x", OperationID: "old", Method: "GET", Path: "/old", InputSchema: in},
		{Name: "x_list", Provider: "x", OperationID: "list", Method: "GET", Path: "/list", InputSchema: in, OutputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)},
		{Name: "x_csv", Provider: "x", OperationID: "csv", Method: "GET", Path: "/csv", InputSchema: in},
	}
	after := []schemas.Operation{
		{Name: "x_list", Provider: "x", OperationID: "list", Method: "GET", Path: "/list", InputSchema: in, OutputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}}}`)},
		{Name: "x_gsheet_status", Provider: "x", OperationID: "csv", Method: "GET", Path: "/csv", InputSchema: in},
		{Name: "x_new", Provider: "x", OperationID: "new", Method: "POST", Path: "/new", InputSchema: in},
	}
	got := CatalogChanges(before, after)
	for _, want := range []string{
		"added (1):\n  + x_new (POST /new, new)",
		"removed (1):\n  - x_old (GET /old, old)",
		"renamed (1):\n  x_csv → x_gsheet_status",
		"changed (1):\n  x_list:\n    output ~ a: type \"string\" → \"integer\"",
	} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, "", CatalogChanges(before, before), "no change")
	assert.True(t, strings.HasPrefix(got, "tools: 3 before, 3 after\n"), "got %q, want a count line first", got)
}

func TestCheckOverrides(t *testing.T) {
	raw := []byte(`{"paths": {"/a": {"get": {"operationId": "getA"}}}}`)
	assert.NoError(t, checkOverrides("x", raw, map[string]override{"*": {}, "getA": {Name: "a"}}))
	err := checkOverrides("x", raw, map[string]override{"gone": {Name: "g"}})
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), `x has no operation "gone"`)
	}
}
