package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/tidwall/gjson"
)

// validator checks tool arguments against the tool's input schema and says
// what is wrong in words a model can act on ("argument "limit": got string,
// want integer"). It uses santhosh-tekuri/jsonschema, the validator mcp-go
// itself builds on, so client and server agree on JSON Schema 2020-12.
//
// A generated tool is validated against its full input schema, not the
// compact one tools/list shows: the compact schema leaves out optional
// fields and nested shapes to save tokens, and an argument a model learned
// from the full shape (describe_tool) must not be rejected as unknown.
//
// Schemas are compiled on a tool's first call, not at start-up: compiling
// all of them up front was most of the server's start-up time, and most
// sessions call a handful of tools. Every schema is compiled by the tests.
type validator struct {
	name string
	// raw is the schema validated against; read it through text. When
	// source is set, raw is made by source on first use (see
	// newLazyValidator).
	raw     []byte
	source  func() ([]byte, error)
	rawOnce sync.Once
	rawErr  error

	once   sync.Once
	schema *jsonschema.Schema
	doc    any // the decoded schema, for exactIntegers
	known  []string
	err    error
}

// newValidator does not look at raw: it is checked when first compiled
// (every generated schema is compiled by the tests), so that start-up does
// not scan every schema.
func newValidator(name string, raw []byte) (*validator, error) {
	return &validator{name: name, raw: raw}, nil
}

// newLazyValidator is newValidator for a schema that costs work to make
// (a bound tool's schema, rewritten for its connections): source runs on
// the schema's first use, a tool's first call, not at start-up.
func newLazyValidator(name string, source func() ([]byte, error)) *validator {
	return &validator{name: name, source: source}
}

// text is the schema validated against, made by source on first use.
func (v *validator) text() ([]byte, error) {
	v.rawOnce.Do(func() {
		if v.source != nil {
			v.raw, v.rawErr = v.source()
			v.source = nil
		}
	})
	return v.raw, v.rawErr
}

// compile builds the schema on first use.
func (v *validator) compile() error {
	v.once.Do(func() {
		raw, err := v.text()
		if err != nil {
			v.err = fmt.Errorf("tools: %s: input schema: %w", v.name, err)
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			v.err = fmt.Errorf("tools: %s: input schema: %w", v.name, err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		url := "mem://tools/" + v.name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			v.err = fmt.Errorf("tools: %s: input schema: %w", v.name, err)
			return
		}
		if v.schema, err = c.Compile(url); err != nil {
			v.err = fmt.Errorf("tools: %s: input schema does not compile: %w", v.name, err)
			return
		}
		v.doc = doc
		if props, ok := doc.(map[string]any)["properties"].(map[string]any); ok {
			for k := range props {
				v.known = append(v.known, k)
			}
			sort.Strings(v.known)
		}
	})
	return v.err
}

// check returns the arguments as an object, or a description of what is
// wrong with them. raw is the decoded arguments (numbers as float64, or as
// json.Number to keep them exact) or their JSON text (json.RawMessage,
// decoded keeping numbers exact). Integer arguments must be exact: see
// exactIntegers.
func (v *validator) check(raw any) (map[string]any, string) {
	args, problem := v.checkShape(raw)
	if problem != "" {
		return nil, problem
	}
	if problem := exactIntegers(v.doc, args); problem != "" {
		return nil, problem
	}
	return args, ""
}

// checkShape is check without exactIntegers: the JSON Schema alone, as
// for an answer (CheckOutput).
func (v *validator) checkShape(raw any) (map[string]any, string) {
	switch text := raw.(type) {
	case json.RawMessage:
		var problem string
		if raw, problem = decodeArguments(text); problem != "" {
			return nil, problem
		}
	case []byte:
		var problem string
		if raw, problem = decodeArguments(text); problem != "" {
			return nil, problem
		}
	}
	if raw == nil {
		raw = map[string]any{}
	}
	args, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("arguments must be a JSON object, got %s", jsonKind(raw))
	}
	if err := v.compile(); err != nil {
		return nil, "the tool's input schema does not compile on this server (a bug, please report it): " + err.Error()
	}
	var unknown []string
	for k := range args {
		if !contains(v.known, k) {
			unknown = append(unknown, fmt.Sprintf("%q", echo(k)))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		if len(unknown) > maxListed {
			unknown = append(unknown[:maxListed], fmt.Sprintf("and %d more", len(unknown)-maxListed))
		}
		valid := "none"
		if len(v.known) > 0 {
			valid = strings.Join(v.known, ", ")
		}
		return nil, fmt.Sprintf("unknown argument %s (valid arguments: %s)", strings.Join(unknown, ", "), valid)
	}
	if problem := numbersInRange(args, ""); problem != "" {
		return nil, problem
	}
	err := v.schema.Validate(args)
	if err == nil {
		return args, ""
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, echo(err.Error())
	}
	return nil, describeValidation(ve)
}

// maxListed bounds the unknown arguments an error lists.
const maxListed = 5

// decodeArguments decodes the JSON text of arguments, keeping numbers
// exact (json.Number).
func decodeArguments(text []byte) (any, string) {
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, ""
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "arguments are not valid JSON: " + echo(err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "arguments are not one JSON value"
	}
	return v, ""
}

func describeValidation(ve *jsonschema.ValidationError) string {
	var msgs []string
	var walk func(u *jsonschema.OutputUnit)
	walk = func(u *jsonschema.OutputUnit) {
		if u.Error != nil && len(u.Errors) == 0 {
			// The message may quote the value (a pattern or format error),
			// and the location holds the caller's keys: both are clipped.
			msg := clipMessage(u.Error.String())
			if loc := strings.TrimPrefix(u.InstanceLocation, "/"); loc != "" {
				arg, rest, _ := strings.Cut(loc, "/")
				if rest != "" {
					msg = fmt.Sprintf("argument %q at %s: %s", echo(arg), echo(rest), msg)
				} else {
					msg = fmt.Sprintf("argument %q: %s", echo(arg), msg)
				}
			}
			if !contains(msgs, msg) {
				msgs = append(msgs, msg)
			}
		}
		for i := range u.Errors {
			walk(&u.Errors[i])
		}
	}
	walk(ve.BasicOutput())
	if len(msgs) == 0 {
		return clipMessage(ve.Error())
	}
	if len(msgs) > 4 {
		msgs = append(msgs[:4], fmt.Sprintf("and %d more", len(msgs)-4))
	}
	return strings.Join(msgs, "; ")
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64, int, int64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// knows reports whether name is an argument of the schema. It reads the
// schema's properties without compiling it, so that asking at start-up
// keeps compilation lazy.
func (v *validator) knows(name string) bool {
	raw, _ := v.text()
	return gjson.GetBytes(raw, "properties."+gjson.Escape(name)).Exists()
}

// CheckOutput reports whether v, a decoded JSON answer, satisfies the
// tool's declared output schema: structured content must never violate
// what tools/list promised. A tool without one accepts anything.
func (t *Tool) CheckOutput(v any) error {
	if len(t.OutputSchema) == 0 {
		return nil
	}
	val, err := newValidator(t.Name+" output", t.OutputSchema)
	if err != nil {
		return err
	}
	if _, problem := val.checkShape(v); problem != "" {
		return errors.New(problem)
	}
	return nil
}

// maxEcho bounds each piece of a caller's text (an argument name or value,
// a tool or header name) that an error quotes back, so a megabyte sent in
// does not come back whole.
const maxEcho = 200

// echo is s for quoting in an error: at most maxEcho bytes, never splitting
// a character, with "…" when cut.
func echo(s string) string { return clipText(s, maxEcho) }

// clipMessage bounds one validation message, which may quote a value.
func clipMessage(s string) string { return clipText(s, 2*maxEcho) }

// Integer arguments are exact. JSON numbers reach the server as float64
// (mcp-go decodes them so) or as json.Number (JSON text decoded by check);
// a float64 cannot hold every integer, so 9007199254740993 would arrive as
// 9007199254740992 and address another object. An argument the schema
// types "integer" (and not "number") must therefore be a whole number in
// [-maxExactInt, maxExactInt], the integers every JSON implementation
// carries exactly (I-JSON, RFC 7493): anything larger, or 1e23, is refused
// with an error, never rounded. A whole number written as a decimal (1.0,
// 1e2) is accepted as that integer, and a json.Number is rewritten in
// plain digits ("1"), so the path or body carries exactly the integer
// meant. Numbers elsewhere pass as sent.
const maxExactInt = 1<<53 - 1

// maxExponent bounds the exponent of a number literal in the arguments:
// larger ones overflow every upstream's numbers, and checking them exactly
// (as the schema validator would) costs memory in proportion.
const maxExponent = 400

// numberKind is which numbers a schema location admits.
type numberKind int

const (
	numbersAny  numberKind = iota // any number, or no type said
	numbersNone                   // no numbers at all
	numbersInt                    // integers only
)

// numbersAt says which numbers schema s admits, from its own type and its
// anyOf/oneOf (any branch) and allOf (every branch) subschemas.
func numbersAt(s map[string]any) numberKind {
	kind := numbersAny
	if t, ok := s["type"]; ok {
		var types []any
		switch x := t.(type) {
		case string:
			types = []any{x}
		case []any:
			types = x
		}
		kind = numbersNone
		for _, ty := range types {
			switch ty {
			case "number":
				kind = numbersAny
			case "integer":
				if kind == numbersNone {
					kind = numbersInt
				}
			}
			if kind == numbersAny {
				break
			}
		}
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		branches, ok := s[key].([]any)
		if !ok {
			continue
		}
		union := numbersNone
		for _, b := range branches {
			bm, _ := b.(map[string]any)
			switch numbersAt(bm) {
			case numbersAny:
				union = numbersAny
			case numbersInt:
				if union == numbersNone {
					union = numbersInt
				}
			}
		}
		kind = narrower(kind, union)
	}
	if branches, ok := s["allOf"].([]any); ok {
		for _, b := range branches {
			bm, _ := b.(map[string]any)
			kind = narrower(kind, numbersAt(bm))
		}
	}
	return kind
}

// narrower is what two constraints on one location admit together.
func narrower(a, b numberKind) numberKind {
	switch {
	case a == numbersNone || b == numbersNone:
		return numbersNone
	case a == numbersInt || b == numbersInt:
		return numbersInt
	}
	return numbersAny
}

// exactIntegers checks the integer arguments of args against schema (see
// maxExactInt), rewriting json.Number integers in plain digits.
func exactIntegers(schema any, args map[string]any) string {
	s, _ := schema.(map[string]any)
	if s == nil {
		return ""
	}
	for k, val := range args {
		fixed, problem := exactAt(s, []string{k}, val, "")
		if problem != "" {
			return argumentProblem(k, problem)
		}
		args[k] = fixed
	}
	return ""
}

// argumentProblem names an argument (and where in it) in a problem.
func argumentProblem(arg, problem string) string {
	rest, msg, _ := strings.Cut(problem, "\x00")
	if rest != "" {
		return fmt.Sprintf("argument %q at %s: %s", echo(arg), echo(rest), msg)
	}
	return fmt.Sprintf("argument %q: %s", echo(arg), msg)
}

// exactAt checks val, found under the property path of s, and returns it
// (rewritten when a json.Number integer) or a problem "where\x00what".
func exactAt(s map[string]any, path []string, val any, where string) (any, string) {
	sub := subschemas(s, path)
	if len(sub) == 0 {
		return val, ""
	}
	switch x := val.(type) {
	case map[string]any:
		for k, item := range x {
			fixed, problem := exactIn(sub, k, item, join(where, k))
			if problem != "" {
				return val, problem
			}
			x[k] = fixed
		}
	case []any:
		for i, item := range x {
			fixed, problem := exactItems(sub, item, join(where, fmt.Sprint(i)))
			if problem != "" {
				return val, problem
			}
			x[i] = fixed
		}
	default:
		for _, ss := range sub {
			if numbersAt(ss) == numbersInt {
				fixed, problem := exactInteger(val)
				if problem != "" {
					return val, where + "\x00" + problem
				}
				return fixed, ""
			}
		}
	}
	return val, ""
}

// exactIn checks property k of an object whose schemas are sub.
func exactIn(sub []map[string]any, k string, val any, where string) (any, string) {
	for _, ss := range sub {
		fixed, problem := exactAt(ss, []string{k}, val, where)
		if problem != "" {
			return val, problem
		}
		val = fixed
	}
	return val, ""
}

// exactItems checks an item of an array whose schemas are sub.
func exactItems(sub []map[string]any, val any, where string) (any, string) {
	for _, ss := range sub {
		items, _ := ss["items"].(map[string]any)
		if items == nil {
			continue
		}
		fixed, problem := exactAt(map[string]any{"properties": map[string]any{"": items}}, []string{""}, val, where)
		if problem != "" {
			return val, problem
		}
		val = fixed
	}
	return val, ""
}

// subschemas are the schemas that apply to property path[0] of s: its
// properties entry, or additionalProperties, in s and in its anyOf, oneOf
// and allOf branches.
func subschemas(s map[string]any, path []string) []map[string]any {
	var out []map[string]any
	var visit func(s map[string]any, depth int)
	visit = func(s map[string]any, depth int) {
		if s == nil || depth > 8 {
			return
		}
		props, _ := s["properties"].(map[string]any)
		if p, ok := props[path[0]].(map[string]any); ok {
			out = append(out, p)
		} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
			out = append(out, ap)
		}
		for _, key := range []string{"anyOf", "oneOf", "allOf"} {
			branches, _ := s[key].([]any)
			for _, b := range branches {
				bm, _ := b.(map[string]any)
				visit(bm, depth+1)
			}
		}
	}
	visit(s, 0)
	return out
}

func join(where, k string) string {
	if where == "" {
		return k
	}
	return where + "/" + k
}

// exactInteger checks one number at an integer location and returns it in
// exact form.
func exactInteger(val any) (any, string) {
	const rangeText = "integers here must be whole numbers from -9007199254740991 to 9007199254740991, which every JSON implementation carries exactly"
	switch x := val.(type) {
	case float64:
		if x != math.Trunc(x) {
			return val, "got a fraction, want an integer"
		}
		if math.Abs(x) > maxExactInt {
			// The float64 may already be rounded: do not quote it.
			return val, "this integer is too large to be carried exactly (" + rangeText + "); it was not sent"
		}
	case json.Number:
		i, whole, ok := parseExactInt(string(x))
		switch {
		case !whole:
			return val, fmt.Sprintf("%s is not a whole number", echo(string(x)))
		case !ok:
			return val, fmt.Sprintf("%s is too large to be carried exactly (%s); it was not sent", echo(string(x)), rangeText)
		}
		return json.Number(strconv.FormatInt(i, 10)), ""
	case int:
		if x > maxExactInt || x < -maxExactInt {
			return val, fmt.Sprintf("%d is too large to be carried exactly (%s)", x, rangeText)
		}
	case int64:
		if x > maxExactInt || x < -maxExactInt {
			return val, fmt.Sprintf("%d is too large to be carried exactly (%s)", x, rangeText)
		}
	}
	return val, ""
}

// parseExactInt reads a JSON number literal exactly: its value when it is
// a whole number within ±maxExactInt (ok), and whether it is whole at all.
func parseExactInt(lit string) (n int64, whole, ok bool) {
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mant, expText, hasExp := strings.Cut(strings.ToLower(lit), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, true, true
	}
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil || e > maxExponent || e < -maxExponent {
			return 0, err == nil && e > 0, false
		}
		exp = e
	}
	exp -= len(frac)
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		exp++
	}
	if exp < 0 {
		return 0, false, false
	}
	if len(digits)+exp > 16 {
		return 0, true, false
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", exp), 10, 64)
	if err != nil || n > maxExactInt {
		return 0, true, false
	}
	if neg {
		n = -n
	}
	return n, true, true
}

// numbersInRange refuses number literals whose exponent is beyond
// maxExponent, anywhere in the arguments, before the schema validator
// reads them.
func numbersInRange(v any, where string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, item := range x {
			if p := numbersInRange(item, join(where, k)); p != "" {
				return p
			}
		}
	case []any:
		for i, item := range x {
			if p := numbersInRange(item, join(where, fmt.Sprint(i))); p != "" {
				return p
			}
		}
	case json.Number:
		_, expText, hasExp := strings.Cut(strings.ToLower(string(x)), "e")
		if !hasExp {
			return ""
		}
		if e, err := strconv.Atoi(expText); err == nil && e <= maxExponent && e >= -maxExponent {
			return ""
		}
		arg, rest, _ := strings.Cut(where, "/")
		return argumentProblem(arg, rest+"\x00"+fmt.Sprintf("%s is out of range (exponents go to ±%d)", echo(string(x)), maxExponent))
	}
	return ""
}
