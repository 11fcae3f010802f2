package contracttest

import (
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// Answers derived mechanically from a response schema. Each variant is a
// way a real answer may legitimately look: every declared field present,
// only the required ones, optional and nullable fields null, and the first
// or the last branch of every union. A derived value is used only if it
// validates against the spec (checked by the caller), so the deriver may
// be simple: where it guesses wrong (a pattern, a tricky union), the
// variant is dropped, never served.

// variant says how a deriver fills a schema.
type variant struct {
	name     string
	optional bool // include optional properties
	nulls    bool // null wherever null is allowed (nullable or 3.1 "null")
	last     bool // the last branch of unions and enums instead of the first
}

var variants = []variant{
	{name: "every field", optional: true},
	{name: "every field, last branches", optional: true, last: true},
	{name: "required fields only"},
	{name: "nulls where allowed", optional: true, nulls: true},
}

// maxDeriveDepth bounds recursion (specs have recursive schemas).
const maxDeriveDepth = 9

type deriver struct {
	v variant
}

// value derives a JSON value (as encoding/json decodes it) for ref.
func (d *deriver) value(ref *openapi3.SchemaRef, name string, depth int) any {
	if ref == nil || ref.Value == nil || depth > maxDeriveDepth {
		return nil
	}
	s := ref.Value
	if d.v.nulls && allowsNull(s) {
		return nil
	}
	if s.Const != nil {
		return s.Const
	}
	if len(s.Enum) > 0 {
		if d.v.last {
			return s.Enum[len(s.Enum)-1]
		}
		return s.Enum[0]
	}
	if s.Example != nil && depth > 0 {
		return s.Example
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			switch v := d.value(part, name, depth).(type) {
			case map[string]any:
				for k, x := range v {
					merged[k] = x
				}
			case nil:
			default:
				return v // allOf wrapping a scalar schema (a $ref with siblings)
			}
		}
		if own, ok := d.object(s, depth).(map[string]any); ok {
			for k, v := range own {
				merged[k] = v
			}
		}
		return merged
	}
	for _, alts := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf} {
		var nonNull openapi3.SchemaRefs
		for _, a := range alts {
			if a.Value != nil && !(a.Value.Type != nil && a.Value.Type.Is("null")) {
				nonNull = append(nonNull, a)
			}
		}
		if len(nonNull) > 0 {
			if d.v.last {
				return d.value(nonNull[len(nonNull)-1], name, depth)
			}
			return d.value(nonNull[0], name, depth)
		}
	}
	switch {
	case s.Type.Includes("object") || len(s.Properties) > 0:
		return d.object(s, depth)
	case s.Type.Includes("array"):
		n := int(s.MinItems)
		if d.v.optional && n == 0 {
			n = 1
		}
		out := make([]any, 0, n)
		for range n {
			out = append(out, d.value(s.Items, name, depth+1))
		}
		return out
	case s.Type.Includes("string"):
		return str(s)
	case s.Type.Includes("integer"):
		return float64(int(bound(s, 3)))
	case s.Type.Includes("number"):
		return bound(s, 2.5)
	case s.Type.Includes("boolean"):
		return !d.v.last
	}
	// No type: anything goes; say something of each kind.
	if d.v.last {
		return map[string]any{"note": "untyped"}
	}
	return "untyped"
}

// object derives the properties of an object schema.
func (d *deriver) object(s *openapi3.Schema, depth int) any {
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	out := map[string]any{}
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p := s.Properties[k]
		if p.Value != nil && p.Value.WriteOnly {
			continue
		}
		if !required[k] && !d.v.optional {
			continue
		}
		out[k] = d.value(p, k, depth+1)
	}
	if len(names) == 0 && d.v.optional && s.AdditionalProperties.Schema != nil {
		out["key1"] = d.value(s.AdditionalProperties.Schema, "key1", depth+1)
	}
	return out
}

func allowsNull(s *openapi3.Schema) bool {
	if s.Nullable || (s.Type != nil && s.Type.Includes("null")) {
		return true
	}
	for _, alts := range []openapi3.SchemaRefs{s.AnyOf, s.OneOf} {
		for _, a := range alts {
			if a.Value != nil && a.Value.Type != nil && a.Value.Type.Is("null") {
				return true
			}
		}
	}
	return false
}

func bound(s *openapi3.Schema, def float64) float64 {
	switch {
	case s.Min != nil && *s.Min > def:
		return *s.Min + 1
	case s.Max != nil && *s.Max < def:
		return *s.Max
	}
	return def
}

func str(s *openapi3.Schema) string {
	switch s.Format {
	case "date-time":
		return "2026-12-01T10:00:00Z"
	case "date":
		return "2026-12-01"
	case "uuid":
		return "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
	case "email":
		return "ana@example.com"
	case "uri", "url":
		return "https://example.com/x"
	}
	v := "text"
	for uint64(len(v)) < s.MinLength {
		v += "x"
	}
	return v
}
