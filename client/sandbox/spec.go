package sandbox

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// spec is a loaded OpenAPI document with its router. Specs are loaded lazily,
// once per process and provider, on the first request to that provider, and
// shared (read-only) by every Sandbox. They are not validated at run time:
// schemas' generator test and TestSpecsAreValid do that.
type spec struct {
	name   string
	doc    *openapi3.T
	router routers.Router
	ops    map[string]*opInfo // by operationId
	routes memo[routeKey, foundRoute]
}

// routeKey is what routing reads of a request: the spec's paths are
// registered with gorilla/mux on the escaped path only (no servers, hence no
// host or scheme), and the method selects the operation.
type routeKey struct{ method, path string }

type foundRoute struct {
	route  *routers.Route
	params map[string]string
}

// routeCacheSize bounds the routes remembered per spec.
const routeCacheSize = 1024

// findRoute is sp.router.FindRoute(r), remembered: gorilla/mux tries the
// spec's path regexps one after the other (54 of them for Lightdash), which
// was nearly half the cost of a Lightdash request once answers were cheap.
// The route and parameters it returns are shared and must not be modified.
func (sp *spec) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	key := routeKey{r.Method, r.URL.EscapedPath()}
	if f, ok := sp.routes.load(key); ok {
		return f.route, f.params, nil
	}
	route, params, err := sp.router.FindRoute(r)
	if err == nil {
		sp.routes.store(key, foundRoute{route, params})
	}
	return route, params, err
}

type opInfo struct {
	ID, Method, Path string
	Op               *openapi3.Operation
	validation       *opValidation // see validate.go
}

// specEntry is one provider's lazily loaded spec.
type specEntry struct {
	once sync.Once
	sp   *spec
	err  error
}

// specCache holds one entry per provider; the map itself is never written
// after init, so reading it needs no lock.
var specCache = func() map[string]*specEntry {
	m := make(map[string]*specEntry, len(schemas.Providers))
	for _, name := range schemas.Providers {
		m[name] = &specEntry{}
	}
	return m
}()

// getSpec returns provider name's spec, loading it on first use. A load error
// is remembered and returned by every later call.
func getSpec(name string) (*spec, error) {
	e, ok := specCache[name]
	if !ok {
		return nil, fmt.Errorf("sandbox: unknown provider %q", name)
	}
	e.once.Do(func() { e.sp, e.err = loadSpec(name) })
	return e.sp, e.err
}

// loadSpecs loads every provider's spec (tests use it).
func loadSpecs() (map[string]*spec, error) {
	out := make(map[string]*spec, len(schemas.Providers))
	for _, name := range schemas.Providers {
		sp, err := getSpec(name)
		if err != nil {
			return nil, err
		}
		out[name] = sp
	}
	return out, nil
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
	sp.routes.max = routeCacheSize
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			sp.ops[op.OperationID] = &opInfo{ID: op.OperationID, Method: method, Path: path, Op: op,
				validation: newOpValidation(path, item, op)}
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
