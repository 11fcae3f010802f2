package gen

import (
	"slices"
	"sort"
	"strings"
)

// Output schemas.
//
// A generated tool's outputSchema describes its structured result: the JSON
// body of the operation's 2xx answer as the tools layer passes it on (an
// object as it is, an array as {"items": [...]}, any other value as
// {"result": value}). A client may validate every result against it, so it
// must accept whatever the API really answers, also after the tools layer
// has cut the answer to the result budget, kept only the fields a call
// asked for, or added its own top-level keys (_truncated,
// _fields_not_found, projected expressions). It therefore states types and
// shapes, never presence:
//
//   - no "required" and no "additionalProperties": false anywhere, and no
//     additionalProperties schema at the top;
//   - a property has the spec's type(s), plus "null" where the spec marks
//     it nullable or does not require it (APIs send null for absent
//     optional values more often than their specs admit);
//   - no enum, const, format, pattern or bounds: upstreams add enum values
//     (PostHog's sync_type gained "xmin") and the budget shortens strings;
//   - a union has the types of all its branches, and its object branches'
//     properties merged; an object branch that declares no properties
//     leaves the merged object open;
//   - a value the spec leaves unconstrained (no type) is left out of its
//     object's properties rather than written as {}, which says nothing
//     (and which MCP Inspector flags);
//   - nesting stops at the deepest level (at most maxOutputDepth object
//     levels) whose schema stays under maxOutputChars, first with
//     descriptions (one short sentence, on the first level's properties
//     only), then without; deeper objects are {"type": "object"} and
//     deeper arrays {"type": "array"}.
//
// An operation gets no output schema when one of its 2xx answers has no
// JSON body (the tools layer then answers {"ok": true, "status": N}), or
// when its answer admits anything.

// maxOutputChars bounds an output schema's compact JSON.
const maxOutputChars = 2000

// maxOutputDepth is the most object levels an output schema describes.
const maxOutputDepth = 3

// shaper renders response schemas (raw OpenAPI JSON) as output shapes.
type shaper struct {
	c            *compactor
	maxDepth     int
	descriptions bool // describe the first level's properties
}

// outputSchema is the output schema of an operation, or nil.
func outputSchema(doc, raw map[string]any) map[string]any {
	c := &compactor{doc: doc, mode: response}
	responses, _ := raw["responses"].(map[string]any)
	var bodies []map[string]any
	for _, code := range sortedKeys(responses) {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		resp, _, _ := c.deref(asMap(responses[code]), nil)
		media, _ := asMap(resp["content"])["application/json"].(map[string]any)
		if media == nil {
			return nil
		}
		bodies = append(bodies, asMap(media["schema"]))
	}
	if len(bodies) == 0 {
		return nil
	}
	body := bodies[0]
	if len(bodies) > 1 {
		body = map[string]any{"anyOf": anyList(bodies)}
	}
	// The deepest rendering that fits, first with descriptions, then
	// without; else the shallowest.
	var best map[string]any
	for _, desc := range []bool{true, false} {
		for depth := maxOutputDepth; depth >= 1; depth-- {
			sh := &shaper{c: c, maxDepth: depth, descriptions: desc}
			top, ok := sh.shape(body, 0, nil)
			if !ok {
				return nil
			}
			best = wrapResult(top)
			if len(canonical(best)) <= maxOutputChars {
				return best
			}
		}
	}
	return best
}

func anyList(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// wrapResult turns the shape of an answer into the shape of the tool
// result, always an object: arrays come under "items", other values under
// "result".
func wrapResult(top map[string]any) map[string]any {
	types := typeList(top["type"])
	props := map[string]any{}
	if slices.Contains(types, "object") {
		for k, v := range asMap(top["properties"]) {
			props[k] = v
		}
	}
	if slices.Contains(types, "array") {
		items := map[string]any{"type": "array"}
		if it, ok := top["items"]; ok {
			items["items"] = it
		}
		props["items"] = items
	}
	var scalars []any
	for _, t := range types {
		if t != "object" && t != "array" {
			scalars = append(scalars, t)
		}
	}
	if len(scalars) > 0 {
		props["result"] = map[string]any{"type": typeValue(scalars)}
	}
	out := map[string]any{"type": "object"}
	if len(props) > 0 {
		out["properties"] = props
	}
	return out
}

// shape renders one schema at an object depth; ok is false when the schema
// admits any value.
func (sh *shaper) shape(v any, depth int, stack []string) (map[string]any, bool) {
	s, stack, ok := sh.flatten(asMap(v), stack)
	if !ok {
		return sh.cycle(asMap(v))
	}
	nullable := s["nullable"] == true
	for _, key := range []string{"anyOf", "oneOf"} {
		branches, isUnion := s[key].([]any)
		if !isUnion {
			continue
		}
		var merged map[string]any
		for _, b := range branches {
			if sh.c.isNull(b, stack) {
				nullable = true
				continue
			}
			bs, ok := sh.shape(b, depth, stack)
			if !ok {
				return nil, false
			}
			merged = mergeUnion(merged, bs)
		}
		if merged == nil {
			merged = map[string]any{"type": "null"}
		}
		if nullable {
			addNull(merged)
		}
		return merged, true
	}
	types := typeList(s["type"])
	if slices.Contains(types, "null") {
		nullable = true
		types = slices.DeleteFunc(types, func(t any) bool { return t == "null" })
	}
	if len(types) == 0 {
		switch {
		case s["properties"] != nil || isSchema(s["additionalProperties"]):
			types = []any{"object"}
		case s["items"] != nil:
			types = []any{"array"}
		default:
			return nil, false
		}
	}
	out := map[string]any{"type": typeValue(types)}
	if slices.Contains(types, "object") && depth < sh.maxDepth {
		if props := sh.properties(s, depth, stack); len(props) > 0 {
			out["properties"] = props
		} else if addl, ok := s["additionalProperties"].(map[string]any); ok && len(addl) > 0 && depth > 0 {
			if as, ok := sh.shape(addl, depth+1, stack); ok {
				out["additionalProperties"] = as
			}
		}
	}
	if slices.Contains(types, "array") && depth < sh.maxDepth {
		if is, ok := sh.shape(s["items"], depth, stack); ok {
			out["items"] = is
		}
	}
	if nullable {
		addNull(out)
	}
	return out, true
}

// cycle is the shape of a schema that refers back to one being rendered:
// its type, without going round again.
func (sh *shaper) cycle(s map[string]any) (map[string]any, bool) {
	for i := 0; i < 32; i++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			break
		}
		if s, _ = sh.c.resolve(ref); s == nil {
			return nil, false
		}
	}
	types := typeList(s["type"])
	if len(types) == 0 && s["properties"] != nil {
		types = []any{"object"}
	}
	if len(types) == 0 {
		return nil, false
	}
	out := map[string]any{"type": typeValue(types)}
	if s["nullable"] == true {
		addNull(out)
	}
	return out, true
}

// properties renders an object's properties one level deeper.
func (sh *shaper) properties(s map[string]any, depth int, stack []string) map[string]any {
	props := asMap(s["properties"])
	required := stringSet(s["required"])
	out := map[string]any{}
	for _, name := range sortedKeys(props) {
		p, _, _ := sh.c.deref(asMap(props[name]), stack) // nil for a cycle
		if p["writeOnly"] == true {
			continue
		}
		ps, ok := sh.shape(props[name], depth+1, stack)
		if !ok {
			continue
		}
		if !required[name] {
			addNull(ps)
		}
		if depth == 0 && sh.descriptions {
			if d := shortDescription(p["description"]); d != "" {
				ps["description"] = d
			}
		}
		out[name] = ps
	}
	return out
}

// flatten follows $refs and folds allOf parts into one object schema
// (their properties and required lists united). A part that is itself a
// union adds nothing. ok is false for a cycle.
func (sh *shaper) flatten(s map[string]any, stack []string) (map[string]any, []string, bool) {
	s, stack, ok := sh.c.deref(s, stack)
	if !ok {
		return nil, stack, false
	}
	parts, isAll := s["allOf"].([]any)
	if !isAll {
		return s, stack, true
	}
	out := without(s, "allOf")
	props := map[string]any{}
	for k, v := range asMap(out["properties"]) {
		props[k] = v
	}
	required := stringSet(out["required"])
	for _, part := range parts {
		ps, _, ok := sh.flatten(asMap(part), stack)
		if !ok || ps["anyOf"] != nil || ps["oneOf"] != nil {
			continue
		}
		for k, v := range asMap(ps["properties"]) {
			if _, dup := props[k]; !dup {
				props[k] = v
			}
		}
		for k := range stringSet(ps["required"]) {
			required[k] = true
		}
		if _, typed := out["type"]; !typed && ps["type"] != nil {
			out["type"] = ps["type"]
		}
		if ps["nullable"] == true && len(parts) == 1 {
			out["nullable"] = true
		}
	}
	if len(props) > 0 {
		out["properties"] = props
		if out["type"] == nil {
			out["type"] = "object"
		}
	}
	req := make([]any, 0, len(required))
	for _, k := range sortedKeys(required) {
		req = append(req, k)
	}
	out["required"] = req
	return out, stack, true
}

// mergeUnion returns a shape that admits whatever a or b admits.
func mergeUnion(a, b map[string]any) map[string]any {
	if a == nil {
		return b
	}
	types := typeList(a["type"])
	for _, t := range typeList(b["type"]) {
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	out := map[string]any{"type": typeValue(types)}
	// Objects: an open object (no properties) on either side keeps the
	// union open; otherwise the properties are united.
	aObj, bObj := slices.Contains(typeList(a["type"]), "object"), slices.Contains(typeList(b["type"]), "object")
	ap, bp := asMap(a["properties"]), asMap(b["properties"])
	if (!aObj || len(ap) > 0) && (!bObj || len(bp) > 0) && len(ap)+len(bp) > 0 {
		props := map[string]any{}
		for k, v := range ap {
			props[k] = v
		}
		for k, v := range bp {
			if cur, ok := props[k].(map[string]any); ok {
				props[k] = mergeUnion(cur, v.(map[string]any))
			} else {
				props[k] = v
			}
		}
		out["properties"] = props
	}
	aArr, bArr := slices.Contains(typeList(a["type"]), "array"), slices.Contains(typeList(b["type"]), "array")
	ai, aHas := a["items"].(map[string]any)
	bi, bHas := b["items"].(map[string]any)
	switch {
	case aHas && bHas:
		out["items"] = mergeUnion(ai, bi)
	case aHas && !bArr:
		out["items"] = ai
	case bHas && !aArr:
		out["items"] = bi
	}
	for _, k := range []string{"description"} {
		if v, ok := a[k]; ok {
			out[k] = v
		}
	}
	return out
}

// typeList returns a "type" keyword as a list.
func typeList(v any) []any {
	switch t := v.(type) {
	case string:
		return []any{t}
	case []any:
		return slices.Clone(t)
	}
	return nil
}

// typeValue writes a type list as JSON Schema does: a string for one type,
// a sorted list for several ("null" last).
func typeValue(types []any) any {
	if len(types) == 1 {
		return types[0]
	}
	out := slices.Clone(types)
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := out[i].(string), out[j].(string)
		if (ti == "null") != (tj == "null") {
			return tj == "null"
		}
		return ti < tj
	})
	return out
}

// addNull lets a shape also be null.
func addNull(s map[string]any) {
	types := typeList(s["type"])
	if len(types) == 0 || slices.Contains(types, "null") {
		return
	}
	s["type"] = typeValue(append(types, "null"))
}
