package sandbox

import (
	"math"
	"unicode/utf8"
)

// jsonValue returns what jsonClone(v) returns — a deep copy of v in the JSON
// data model (map[string]any, []any, string, float64, bool, nil) — without
// encoding and decoding: a handler's answer is mostly made of those types
// already (plus ints and string slices), and the round trip through
// encoding/json was a good part of every request's cost. Anything else (a
// struct, a named type, a json.Marshaler, a float32, a string that is not
// valid UTF-8, a non-finite number) goes through jsonClone, so the result is
// the same for every value, down to errors (which panic, as jsonClone does).
func jsonValue(v any) any { return jsonValueDepth(v, 0) }

// jsonValueMaxDepth hands deeper values to jsonClone, which detects cycles
// (a cyclic value would otherwise recurse until the stack overflows).
const jsonValueMaxDepth = 512

func jsonValueDepth(v any, depth int) any {
	if depth > jsonValueMaxDepth {
		return jsonClone(v)
	}
	// Leaves already in the JSON data model are returned as they came (the
	// same interface value, so nothing is boxed again).
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if utf8.ValidString(x) {
			return v
		}
	case bool:
		return v
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return v
		}
	// Integers: encoding/json writes their decimal digits and decoding parses
	// them into the nearest float64, which is what the conversion gives too
	// (both round to nearest even).
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case uint:
		return float64(x)
	case uint64:
		return float64(x)
	case uint32:
		return float64(x)
	case map[string]any:
		return mapValue(x, depth)
	case map[string]string:
		return mapValue(x, depth)
	case []any:
		return sliceValue(x, depth)
	case []string:
		return sliceValue(x, depth)
	case []map[string]any:
		return sliceValue(x, depth)
	}
	return jsonClone(v)
}

// mapValue is jsonValueDepth of a map: keys that are not valid UTF-8 go
// through jsonClone, which replaces bad bytes as encoding/json does.
func mapValue[E any](x map[string]E, depth int) any {
	if x == nil {
		return nil
	}
	out := make(map[string]any, len(x))
	for k, e := range x {
		if !utf8.ValidString(k) {
			return jsonClone(x)
		}
		out[k] = jsonValueDepth(e, depth+1)
	}
	return out
}

// sliceValue is jsonValueDepth of a slice.
func sliceValue[E any](x []E, depth int) any {
	if x == nil {
		return nil
	}
	out := make([]any, len(x))
	for i, e := range x {
		out[i] = jsonValueDepth(e, depth+1)
	}
	return out
}

// deepCopy copies the maps and slices of a JSON-model value (leaves are
// immutable and shared), so a cached value can be handed out and completed
// in place.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
