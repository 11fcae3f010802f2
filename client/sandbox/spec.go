package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/tidwall/gjson"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// spec is a provider's OpenAPI document as the sandbox serves it. It is
// loaded lazily, once per process and provider, on the first request to
// that provider, and shared (read-only) by every Sandbox; specs are not
// validated at run time (schemas' generator test and TestSpecsAreValid do
// that).
//
// Only the document's skeleton is decoded up front (its version and every
// path and operation id, which is what routing reads); an operation's own
// document (the operation, its path item's shared members, the security
// schemes and the components it refers to) is decoded by kin-openapi on the
// operation's first request (see specSource for why).
type spec struct {
	name   string
	doc    *openapi3.T        // the skeleton: version, info, paths and operation ids only
	router routers.Router     // routes on the skeleton
	ops    map[string]*opInfo // by operationId
	routes memo[routeKey, foundRoute]

	src     *specSource
	schemas memo[string, schemaResult] // by component name, see schema
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

// findRoute finds the operation r is for and returns its route in the
// operation's own document (loaded if need be), remembered: gorilla/mux
// tries the spec's path regexps one after the other (54 of them for
// Lightdash), which was nearly half the cost of a Lightdash request once
// answers were cheap. The route and parameters it returns are shared and
// must not be modified.
func (sp *spec) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	key := routeKey{r.Method, r.URL.EscapedPath()}
	if f, ok := sp.routes.load(key); ok {
		return f.route, f.params, nil
	}
	skel, params, err := sp.router.FindRoute(r)
	if err != nil {
		return nil, nil, err
	}
	op := sp.ops[skel.Operation.OperationID]
	if op == nil {
		return nil, nil, fmt.Errorf("sandbox: %s spec: no operation %q", sp.name, skel.Operation.OperationID)
	}
	if err := sp.loadOp(op); err != nil {
		return nil, nil, err
	}
	sp.routes.store(key, foundRoute{op.route, params})
	return op.route, params, nil
}

// opInfo is one operation. Op, validation and route are set by loadOp (so
// by findRoute): until then only the id, method and path are known.
type opInfo struct {
	ID, Method, Path string
	Op               *openapi3.Operation
	validation       *opValidation // see validate.go
	route            *routers.Route

	once sync.Once
	err  error
}

// loadOp decodes op's own document, once.
func (sp *spec) loadOp(op *opInfo) error {
	op.once.Do(func() {
		members := sp.src.operationMembers(op.Path, strings.ToLower(op.Method))
		doc, err := sp.decode(op.Path, members)
		if err != nil {
			op.err = fmt.Errorf("sandbox: load %s operation %s: %w", sp.name, op.ID, err)
			return
		}
		item := doc.Paths.Value(op.Path)
		o := item.GetOperation(op.Method)
		if o == nil {
			op.err = fmt.Errorf("sandbox: load %s operation %s: not in its document", sp.name, op.ID)
			return
		}
		op.Op = o
		op.validation = newOpValidation(op.Path, item, o)
		op.route = &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: o}
	})
	return op.err
}

// loadOps loads every operation (tests use it).
func (sp *spec) loadOps() error {
	for _, op := range sp.ops {
		if err := sp.loadOp(op); err != nil {
			return err
		}
	}
	return nil
}

// decode decodes the sub-document of path's members (see
// specSource.subDocument) with kin-openapi.
func (sp *spec) decode(path string, members []string, extra ...componentRef) (*openapi3.T, error) {
	raw, err := sp.src.subDocument(path, members, extra...)
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if doc.IsOpenAPI31OrLater() {
		relaxDiscriminatedOneOf(doc)
	}
	return doc, nil
}

type schemaResult struct {
	ref *openapi3.SchemaRef
	err error
}

// schemaCacheSize bounds the component schemas remembered per spec.
const schemaCacheSize = 64

// schema is the component schema name, decoded with what it refers to (nil
// when the document has none of that name). It is for answers built from
// the spec itself; the result is shared and must not be modified.
func (sp *spec) schema(name string) *openapi3.SchemaRef {
	if r, ok := sp.schemas.load(name); ok {
		return r.ref
	}
	var r schemaResult
	if _, ok := sp.src.components["schemas"][name]; ok {
		doc, err := sp.decode("", nil, componentRef{"schemas", name})
		if err == nil {
			r.ref = doc.Components.Schemas[name]
		}
		r.err = err
	}
	sp.schemas.store(name, r)
	return r.ref
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

// loadSpecs loads every provider's spec and every operation in it (tests
// use it).
func loadSpecs() (map[string]*spec, error) {
	out := make(map[string]*spec, len(schemas.Providers))
	for _, name := range schemas.Providers {
		sp, err := getSpec(name)
		if err != nil {
			return nil, err
		}
		if err := sp.loadOps(); err != nil {
			return nil, err
		}
		out[name] = sp
	}
	return out, nil
}

// loadSpec indexes provider name's document and decodes its skeleton.
func loadSpec(name string) (*spec, error) {
	raw, err := schemas.Spec(name)
	if err != nil {
		return nil, err
	}
	src, err := newSpecSource(raw)
	if err != nil {
		return nil, fmt.Errorf("sandbox: load %s spec: %w", name, err)
	}
	sp := &spec{name: name, src: src, ops: map[string]*opInfo{}}
	sp.routes.max = routeCacheSize
	sp.schemas.max = schemaCacheSize

	// The skeleton: the head and, for every path, its operations with
	// their ids only. Routing on the path only: the sandbox answers for its
	// own hosts (and for whatever host an httptest server gives Handler),
	// not the spec's servers, which the source leaves out.
	skel := []byte{'{'}
	for _, h := range src.head {
		skel = append(append(skel, h...), ',')
	}
	skel = append(skel, `"paths":{`...)
	for i, path := range sortedKeys(src.paths) {
		if i > 0 {
			skel = append(skel, ',')
		}
		skel = append(appendJSONString(skel, path), ":{"...)
		n := 0
		for _, method := range sortedKeys(src.paths[path]) {
			if !httpMethods[method] {
				continue
			}
			id := gjson.Get(src.paths[path][method], "operationId").String()
			if n > 0 {
				skel = append(skel, ',')
			}
			n++
			skel = append(appendJSONString(skel, method), `:{"operationId":`...)
			skel = append(appendJSONString(skel, id), '}')
			upper := strings.ToUpper(method)
			sp.ops[id] = &opInfo{ID: id, Method: upper, Path: path}
		}
		skel = append(skel, '}')
	}
	skel = append(skel, "}}"...)
	if sp.doc, err = openapi3.NewLoader().LoadFromData(skel); err != nil {
		return nil, fmt.Errorf("sandbox: load %s spec: %w", name, err)
	}
	if sp.router, err = gorillamux.NewRouter(sp.doc); err != nil {
		return nil, fmt.Errorf("sandbox: route %s spec: %w", name, err)
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
