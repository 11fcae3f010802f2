package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/schemas/internal/gen"
)

// TestCatalogIsCurrent fails when operations.gen.go no longer matches what
// the generator makes from the OpenAPI files: run `go generate ./...`.
func TestCatalogIsCurrent(t *testing.T) {
	want, err := gen.Generate()
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	got, err := os.ReadFile(schemas.CatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale (got %d bytes, want %d); run `go generate ./...` and commit the result", schemas.CatalogFile, len(got), len(want))
	}
}

// TestCatalogIsGenerated fails when the compiled catalogue differs from the
// operations the generator makes, e.g. when a field added to Operation is
// not written by gen.Source.
func TestCatalogIsGenerated(t *testing.T) {
	want, err := gen.Operations()
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	got := schemas.Catalog()
	if len(got) != len(want) {
		t.Fatalf("catalogue has %d operations, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("operation %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestCatalogShape(t *testing.T) {
	ops := schemas.Catalog()
	perProvider := map[string]int{}
	for _, op := range ops {
		perProvider[op.Provider]++
		schema := objectSchema(t, op.Name, "input schema", op.InputSchema)
		full := schema
		if op.FullInputSchema != nil {
			full = objectSchema(t, op.Name, "full input schema", op.FullInputSchema)
			if bytes.Equal(op.FullInputSchema, op.InputSchema) {
				t.Errorf("%s: full input schema is set but the same as the input schema", op.Name)
			}
		}
		if schema == nil || full == nil {
			continue
		}
		for what, raw := range map[string][]byte{"input schema": op.InputSchema, "full input schema": op.FullInputSchema} {
			if n := len(raw); n >= 16384 {
				t.Errorf("%s: %s got %d characters, want < 16384", op.Name, what, n)
			}
		}
		// Every argument of the full schema binds to the request; the
		// compact schema lists a subset of them.
		props, _ := schema["properties"].(map[string]any)
		fullProps, _ := full["properties"].(map[string]any)
		if got, want := len(op.Params), len(fullProps); got != want {
			t.Errorf("%s: got %d argument bindings, want one per property of the full schema (%d)", op.Name, got, want)
		}
		projections := 0
		for _, p := range op.Params {
			if _, ok := fullProps[p.Arg]; !ok {
				t.Errorf("%s: binding for %q has no property in the full schema", op.Name, p.Arg)
			}
			if p.In == schemas.InProjection {
				projections++
			}
		}
		for name := range props {
			if _, ok := fullProps[name]; !ok {
				t.Errorf("%s: argument %q is in the input schema but not in the full schema", op.Name, name)
			}
		}
		if want := map[bool]int{true: 1, false: 0}[op.Projection]; projections != want {
			t.Errorf("%s: projection is %v but %d projection bindings", op.Name, op.Projection, projections)
		}
		// Required arguments are never left out of the listing.
		for _, r := range asStrings(full["required"]) {
			if _, ok := props[r]; !ok {
				t.Errorf("%s: required argument %q is missing from the input schema", op.Name, r)
			}
		}
	}
	want := map[string]int{schemas.Datafold: 41, schemas.PostHog: 19, schemas.PDC: 5, schemas.Lightdash: 72}
	for p, n := range want {
		if perProvider[p] != n {
			t.Errorf("%s: got %d operations, want %d", p, perProvider[p], n)
		}
	}
}

func objectSchema(t *testing.T, name, what string, raw []byte) map[string]any {
	t.Helper()
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Errorf("%s: %s is not JSON: %v", name, what, err)
		return nil
	}
	if got := schema["type"]; got != "object" {
		t.Errorf("%s: %s type got %v, want object", name, what, got)
	}
	return schema
}

func asStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
