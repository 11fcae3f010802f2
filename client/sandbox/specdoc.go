package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
)

// specSource is a provider's OpenAPI document kept as (compact) JSON and
// indexed by operation and component, so that the sandbox decodes only what
// a request needs: the document of one operation (see subDocument).
//
// Why: kin-openapi decodes a whole document into its types (every schema
// twice, once for its fields and once for its extensions); for Datafold's
// 300 kB document that was 30 MB allocated and 5 MB kept on the first
// request, the largest part of --sandbox's peak RSS, while one operation
// with the components it references is a few kilobytes (the median is
// 3 kB, the largest 117 kB).
type specSource struct {
	// head is the top-level members every sub-document copies ("openapi",
	// "info", "security", …): every member but paths, components, servers
	// (the sandbox answers for its own hosts) and tags.
	head []string
	// components is components' raw values, by kind and name.
	components map[string]map[string]string
	// paths is each path's raw members, by path and member name (methods in
	// lower case, as in the document).
	paths map[string]map[string]string
}

// httpMethods are the path item members that are operations.
var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true}

// newSpecSource indexes raw, an OpenAPI document in JSON.
func newSpecSource(raw []byte) (*specSource, error) {
	var compact bytes.Buffer
	compact.Grow(len(raw) / 2)
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	doc := gjson.Parse(compact.String())
	if !doc.IsObject() {
		return nil, fmt.Errorf("not a JSON object")
	}
	src := &specSource{components: map[string]map[string]string{}, paths: map[string]map[string]string{}}
	doc.ForEach(func(k, v gjson.Result) bool {
		switch key := k.String(); key {
		case "paths":
			v.ForEach(func(path, item gjson.Result) bool {
				members := map[string]string{}
				item.ForEach(func(name, val gjson.Result) bool {
					if n := name.String(); n != "servers" {
						members[n] = val.Raw
					}
					return true
				})
				src.paths[path.String()] = members
				return true
			})
		case "components":
			v.ForEach(func(kind, byName gjson.Result) bool {
				m := map[string]string{}
				byName.ForEach(func(name, val gjson.Result) bool {
					m[name.String()] = val.Raw
					return true
				})
				src.components[kind.String()] = m
				return true
			})
		case "servers", "tags":
		default:
			src.head = append(src.head, k.Raw+":"+v.Raw)
		}
		return true
	})
	return src, nil
}

// componentRef is one component: its kind ("schemas", "parameters", …) and
// name.
type componentRef struct{ kind, name string }

// refRE finds the "$ref" values of raw JSON.
var refRE = lazyRegexp(`"\$ref":("(?:[^"\\]|\\.)*")`)

// refs lists the components raw refers to directly.
func refs(raw string) ([]componentRef, error) {
	var out []componentRef
	for _, m := range refRE().FindAllStringSubmatch(raw, -1) {
		var ref string
		if err := json.Unmarshal([]byte(m[1]), &ref); err != nil {
			return nil, err
		}
		rest, ok := strings.CutPrefix(ref, "#/components/")
		kind, name, ok2 := strings.Cut(rest, "/")
		if !ok || !ok2 || strings.Contains(name, "/") {
			return nil, fmt.Errorf("$ref %q: only references to components are supported", ref)
		}
		unescape := strings.NewReplacer("~1", "/", "~0", "~")
		out = append(out, componentRef{unescape.Replace(kind), unescape.Replace(name)})
	}
	return out, nil
}

// subDocument is a document holding the head, the given members of path
// (an operation and what its path item shares, or nothing), the security
// schemes and every component that they, the head and the extra components refer
// to, transitively: what kin-openapi needs to resolve and validate them.
func (src *specSource) subDocument(path string, members []string, extra ...componentRef) ([]byte, error) {
	need := map[componentRef]bool{}
	todo := append([]componentRef(nil), extra...)
	seed := append([]string(nil), src.head...) // webhooks, say, may refer to components
	if path != "" {
		item := src.paths[path]
		for _, m := range members {
			seed = append(seed, item[m])
		}
	}
	for _, raw := range seed {
		rs, err := refs(raw)
		if err != nil {
			return nil, err
		}
		todo = append(todo, rs...)
	}
	for len(todo) > 0 {
		r := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if need[r] {
			continue
		}
		raw, ok := src.components[r.kind][r.name]
		if !ok {
			return nil, fmt.Errorf("$ref to missing component %s/%s", r.kind, r.name)
		}
		need[r] = true
		rs, err := refs(raw)
		if err != nil {
			return nil, err
		}
		todo = append(todo, rs...)
	}
	for name := range src.components["securitySchemes"] {
		need[componentRef{"securitySchemes", name}] = true
	}

	var b []byte
	b = append(b, '{')
	for _, h := range src.head {
		b = append(b, h...)
		b = append(b, ',')
	}
	b = append(b, `"paths":{`...)
	if path != "" {
		b = appendJSONString(b, path)
		b = append(b, ":{"...)
		for i, m := range members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, m)
			b = append(b, ':')
			b = append(b, src.paths[path][m]...)
		}
		b = append(b, '}')
	}
	b = append(b, `},"components":{`...)
	byKind := map[string][]string{}
	for r := range need {
		byKind[r.kind] = append(byKind[r.kind], r.name)
	}
	kinds := sortedKeys(byKind)
	for i, kind := range kinds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, kind)
		b = append(b, ":{"...)
		names := byKind[kind]
		sort.Strings(names)
		for j, name := range names {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, name)
			b = append(b, ':')
			b = append(b, src.components[kind][name]...)
		}
		b = append(b, '}')
	}
	b = append(b, "}}"...)
	return b, nil
}

// operationMembers are the members of path's item that the document of its
// operation method (lower case) holds: the operation and what the path
// item shares with every operation (parameters, summary, …).
func (src *specSource) operationMembers(path, method string) []string {
	var out []string
	for name := range src.paths[path] {
		if name == method || !httpMethods[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
