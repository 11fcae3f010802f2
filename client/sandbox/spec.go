package sandbox

import (
	"context"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// spec is a loaded, validated OpenAPI document with its router. Specs are
// loaded once per process and shared (read-only) by every Sandbox.
type spec struct {
	name   string
	doc    *openapi3.T
	router routers.Router
	ops    map[string]*opInfo // by operationId
}

type opInfo struct {
	ID, Method, Path string
	Op               *openapi3.Operation
}

var (
	specsOnce sync.Once
	specsErr  error
	specs     map[string]*spec
)

func loadSpecs() (map[string]*spec, error) {
	specsOnce.Do(func() {
		specs = map[string]*spec{}
		for _, name := range schemas.Providers {
			sp, err := loadSpec(name)
			if err != nil {
				specsErr = err
				return
			}
			specs[name] = sp
		}
	})
	return specs, specsErr
}

func loadSpec(name string) (*spec, error) {
	raw, err := schemas.Spec(name)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("sandbox: load %s spec: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("sandbox: validate %s spec: %w", name, err)
	}
	if doc.IsOpenAPI31OrLater() {
		relaxDiscriminatedOneOf(doc)
	}
	// Route on the path only: the sandbox answers for its own hosts (and for
	// whatever host an httptest server gives Handler), not the spec's servers.
	doc.Servers = nil
	for _, item := range doc.Paths.Map() {
		item.Servers = nil
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("sandbox: route %s spec: %w", name, err)
	}
	sp := &spec{name: name, doc: doc, router: router, ops: map[string]*opInfo{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			sp.ops[op.OperationID] = &opInfo{ID: op.OperationID, Method: method, Path: path, Op: op}
		}
	}
	return sp, nil
}

// relaxDiscriminatedOneOf turns every oneOf that carries a discriminator
// into an anyOf. Under JSON Schema 2020-12 (which kin-openapi applies to
// OpenAPI 3.1 documents) discriminators are mere annotations, and Datafold's
// published spec has discriminated unions whose discriminator property is not
// declared by the alternatives (DataDiffMonitorSpecPublic.datadiff, keyed by
// "diff_type"): every value then matches both alternatives and oneOf always
// fails. The real server picks the alternative by the discriminator, so
// accepting any matching alternative is the faithful relaxation.
func relaxDiscriminatedOneOf(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Discriminator != nil && len(s.OneOf) > 0 {
			s.AnyOf = append(s.AnyOf, s.OneOf...)
			s.OneOf = nil
		}
		for _, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf, s.PrefixItems} {
			for _, r := range group {
				walk(r)
			}
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		walk(s.Not)
	}
	for _, sch := range doc.Components.Schemas {
		walk(sch)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value != nil {
					walk(p.Value.Schema)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, mt := range r.Value.Content {
						walk(mt.Schema)
					}
				}
			}
		}
	}
}
