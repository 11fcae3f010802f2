package tools

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
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
	// raw is the schema validated against.
	raw []byte

	once   sync.Once
	schema *jsonschema.Schema
	known  []string
	err    error
}

// newValidator does not look at raw: it is checked when first compiled
// (every generated schema is compiled by the tests), so that start-up does
// not scan every schema.
func newValidator(name string, raw []byte) (*validator, error) {
	return &validator{name: name, raw: raw}, nil
}

// compile builds the schema on first use.
func (v *validator) compile() error {
	v.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.raw))
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
// wrong with them.
func (v *validator) check(raw any) (map[string]any, string) {
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
			unknown = append(unknown, fmt.Sprintf("%q", k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		valid := "none"
		if len(v.known) > 0 {
			valid = strings.Join(v.known, ", ")
		}
		return nil, fmt.Sprintf("unknown argument %s (valid arguments: %s)", strings.Join(unknown, ", "), valid)
	}
	err := v.schema.Validate(args)
	if err == nil {
		return args, ""
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return nil, err.Error()
	}
	return nil, describeValidation(ve)
}

func describeValidation(ve *jsonschema.ValidationError) string {
	var msgs []string
	var walk func(u *jsonschema.OutputUnit)
	walk = func(u *jsonschema.OutputUnit) {
		if u.Error != nil && len(u.Errors) == 0 {
			msg := u.Error.String()
			if loc := strings.TrimPrefix(u.InstanceLocation, "/"); loc != "" {
				arg, rest, _ := strings.Cut(loc, "/")
				if rest != "" {
					msg = fmt.Sprintf("argument %q at %s: %s", arg, rest, msg)
				} else {
					msg = fmt.Sprintf("argument %q: %s", arg, msg)
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
		return ve.Error()
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
	case float64, int, int64:
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
	return gjson.GetBytes(v.raw, "properties."+gjson.Escape(name)).Exists()
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
	if _, problem := val.check(v); problem != "" {
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
func echo(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	return Clip(s, maxEcho) + "…"
}
