package gen

import (
	"strings"
)

// ProjectionArg is the optional argument that narrows a large or list
// answer to the fields a model asks for.
const ProjectionArg = "fields"

// largeAnswer is how many top-level fields (of the answer, or of its
// "results"/"data" envelope) make an object answer worth projecting.
const largeAnswer = 15

// largeSchema is the size (characters of its compacted JSON Schema) past
// which an object answer counts as large whatever its field count.
const largeSchema = 4000

// envelopes are the wrapper fields the APIs put their payload in.
var envelopes = []string{"results", "data"}

// projection reports whether an operation's success answer is a list or a
// large object, and returns a gjson path that fits its shape as example.
// Only reads get the argument on their own (GET); another method gets it
// when overrides.json says so (a POST that searches, say).
func projection(doc, raw map[string]any, method string, force *bool) (string, bool) {
	if force != nil && !*force || force == nil && method != "get" {
		return "", false
	}
	s := successSchema(doc, raw)
	if s == nil {
		return "", false
	}
	c := &compactor{doc: doc, mode: response, maxDepth: 4}
	out := c.convert(s, 0, nil)
	if items, ok := arrayItems(out); ok {
		return itemPath("items", items), true // the tool result wraps a top-level array as {"items": [...]}
	}
	target, prefix := objectVariant(out), ""
	for _, env := range envelopes {
		inner, ok := asMap(target["properties"])[env].(map[string]any)
		if !ok {
			continue
		}
		if items, ok := arrayItems(inner); ok {
			return itemPath(env, items), true
		}
		target, prefix = objectVariant(inner), env+"."
		break
	}
	props := asMap(target["properties"])
	if len(props) >= largeAnswer || len(canonical(target)) > largeSchema {
		return prefix + pickField(target, "name", "status", "id", "uuid"), true
	}
	// A list of objects, preferring one whose items have a name or an id.
	best := ""
	for _, name := range sortedKeys(props) {
		items, ok := arrayItems(asMap(props[name]))
		if !ok {
			continue
		}
		path := prefix + itemPath(name, items)
		if len(asMap(objectVariant(items)["properties"])) == 0 {
			if items["type"] == "object" && best == "" {
				best = prefix + name + ".#.name" // rows of free-form objects
			}
			continue
		}
		if best == "" {
			best = path
		}
		ip := asMap(objectVariant(items)["properties"])
		if ip["name"] != nil || ip["id"] != nil {
			return path, true
		}
	}
	return best, best != ""
}

// objectVariant returns the first object variant of a union, or s itself.
func objectVariant(s map[string]any) map[string]any {
	for _, b := range asAnyList(s["anyOf"]) {
		if len(asMap(asMap(b)["properties"])) > 0 {
			return asMap(b)
		}
	}
	return s
}

// itemPath is a gjson path to a field of each item of an array:
// "results.#.name", or the array itself when its items are not objects.
// Paths are into the tool result, where a top-level array is "items".
func itemPath(array string, items map[string]any) string {
	items = objectVariant(items)
	if len(asMap(items["properties"])) == 0 {
		return array
	}
	return array + ".#." + pickField(items, "name", "id", "uuid", "status", "table", "label")
}

// successSchema is the JSON schema of the first 2xx answer, or nil.
func successSchema(doc, raw map[string]any) map[string]any {
	c := &compactor{doc: doc}
	responses, _ := raw["responses"].(map[string]any)
	for _, code := range sortedKeys(responses) {
		if !strings.HasPrefix(code, "2") {
			continue
		}
		resp, _, _ := c.deref(asMap(responses[code]), nil)
		content, _ := resp["content"].(map[string]any)
		media, _ := content["application/json"].(map[string]any)
		if media == nil {
			return nil
		}
		s, _ := media["schema"].(map[string]any)
		return s
	}
	return nil
}

// arrayItems returns the item schema of an array (or of a union with an
// array branch).
func arrayItems(s map[string]any) (map[string]any, bool) {
	if s["type"] == "array" || s["items"] != nil {
		return asMap(s["items"]), true
	}
	for _, b := range asAnyList(s["anyOf"]) {
		if items, ok := arrayItems(asMap(b)); ok {
			return items, true
		}
	}
	return nil, false
}

// pickField names a field of an object a model would typically want: the
// first of the preferred names it has, else a ...name or ...uuid field,
// else its first field.
func pickField(s map[string]any, preferred ...string) string {
	props, _ := s["properties"].(map[string]any)
	for _, want := range preferred {
		if _, ok := props[want]; ok {
			return want
		}
	}
	for _, k := range sortedKeys(props) {
		if strings.HasSuffix(strings.ToLower(k), "name") || strings.HasSuffix(strings.ToLower(k), "uuid") {
			return k
		}
	}
	if keys := sortedKeys(props); len(keys) > 0 {
		return keys[0]
	}
	return "name"
}
