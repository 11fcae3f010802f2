package schemas_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/schemas/internal/gen"
)

// TestCatalogIsCurrent fails when operations.gen.json no longer matches what
// the generator makes from the OpenAPI files: run `go generate ./...`.
func TestCatalogIsCurrent(t *testing.T) {
	want, err := gen.Generate()
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if got := schemas.CatalogBytes(); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale (got %d bytes, want %d); run `go generate ./...` and commit the result", schemas.CatalogFile, len(got), len(want))
	}
}

func TestCatalogShape(t *testing.T) {
	ops, err := schemas.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	perProvider := map[string]int{}
	for _, op := range ops {
		perProvider[op.Provider]++
		var schema map[string]any
		if err := json.Unmarshal(op.InputSchema, &schema); err != nil {
			t.Errorf("%s: input schema is not JSON: %v", op.Name, err)
			continue
		}
		if got := schema["type"]; got != "object" {
			t.Errorf("%s: input schema type got %v, want object", op.Name, got)
		}
		if n := len(op.InputSchema); n >= 16384 {
			t.Errorf("%s: input schema got %d characters, want < 16384", op.Name, n)
		}
		props, _ := schema["properties"].(map[string]any)
		if got, want := len(op.Params), len(props); got != want {
			t.Errorf("%s: got %d argument bindings, want one per property (%d)", op.Name, got, want)
		}
		for _, p := range op.Params {
			if _, ok := props[p.Arg]; !ok {
				t.Errorf("%s: binding for %q has no property in the schema", op.Name, p.Arg)
			}
		}
	}
	want := map[string]int{schemas.Datafold: 41, schemas.PostHog: 18, schemas.PDC: 5, schemas.Lightdash: 73}
	for p, n := range want {
		if perProvider[p] != n {
			t.Errorf("%s: got %d operations, want %d", p, perProvider[p], n)
		}
	}
}
