package gen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/datastack-mcp/datastack-mcp/schemas/tokens"
)

// Budget is the default most o200k tokens one tool may cost a model in
// tools/list: the compact JSON of its name, description and input schema.
// The generator renders each tool ever more coarsely until it fits; the
// full shape stays in FullInputSchema.
const Budget = 300

// Notes end a tool description when the listing leaves something out.
const (
	noteFields = "More optional fields: see describe_tool."
	noteNested = "Nested shapes: see describe_tool."
	noteBoth   = "More optional fields and nested shapes: see describe_tool."
)

// maxPattern is the longest regular expression a compact schema shows.
const maxPattern = 40

// shorten cuts an argument description to about max characters, dropping
// a trailing example rather than cutting through it.
func shorten(d string, max int) string {
	d = firstSentences(d, 1, 1000)
	if len(d) <= max {
		return d
	}
	for _, marker := range []string{" (e.g.", ", e.g.", "; e.g.", " e.g."} {
		if i := strings.Index(d, marker); i > 0 && i <= max {
			return strings.TrimRight(d[:i], " ,;:") + "."
		}
	}
	return firstSentences(d, 1, max)
}

// topDescription is how long an argument description may stay when a tool
// is over budget.
const topDescription = 80

// clone deep-copies a JSON value and normalises it to what encoding/json
// decodes ([]any, map[string]any, float64).
func clone(v any) map[string]any {
	b, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// children calls f for every subschema of s with its level: properties are
// one level deeper than their object; items, additionalProperties and union
// branches stay at the level of the schema that holds them.
func children(s map[string]any, level int, f func(child map[string]any, level int, name string)) {
	if props, ok := s["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			if p, ok := props[name].(map[string]any); ok {
				f(p, level+1, name)
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if m, ok := s[k].(map[string]any); ok {
			f(m, level, "")
		}
	}
	for _, k := range []string{"anyOf", "oneOf", "allOf"} {
		for _, b := range asAnyList(s[k]) {
			if m, ok := b.(map[string]any); ok {
				f(m, level, "")
			}
		}
	}
}

// tidy removes what carries no information for anyone, in the full schema
// too: descriptions that only repeat the property name, defaults a model
// would assume (false, empty, the const itself, page 1, offset 0), numeric
// formats JSON Schema does not check, and the "Variant." marker of
// collapsed unions.
//
// context holds the words of the tool name: an argument description that
// only combines them with the argument's name ("The uuid of the space to
// update" for spaceUuid of update_space) says nothing either.
func tidy(s map[string]any, level int, name string, context map[string]bool) {
	if d, ok := s["description"].(string); ok && (d == "Variant." || tsoaNoise(d) || (name != "" && echoes(name, d, context))) {
		delete(s, "description")
	}
	if def, ok := s["default"]; ok && obviousDefault(name, def, s["const"]) {
		delete(s, "default")
	}
	if props, ok := s["properties"].(map[string]any); ok && len(props) == 0 && level > 0 {
		delete(s, "properties")
	}
	switch s["format"] {
	case "double", "float", "int32", "int64", "decimal":
		delete(s, "format")
	}
	children(s, level, func(c map[string]any, l int, n string) {
		if n == "" {
			n = name // an item or branch is described by its holder's name
		}
		ctx := context
		if l > 1 {
			ctx = nil // the tool name says nothing of nested fields
		}
		tidy(c, l, n, ctx)
	})
}

// tsoaNoise reports the generic descriptions TypeScript utility types
// (Pick, Record, Partial, Omit) leave in tsoa-generated specs.
func tsoaNoise(d string) bool {
	for _, p := range []string{"From T, pick", "Construct a type with", "Make all properties in T", "From T, omit"} {
		if strings.HasPrefix(d, p) {
			return true
		}
	}
	return false
}

func obviousDefault(name string, def, constant any) bool {
	switch d := def.(type) {
	case nil:
		return true
	case bool:
		return !d
	case string:
		return d == "" || d == constant
	case []any:
		return len(d) == 0
	case map[string]any:
		return len(d) == 0
	case float64:
		n := strings.ToLower(name)
		return (d == 0 && (n == "offset" || n == "skip")) || (d == 1 && n == "page")
	}
	return false
}

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the of to for in on at by from with this that these those is are be
		it its which who whose your you s unique given specified optional value used use string identifying
		identifies associated get list retrieve fetch parent indicates whether`) {
		stopWords[w] = true
	}
}

// echoes reports whether a description says no more than the property
// name: "the uuid of the dashboard" for dashboardUuid, "Host" for host.
func echoes(name, desc string, context map[string]bool) bool {
	nw := map[string]bool{}
	for w := range context {
		nw[w] = true
	}
	for _, w := range words(snake(name)) {
		nw[w] = true
	}
	if nw["id"] || nw["uuid"] {
		nw["id"], nw["uuid"], nw["identifier"] = true, true, true
	}
	ws := words(desc)
	if len(ws) == 0 {
		return true
	}
	for _, w := range ws {
		if stopWords[w] || nw[w] || nw[strings.TrimSuffix(w, "s")] || nw[w+"s"] {
			continue
		}
		return false
	}
	return true
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// renderOpts says how coarse a compact rendering is.
type renderOpts struct {
	nestedDesc bool            // drop descriptions below the arguments
	maxLevel   int             // objects at this level lose their properties; 0 = no limit
	topDesc    int             // cut argument descriptions to this length; 0 = as is
	drop       map[string]bool // optional arguments left out
	bigEnums   bool            // move enums longer than maxEnum into the description
	collapse   bool            // merge object unions into their shared fields
	nestedReq  bool            // nested objects keep only their required fields
}

// maxEnum is the longest enumeration a coarse rendering lists as an enum;
// a longer one becomes a count and a few examples in the description (the
// full schema keeps it and validates against it).
const maxEnum = 24

// render makes a compact rendering of a full input schema. It reports
// whether nested shapes were summarised.
func render(full map[string]any, o renderOpts) (map[string]any, bool) {
	s := clone(full)
	delete(s, "description") // the note about the full shape belongs to the full schema
	if props, ok := s["properties"].(map[string]any); ok {
		for name := range o.drop {
			delete(props, name)
		}
	}
	truncated := false
	var walk func(n map[string]any, level int)
	walk = func(n map[string]any, level int) {
		if p, _ := n["pattern"].(string); n["format"] != nil || len(p) > maxPattern {
			delete(n, "pattern") // the format says it more briefly; a long regex is for the validator
		}
		if d, _ := n["description"].(string); d == "Recursive structure." || (o.nestedDesc && level >= 2) {
			delete(n, "description")
		}
		if d, ok := n["description"].(string); ok && level == 1 && o.topDesc > 0 && len(d) > o.topDesc {
			n["description"] = shorten(d, o.topDesc)
		}
		if e, ok := n["enum"].([]any); ok && o.bigEnums && len(e) > maxEnum {
			d, _ := n["description"].(string)
			d = strings.TrimSuffix(d, ".")
			if !strings.Contains(d, "e.g.") {
				var ex []string
				for _, v := range e[:4] {
					ex = append(ex, fmt.Sprint(v))
				}
				d += "; e.g. " + strings.Join(ex, ", ")
			}
			n["description"] = strings.TrimPrefix(d+". One of "+strconv.Itoa(len(e))+" values (see describe_tool).", "; ")
			delete(n, "enum")
		}
		if props, ok := n["properties"].(map[string]any); ok && o.nestedReq && level >= 1 {
			req := stringSet(n["required"])
			if len(req) > 0 && len(req) < len(props) {
				for name := range props {
					if !req[name] {
						delete(props, name)
					}
				}
				if n["additionalProperties"] == false {
					delete(n, "additionalProperties") // the listing must not forbid what it leaves out
				}
				truncated = true
			}
		}
		if o.maxLevel > 0 && level >= o.maxLevel {
			_, hasProps := n["properties"]
			addl, _ := n["additionalProperties"].(map[string]any)
			if hasProps || addl != nil {
				truncated = true
				for _, k := range []string{"properties", "required", "additionalProperties", "minProperties", "maxProperties"} {
					delete(n, k)
				}
				n["type"] = "object"
			}
		}
		children(n, level, func(c map[string]any, l int, _ string) { walk(c, l) })
		simplifyUnion(n)
		if o.collapse && collapseObjects(n) {
			truncated = true
		}
	}
	walk(s, 0)
	return s, truncated
}

// simplifyUnion removes union branches that became identical; a single
// branch left replaces the union.
func simplifyUnion(n map[string]any) {
	for _, k := range []string{"anyOf", "oneOf"} {
		branches, ok := n[k].([]any)
		if !ok {
			continue
		}
		branches = dedupe(branches)
		if len(branches) > 1 {
			n[k] = branches
			continue
		}
		delete(n, k)
		if len(branches) == 1 {
			for bk, bv := range asMap(branches[0]) {
				if _, has := n[bk]; !has {
					n[bk] = bv
				}
			}
		}
	}
}

// collapseObjects replaces a union of object variants by one object with
// the fields every variant has; a field that is a constant in each variant
// (a discriminator such as "type") lists all of them as its enum.
func collapseObjects(n map[string]any) bool {
	for _, k := range []string{"anyOf", "oneOf"} {
		branches := asAnyList(n[k])
		if len(branches) < 2 {
			continue
		}
		var variants []map[string]any
		for _, b := range branches {
			v := asMap(b)
			if _, ok := v["properties"].(map[string]any); !ok {
				return false
			}
			variants = append(variants, v)
		}
		props := map[string]any{}
		var required []any
		first := asMap(variants[0]["properties"])
		for _, name := range sortedKeys(first) {
			var consts []any
			shared := true
			for _, v := range variants {
				p, ok := asMap(v["properties"])[name].(map[string]any)
				if !ok {
					shared = false
					break
				}
				if c, ok := p["const"]; ok {
					consts = append(consts, c)
				} else if e := asAnyList(p["enum"]); len(e) == 1 {
					consts = append(consts, e[0])
				}
			}
			if !shared {
				continue
			}
			if len(consts) == len(variants) {
				d := map[string]any{"enum": dedupe(consts)}
				if t, ok := asMap(first[name])["type"]; ok {
					d["type"] = t
				}
				props[name] = d
			} else {
				props[name] = first[name]
			}
			all := true
			for _, v := range variants {
				if !stringSet(v["required"])[name] {
					all = false
				}
			}
			if all {
				required = append(required, name)
			}
		}
		delete(n, k)
		n["type"] = "object"
		if len(props) > 0 {
			n["properties"] = props
		}
		if len(required) > 0 {
			n["required"] = required
		}
		return true
	}
	return false
}

// shrinkInput is what the budget search needs of one operation.
type shrinkInput struct {
	name      string
	text      string // the tool description without a note
	fullCut   bool   // the full schema itself summarises deep shapes
	full      map[string]any
	droppable []string // optional body arguments, least important first
	keep      map[string]bool
	budget    int
}

// shrink returns the first rendering of the tool that fits the budget,
// from the richest to the coarsest, with the description that goes with
// it, or the cheapest rendering when none fits.
func shrink(in shrinkInput) (map[string]any, string) {
	var best map[string]any
	bestDesc, bestCost := "", -1
	try := func(o renderOpts) bool {
		s, truncated := render(in.full, o)
		desc := withNote(in.text, len(o.drop) > 0, truncated || in.fullCut)
		b, _ := json.Marshal(s)
		cost := tokens.Count(tokens.View(in.name, desc, b))
		if bestCost < 0 || cost < bestCost {
			best, bestDesc, bestCost = s, desc, cost
		}
		if cost <= in.budget {
			best, bestDesc, bestCost = s, desc, cost
			return true
		}
		return false
	}
	stages := []renderOpts{
		{},
		{nestedDesc: true},
		{nestedDesc: true, collapse: true},
		{nestedDesc: true, collapse: true, maxLevel: 3},
		{nestedDesc: true, collapse: true, nestedReq: true},
		{nestedDesc: true, collapse: true, nestedReq: true, maxLevel: 3},
		{nestedDesc: true, collapse: true, nestedReq: true, maxLevel: 2},
		{nestedDesc: true, collapse: true, nestedReq: true, maxLevel: 2, topDesc: topDescription},
	}
	for _, bigEnums := range []bool{false, true} {
		for _, o := range stages {
			o.bigEnums = bigEnums
			if try(o) {
				return best, bestDesc
			}
		}
		// Leave out optional body arguments, least important first: at the
		// second-coarsest depth, first with whole descriptions, then with
		// short ones, only those the overrides do not keep; at the coarsest
		// depth, any.
		phases := []struct {
			maxLevel, topDesc int
			protect           bool
		}{{2, 0, true}, {2, topDescription, true}, {1, topDescription, false}}
		for _, ph := range phases {
			drop := map[string]bool{}
			o := renderOpts{nestedDesc: true, collapse: true, nestedReq: true, maxLevel: ph.maxLevel, topDesc: ph.topDesc, drop: drop, bigEnums: bigEnums}
			if try(o) {
				return best, bestDesc
			}
			for _, arg := range in.droppable {
				if ph.protect && in.keep[arg] {
					continue
				}
				drop[arg] = true
				if try(o) {
					return best, bestDesc
				}
			}
		}
	}
	return best, bestDesc
}

// withNote ends a description with where the left-out parts are, keeping
// it to two sentences.
func withNote(text string, fields, nested bool) string {
	note := ""
	switch {
	case fields && nested:
		note = noteBoth
	case fields:
		note = noteFields
	case nested:
		note = noteNested
	default:
		return text
	}
	return firstSentences(text, 1, 400) + " " + note
}
