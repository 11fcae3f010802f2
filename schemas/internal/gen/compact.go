package gen

import (
	"regexp"
	"sort"
	"strings"
)

// mode says which side of the wire a schema describes: request schemas drop
// readOnly properties, response schemas drop writeOnly ones.
type mode int

const (
	request mode = iota
	response
)

// compactor turns OpenAPI schemas (3.0 or 3.1, as raw JSON values) into
// small, self-contained JSON Schema (2020-12) values: $refs inlined with
// cycles cut, nullable unions collapsed, titles and examples dropped,
// descriptions cut to one short sentence, and nesting capped at maxDepth.
type compactor struct {
	doc      map[string]any
	mode     mode
	maxDepth int
	// collapse merges a union of object variants into one object holding
	// the fields all variants share (used when a body is too large otherwise).
	collapse bool
	// cut records that a subtree was replaced because of maxDepth, so the
	// tool description can say where the full shape is.
	cut bool
}

// keep lists the JSON Schema keywords carried over unchanged.
var keep = []string{
	"type", "format", "const", "default", "minimum", "maximum",
	"minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
	"multipleOf", "minProperties", "maxProperties",
}

func (c *compactor) resolve(ref string) (map[string]any, string) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, ""
	}
	var cur any = c.doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, ""
		}
		cur = m[part]
	}
	m, _ := cur.(map[string]any)
	return m, ref[strings.LastIndex(ref, "/")+1:]
}

// deref follows $ref chains (with cycle protection) and returns the target
// merged with the sibling keywords of the referring schema (3.1 allows
// description and default next to $ref).
func (c *compactor) deref(s map[string]any, stack []string) (map[string]any, []string, bool) {
	for depth := 0; depth < 32; depth++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s, stack, true
		}
		target, name := c.resolve(ref)
		if target == nil {
			return map[string]any{}, stack, true
		}
		for _, seen := range stack {
			if seen == ref {
				return nil, stack, false
			}
		}
		stack = append(stack[:len(stack):len(stack)], ref)
		_ = name
		merged := make(map[string]any, len(target)+2)
		for k, v := range target {
			merged[k] = v
		}
		for k, v := range s {
			if k != "$ref" {
				merged[k] = v
			}
		}
		s = merged
	}
	return nil, stack, false
}

// isNull reports whether a schema only admits null.
func (c *compactor) isNull(v any, stack []string) bool {
	s, ok := v.(map[string]any)
	if !ok {
		return false
	}
	s, _, ok = c.deref(s, stack)
	if !ok {
		return false
	}
	if t, _ := s["type"].(string); t == "null" {
		return true
	}
	if e, ok := s["enum"].([]any); ok && len(e) == 1 && e[0] == nil {
		return true
	}
	return false
}

// convert compacts one schema. depth counts object/array nesting levels.
func (c *compactor) convert(v any, depth int, stack []string) map[string]any {
	s, ok := v.(map[string]any)
	if !ok {
		return map[string]any{}
	}
	s, stack, ok = c.deref(s, stack)
	if !ok {
		return map[string]any{"type": "object", "description": "Recursive structure."}
	}
	out := map[string]any{}
	desc := shortDescription(s["description"])

	// Unions: drop the null branch; one branch left means a plain nullable.
	for _, key := range []string{"anyOf", "oneOf"} {
		branches, ok := s[key].([]any)
		if !ok {
			continue
		}
		var rest []any
		for _, b := range branches {
			if !c.isNull(b, stack) {
				rest = append(rest, b)
			}
		}
		if len(rest) == 1 {
			out = c.convert(rest[0], depth, stack)
		} else if merged := c.collapseUnion(rest, depth, stack); merged != nil {
			out = merged
		} else if len(rest) > 1 {
			conv := make([]any, 0, len(rest))
			for _, b := range rest {
				conv = append(conv, c.convert(b, depth, stack))
			}
			// oneOf becomes anyOf: variants often overlap once compacted, and
			// "matches more than one" would reject arguments the API accepts.
			if conv = dedupe(conv); len(conv) == 1 {
				out = conv[0].(map[string]any)
			} else {
				out["anyOf"] = conv
			}
		}
		if def, ok := s["default"]; ok && def != nil {
			out["default"] = def
		}
		if desc != "" {
			out["description"] = desc
		}
		return out
	}

	if parts, ok := s["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, p := range parts {
			mergeSchema(merged, c.convert(p, depth, stack))
		}
		for k, v := range c.convert(without(s, "allOf"), depth, stack) {
			if k == "properties" || k == "required" {
				mergeSchema(merged, map[string]any{k: v})
				continue
			}
			merged[k] = v
		}
		return merged
	}

	for _, k := range keep {
		if val, ok := s[k]; ok && val != nil {
			out[k] = val
		}
	}
	if t, ok := s["type"].([]any); ok {
		var types []any
		for _, x := range t {
			if x != "null" {
				types = append(types, x)
			}
		}
		if len(types) == 1 {
			out["type"] = types[0]
		} else {
			out["type"] = types
		}
	}
	if e, ok := s["enum"].([]any); ok {
		var vals []any
		for _, x := range e {
			if x != nil {
				vals = append(vals, x)
			}
		}
		if len(vals) > 0 {
			out["enum"] = vals
		}
	}
	// OpenAPI 3.0 writes exclusive bounds as booleans next to minimum/maximum.
	for bound, excl := range map[string]string{"minimum": "exclusiveMinimum", "maximum": "exclusiveMaximum"} {
		switch x := s[excl].(type) {
		case bool:
			if x && s[bound] != nil {
				out[excl] = s[bound]
				delete(out, bound)
			}
		case float64:
			out[excl] = x
		}
	}
	if p, ok := s["pattern"].(string); ok {
		if _, err := regexp.Compile(p); err == nil {
			out["pattern"] = p
		}
	}
	if desc != "" {
		out["description"] = desc
	}

	props, hasProps := s["properties"].(map[string]any)
	items, hasItems := s["items"]
	addl, hasAddl := s["additionalProperties"]
	if depth >= c.maxDepth && (hasProps || hasItems || isSchema(addl)) {
		c.cut = true
		if hasItems {
			out["type"] = "array"
		} else {
			out["type"] = "object"
		}
		return out
	}
	if hasProps {
		required := stringSet(s["required"])
		conv := map[string]any{}
		var req []string
		for _, name := range sortedKeys(props) {
			p, _ := props[name].(map[string]any)
			if p != nil && c.skipProperty(p, stack) {
				continue
			}
			conv[name] = c.convert(p, depth+1, stack)
			if required[name] {
				req = append(req, name)
			}
		}
		out["properties"] = conv
		if len(req) > 0 {
			out["required"] = req
		}
		if _, ok := out["type"]; !ok {
			out["type"] = "object"
		}
	}
	if hasItems {
		out["items"] = c.convert(items, depth+1, stack)
		if _, ok := out["type"]; !ok {
			out["type"] = "array"
		}
	}
	if hasAddl {
		switch a := addl.(type) {
		case bool:
			if !a && c.mode == request {
				out["additionalProperties"] = false
			}
		case map[string]any:
			if len(a) > 0 {
				out["additionalProperties"] = c.convert(a, depth+1, stack)
			}
		}
	}
	return out
}

// skipProperty drops fields the other side of the wire owns.
func (c *compactor) skipProperty(p map[string]any, stack []string) bool {
	p, _, ok := c.deref(p, stack)
	if !ok {
		return false
	}
	if c.mode == request {
		return p["readOnly"] == true
	}
	return p["writeOnly"] == true
}

func isSchema(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

func without(s map[string]any, key string) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// mergeSchema folds src into dst, uniting properties and required lists.
func mergeSchema(dst, src map[string]any) {
	for k, v := range src {
		switch k {
		case "properties":
			dp, _ := dst[k].(map[string]any)
			if dp == nil {
				dp = map[string]any{}
			}
			for pk, pv := range v.(map[string]any) {
				dp[pk] = pv
			}
			dst[k] = dp
		case "required":
			have := stringSet(dst[k])
			list, _ := dst[k].([]string)
			for _, r := range v.([]string) {
				if !have[r] {
					list = append(list, r)
				}
			}
			sort.Strings(list)
			dst[k] = list
		default:
			dst[k] = v
		}
	}
}

func stringSet(v any) map[string]bool {
	out := map[string]bool{}
	switch l := v.(type) {
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out[s] = true
			}
		}
	case []string:
		for _, s := range l {
			out[s] = true
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dedupe removes identical branches (after compaction two refs often
// collapse to the same shape).
func dedupe(branches []any) []any {
	seen := map[string]bool{}
	var out []any
	for _, b := range branches {
		k := canonical(b)
		if !seen[k] {
			seen[k] = true
			out = append(out, b)
		}
	}
	return out
}

// collapseUnion merges object variants into the fields they all share; a
// field whose variants are constants (a discriminator) becomes an enum.
// It returns nil when collapsing is off or a variant is not an object.
func (c *compactor) collapseUnion(branches []any, depth int, stack []string) map[string]any {
	if !c.collapse || len(branches) < 2 {
		return nil
	}
	var variants []map[string]any
	for _, b := range branches {
		v := c.convert(b, depth, stack)
		if _, ok := v["properties"].(map[string]any); !ok {
			return nil
		}
		variants = append(variants, v)
	}
	c.cut = true
	first := variants[0]["properties"].(map[string]any)
	props := map[string]any{}
	var required []string
	for _, name := range sortedKeys(first) {
		var consts []any
		shared, allConst := true, true
		for _, v := range variants {
			p, ok := v["properties"].(map[string]any)[name].(map[string]any)
			if !ok {
				shared = false
				break
			}
			switch {
			case p["const"] != nil:
				consts = append(consts, p["const"])
			case len(asList(p["enum"])) == 0 && p["enum"] != nil:
			default:
				if e, ok := p["enum"].([]any); ok && len(e) == 1 {
					consts = append(consts, e[0])
				} else {
					allConst = false
				}
			}
		}
		if !shared {
			continue
		}
		if allConst && len(consts) == len(variants) {
			props[name] = map[string]any{"type": "string", "enum": dedupe(consts), "description": "Variant."}
		} else {
			props[name] = first[name]
		}
		isReq := true
		for _, v := range variants {
			if !stringSet(v["required"])[name] {
				isReq = false
			}
		}
		if isReq {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}
