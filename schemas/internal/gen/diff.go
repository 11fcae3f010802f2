package gen

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/schemas"
)

// Readable differences between two catalogues, or two schemas: what a spec
// refresh changes in the tool surface (`go run ./schemas/gen -diff`), and
// what the drift test prints when the catalogue no longer matches a spec.

// SchemaChanges lists how JSON Schema b differs from a, one line per
// location, where a location is a dotted path of property names ("[]" for
// array items, "{}" for map values, "|N" for union branch N):
//
//   - results.pagination: {"type":["object","null"]}
//   - results.groups
//     ~ results.data: type "array" → "object"
//
// Nil when they are the same.
func SchemaChanges(a, b json.RawMessage) []string {
	var am, bm map[string]any
	_ = json.Unmarshal(orEmpty(a), &am)
	_ = json.Unmarshal(orEmpty(b), &bm)
	var out []string
	schemaChanges("", am, bm, &out)
	return out
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// nested keywords are compared by walking into them, the others by value.
var nested = map[string]bool{"properties": true, "items": true, "additionalProperties": true, "anyOf": true, "oneOf": true, "allOf": true}

func schemaChanges(path string, a, b map[string]any, out *[]string) {
	at := path
	if at == "" {
		at = "(top)"
	}
	switch {
	case a == nil && b == nil:
		return
	case a == nil:
		*out = append(*out, fmt.Sprintf("+ %s: %s", at, canonical(b)))
		return
	case b == nil:
		*out = append(*out, "- "+at)
		return
	}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		if nested[k] {
			continue
		}
		av, aok := a[k]
		bv, bok := b[k]
		switch {
		case !aok:
			*out = append(*out, fmt.Sprintf("~ %s: %s added: %s", at, k, short(bv)))
		case !bok:
			*out = append(*out, fmt.Sprintf("~ %s: %s removed (was %s)", at, k, short(av)))
		case canonical(av) != canonical(bv):
			*out = append(*out, fmt.Sprintf("~ %s: %s %s → %s", at, k, short(av), short(bv)))
		}
	}
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	ap, bp := asMap(a["properties"]), asMap(b["properties"])
	names := map[string]bool{}
	for k := range ap {
		names[k] = true
	}
	for k := range bp {
		names[k] = true
	}
	for _, k := range sortedKeys(names) {
		schemaChanges(join(k), mapOrNil(ap[k]), mapOrNil(bp[k]), out)
	}
	schemaChanges(path+"[]", mapOrNil(a["items"]), mapOrNil(b["items"]), out)
	schemaChanges(path+"{}", mapOrNil(a["additionalProperties"]), mapOrNil(b["additionalProperties"]), out)
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		al, bl := asAnyList(a[k]), asAnyList(b[k])
		for i := 0; i < max(len(al), len(bl)); i++ {
			var x, y map[string]any
			if i < len(al) {
				x = mapOrNil(al[i])
			}
			if i < len(bl) {
				y = mapOrNil(bl[i])
			}
			schemaChanges(fmt.Sprintf("%s|%s%d", path, strings.ToLower(k[:3]), i), x, y, out)
		}
	}
}

func mapOrNil(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// short renders a keyword's value for a change line.
func short(v any) string {
	s := canonical(v)
	if len(s) > 80 {
		return s[:79] + "…"
	}
	return s
}

// CatalogChanges describes how the tool surface after differs from
// before: tools added, removed and renamed (the same provider and
// operationId, or the same method and path, under another name), and for
// every tool in both the changes of its description, arguments (the full
// input schema, and what the compact listing shows) and output schema. It
// is "" when nothing changed.
func CatalogChanges(before, after []schemas.Operation) string {
	type key struct{ provider, id string }
	type route struct{ provider, method, path string }
	byID, byRoute := map[key]*schemas.Operation{}, map[route]*schemas.Operation{}
	for i := range before {
		op := &before[i]
		byID[key{op.Provider, op.OperationID}] = op
		byRoute[route{op.Provider, op.Method, op.Path}] = op
	}
	matched := map[*schemas.Operation]bool{}
	var added, renamed, changed []string
	for i := range after {
		op := &after[i]
		old := byID[key{op.Provider, op.OperationID}]
		if old == nil || matched[old] {
			old = byRoute[route{op.Provider, op.Method, op.Path}]
		}
		if old == nil || matched[old] {
			added = append(added, fmt.Sprintf("  + %s (%s %s, %s)", op.Name, op.Method, op.Path, op.OperationID))
			continue
		}
		matched[old] = true
		if old.Name != op.Name {
			renamed = append(renamed, fmt.Sprintf("  %s → %s", old.Name, op.Name))
		}
		if lines := toolChanges(old, op); len(lines) > 0 {
			changed = append(changed, "  "+op.Name+":")
			for _, l := range lines {
				changed = append(changed, "    "+l)
			}
		}
	}
	var removed []string
	for i := range before {
		if op := &before[i]; !matched[op] {
			removed = append(removed, fmt.Sprintf("  - %s (%s %s, %s)", op.Name, op.Method, op.Path, op.OperationID))
		}
	}
	var b strings.Builder
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n%s\n", title, countTools(lines), strings.Join(lines, "\n"))
	}
	if b.Len() == 0 && len(added)+len(removed)+len(renamed)+len(changed) > 0 {
		fmt.Fprintf(&b, "tools: %d before, %d after\n", len(before), len(after))
	}
	section("added", added)
	section("removed", removed)
	section("renamed", renamed)
	section("changed", changed)
	return b.String()
}

// countTools counts the tools a section lists (changed tools take several
// lines, the first unindented past two spaces).
func countTools(lines []string) int {
	n := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "    ") {
			n++
		}
	}
	return n
}

// toolChanges lists what differs between two versions of one tool.
func toolChanges(a, b *schemas.Operation) []string {
	var out []string
	if a.Description != b.Description {
		out = append(out, fmt.Sprintf("description: %q → %q", a.Description, b.Description))
	}
	if a.Toolset != b.Toolset {
		out = append(out, fmt.Sprintf("toolset: %s → %s", a.Toolset, b.Toolset))
	}
	if a.Method != b.Method || a.Path != b.Path {
		out = append(out, fmt.Sprintf("route: %s %s → %s %s", a.Method, a.Path, b.Method, b.Path))
	}
	full := func(op *schemas.Operation) json.RawMessage {
		if len(op.FullInputSchema) > 0 {
			return op.FullInputSchema
		}
		return op.InputSchema
	}
	for _, part := range []struct {
		name string
		a, b json.RawMessage
	}{
		{"arguments", full(a), full(b)},
		{"listed arguments", a.InputSchema, b.InputSchema},
		{"output", a.OutputSchema, b.OutputSchema},
	} {
		lines := SchemaChanges(part.a, part.b)
		if part.name == "listed arguments" {
			// What the compact listing shows only matters where the full
			// schema did not change the same way.
			lines = minus(lines, SchemaChanges(full(a), full(b)))
		}
		for _, l := range lines {
			out = append(out, part.name+" "+l)
		}
	}
	return out
}

func minus(a, b []string) []string {
	seen := map[string]bool{}
	for _, x := range b {
		seen[x] = true
	}
	var out []string
	for _, x := range a {
		if !seen[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
