package gen

// Untyped schemas. OpenAPI lets a value be anything by giving it no
// schema keywords at all (Lightdash's AnyType, PostHog's job_inputs,
// FastAPI's untyped `poll` parameter); compacted, such a value is a bare
// `{}` or a schema holding only a description, which strict MCP clients
// (the Inspector's --strict, some model APIs) warn about or reject. Every
// such input schema is given a type here:
//
//   - a path or query parameter travels as text, so it accepts the
//     scalars: ["string", "number", "boolean"];
//   - anything else (a body field, an array's items, a map's values) is an
//     object: the APIs' untyped body values are JSON objects (explores,
//     filter groups, connection inputs).

// scalarTypes are the types of an untyped path or query parameter.
var scalarTypes = []any{"string", "number", "boolean"}

// typing keywords give a schema a type, or say which values it admits.
var typing = []string{"type", "$ref", "anyOf", "oneOf", "allOf", "not", "enum", "const"}

// untyped reports whether a schema admits any value for want of typing
// keywords.
func untyped(s map[string]any) bool {
	for _, k := range typing {
		if _, ok := s[k]; ok {
			return false
		}
	}
	return true
}

// typeBare gives every untyped subschema of an input schema a type; params
// names the top-level arguments that are path or query parameters.
func typeBare(schema map[string]any, params map[string]bool) {
	for name, p := range asMap(schema["properties"]) {
		ps, ok := p.(map[string]any)
		if !ok {
			continue
		}
		if params[name] && untyped(ps) {
			ps["type"] = append([]any(nil), scalarTypes...)
			continue
		}
		typeSubschemas(ps)
	}
}

// typeSubschemas types s (a body value) and the schemas nested in it.
func typeSubschemas(s map[string]any) {
	if untyped(s) {
		s["type"] = "object"
	}
	for _, p := range asMap(s["properties"]) {
		if ps, ok := p.(map[string]any); ok {
			typeSubschemas(ps)
		}
	}
	for _, key := range []string{"items", "additionalProperties"} {
		if sub, ok := s[key].(map[string]any); ok {
			typeSubschemas(sub)
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		list, _ := s[key].([]any)
		for _, b := range list {
			if bs, ok := b.(map[string]any); ok {
				typeSubschemas(bs)
			}
		}
	}
}

// asStrings reads a list of names ([]string, or []any as decoded JSON).
func asStrings(v any) []string {
	switch l := v.(type) {
	case []string:
		return append([]string(nil), l...)
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
