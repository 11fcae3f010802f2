package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
)

// Projection: a tool that returns a list or a large object accepts an
// optional "fields" argument, a list of gjson paths
// (https://github.com/tidwall/gjson/blob/master/SYNTAX.md) into its answer
// as the tool result shows it (so a top-level JSON array is "items").
//
// A plain path, made of keys and "#" (every element of an array), keeps
// the answer's shape: ["items.#.id", "items.#.name"] returns
// {"items": [{"id": …, "name": …}, …]} with every element still there (an
// element without the key becomes {}), so a count the model reads is the
// real count. Any other gjson expression (an array index such as
// "items.0", a query such as `items.#(status=="error")#.id`, a modifier
// such as "results|@keys", a count such as "items.#") is evaluated by
// gjson and its value returned under the path itself as a top-level key.
//
// A path that matches nothing is not dropped silently: it is listed in
// "_fields_not_found" and named in the result's leading sentence. A path
// that is not valid gjson syntax makes the call fail, before anything is
// sent upstream, with an error naming the argument.

// FieldsArg is the name of the projection argument of generated tools.
const FieldsArg = "fields"

// FieldsDescription describes the projection argument in input schemas.
// The generator writes its own, with an example path that fits the tool.
const FieldsDescription = `Return only these gjson paths of the answer, keeping its shape ("#" = every element), e.g. ["items.#.id","items.#.name"]; queries and modifiers come back under their own path.`

// notFoundKey lists requested paths that matched nothing.
const notFoundKey = "_fields_not_found"

const (
	maxFields    = 100
	maxFieldPath = 512
)

// fieldsArg reads the projection argument: nil when absent, an error
// message naming the argument when it is malformed.
func fieldsArg(arg string, args map[string]any) ([]string, error) {
	v, ok := args[arg]
	if !ok || v == nil {
		return nil, nil
	}
	var paths []string
	switch x := v.(type) {
	case []string:
		paths = x
	case []any:
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("argument %q at %d: got %s, want a gjson path string such as \"items.#.name\"", arg, i, jsonKind(item))
			}
			paths = append(paths, s)
		}
	default:
		return nil, fmt.Errorf("argument %q: got %s, want an array of gjson paths such as [\"items.#.name\"]", arg, jsonKind(v))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("argument %q: got an empty list; leave it out for the whole answer or name at least one gjson path such as \"items.#.name\"", arg)
	}
	if len(paths) > maxFields {
		return nil, fmt.Errorf("argument %q: got %d paths, want at most %d", arg, len(paths), maxFields)
	}
	for _, p := range paths {
		if problem := checkPath(p); problem != "" {
			return nil, fmt.Errorf("argument %q: %q is not a valid gjson path (%s); use dot-separated keys with \"#\" for every element of an array, e.g. \"items.#.name\"", arg, p, problem)
		}
	}
	return paths, nil
}

// checkPath reports what makes p unusable as a gjson path, or "". gjson
// itself answers "nothing" for a malformed path, which would be reported
// as a missing field; this check tells a typo from an absent value.
func checkPath(p string) string {
	if strings.TrimSpace(p) == "" {
		return "it is empty"
	}
	if len(p) > maxFieldPath {
		return fmt.Sprintf("it is longer than %d characters", maxFieldPath)
	}
	var stack []byte
	inQuote := false
	comp := 0 // length of the current component
	compStart := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if inQuote {
			switch c {
			case '\\':
				i++
			case '"':
				inQuote = false
			}
			continue
		}
		switch c {
		case '\\':
			if i+1 >= len(p) {
				return "it ends with a lone backslash"
			}
			i++
			comp += 2
			continue
		case '"':
			if len(stack) == 0 {
				return "a quote outside a query"
			}
			inQuote = true
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			open := map[byte]byte{')': '(', ']': '[', '}': '{'}[c]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return fmt.Sprintf("unbalanced %q", string(c))
			}
			stack = stack[:len(stack)-1]
		case '.', '|':
			if len(stack) == 0 {
				if comp == 0 {
					return "an empty key between separators"
				}
				if problem := checkModifier(p[compStart:i]); problem != "" {
					return problem
				}
				comp, compStart = 0, i+1
				continue
			}
		}
		comp++
	}
	switch {
	case inQuote:
		return "an unclosed quote"
	case len(stack) > 0:
		return fmt.Sprintf("unclosed %q", string(stack[len(stack)-1]))
	case comp == 0:
		return "it ends with a separator"
	}
	return checkModifier(p[compStart:])
}

func checkModifier(comp string) string {
	if !strings.HasPrefix(comp, "@") {
		return ""
	}
	name, _, _ := strings.Cut(comp[1:], ":")
	if !gjson.ModifierExists(name, nil) {
		return fmt.Sprintf("unknown modifier @%s", name)
	}
	return ""
}

// plainPath splits a path made only of keys and "#" into unescaped
// components; ok is false for any other gjson expression.
func plainPath(p string) ([]string, bool) {
	var comps []string
	var cur strings.Builder
	special := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 < len(p) {
				i++
				cur.WriteByte(p[i])
			}
			continue
		case '.':
			comps = append(comps, cur.String())
			cur.Reset()
			continue
		case '*', '?', '@', '(', ')', '[', ']', '{', '}', '|', '!', '"', '=', '<', '>', '%':
			special = true
		case '#':
			if cur.Len() > 0 || (i+1 < len(p) && p[i+1] != '.') {
				special = true
			}
		}
		cur.WriteByte(c)
	}
	comps = append(comps, cur.String())
	if special {
		return nil, false
	}
	// "items.#" is a count in gjson, not a shape.
	if comps[len(comps)-1] == "#" {
		return nil, false
	}
	return comps, true
}

// prune returns the part of v selected by comps, keeping v's shape;
// found says whether anything was selected, plain is false when the path
// indexes an array by number (then gjson evaluates it instead).
func prune(v any, comps []string) (sel any, found, plain bool) {
	if len(comps) == 0 {
		return v, true, true
	}
	c, rest := comps[0], comps[1:]
	switch x := v.(type) {
	case map[string]any:
		child, ok := x[c]
		if !ok || c == "#" {
			return nil, false, true
		}
		sub, ok, isPlain := prune(child, rest)
		if !isPlain || !ok {
			return nil, ok, isPlain
		}
		return map[string]any{c: sub}, true, true
	case []any:
		if c != "#" {
			return nil, false, false
		}
		out := make([]any, len(x))
		hit := len(x) == 0 // an empty list is a real, empty answer
		for i, el := range x {
			sub, ok, isPlain := prune(el, rest)
			if !isPlain {
				return nil, false, false
			}
			switch {
			case ok:
				out[i] = sub
				hit = true
			case isObject(el):
				out[i] = map[string]any{}
			default:
				out[i] = nil
			}
		}
		return out, hit, true
	default:
		return nil, false, true
	}
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// merge unions two pruned values of the same original.
func merge(a, b any) any {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return b
		}
		out := make(map[string]any, len(x)+len(y))
		for k, v := range x {
			out[k] = v
		}
		for k, v := range y {
			if old, ok := out[k]; ok {
				out[k] = merge(old, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return b
		}
		out := make([]any, len(x))
		for i := range x {
			switch {
			case x[i] == nil:
				out[i] = y[i]
			case y[i] == nil:
				out[i] = x[i]
			default:
				out[i] = merge(x[i], y[i])
			}
		}
		return out
	default:
		return b
	}
}

// project reduces an answer to the given paths (already checked with
// fieldsArg). missing lists the paths that matched nothing, in request
// order; they are also listed under "_fields_not_found" in the result.
func project(answer map[string]any, paths []string) (map[string]any, []string) {
	out := map[string]any{}
	var missing []string
	var doc string // the answer as JSON, rendered once for gjson
	for _, p := range paths {
		if comps, ok := plainPath(p); ok {
			sub, found, plain := prune(answer, comps)
			if plain {
				if !found {
					missing = appendOnce(missing, p)
					continue
				}
				for k, v := range sub.(map[string]any) {
					if old, ok := out[k]; ok {
						out[k] = merge(old, v)
					} else {
						out[k] = v
					}
				}
				continue
			}
		}
		if doc == "" {
			b, err := json.Marshal(answer)
			if err != nil {
				missing = appendOnce(missing, p)
				continue
			}
			doc = string(b)
		}
		r := gjson.Get(doc, p)
		if !r.Exists() {
			missing = appendOnce(missing, p)
			continue
		}
		out[p] = decodeRaw(r.Raw)
	}
	if len(missing) > 0 {
		list := make([]any, len(missing))
		for i, m := range missing {
			list[i] = m
		}
		out[notFoundKey] = list
	}
	return out, missing
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// decodeRaw turns a gjson result back into the value types answers use.
func decodeRaw(raw string) any {
	var v any
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return raw
	}
	return v
}

// missingSentence is the leading sentence of a projected result some of
// whose paths matched nothing; it names the answer's top-level keys so
// the next call can name real ones.
func missingSentence(missing []string, answer map[string]any) string {
	quoted := make([]string, len(missing))
	for i, m := range missing {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	keys := make([]string, 0, len(answer))
	for k := range answer {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	more := ""
	if len(keys) > 20 {
		more = fmt.Sprintf(" and %d more", len(keys)-20)
		keys = keys[:20]
	}
	top := "it has no top-level keys"
	if len(keys) > 0 {
		top = "its top-level keys are " + strings.Join(keys, ", ") + more
	}
	noun := "path"
	if len(missing) > 1 {
		noun = "paths"
	}
	return fmt.Sprintf("Nothing in the answer matched the fields %s %s (listed in %s); %s.", noun, strings.Join(quoted, ", "), notFoundKey, top)
}
