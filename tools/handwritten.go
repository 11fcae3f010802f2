package tools

import (
	"context"
	"encoding/json"
	"fmt"
)

// structSchema renders the input schema of a hand-written tool from its
// argument struct (json and jsonschema tags), inline and without $schema,
// so it reads like the generated ones.
func structSchema(v any) (json.RawMessage, error) { return reflectSchema(v, true) }

// Spec describes a hand-written tool.
type Spec struct {
	Name, Provider, Toolset, Title, Description string
	Annotations                                 Annotations
	// Output, when not nil, is a value whose type renders the tool's
	// output schema (e.g. &Verdict{}).
	Output any
}

// New builds a hand-written tool whose arguments decode into A; its input
// schema is rendered from A (json and jsonschema struct tags). Features
// (diff_tables, lineage_impact, the resource tools) use it, so every tool
// is the same kind of value, validated and called like a generated one.
func New[A any](s Spec, run func(ctx context.Context, d *Deps, args A) *Result) (*Tool, error) {
	var zero A
	schema, err := structSchema(&zero)
	if err != nil {
		return nil, fmt.Errorf("tools: %s: schema: %w", s.Name, err)
	}
	v, err := newValidator(s.Name, schema)
	if err != nil {
		return nil, err
	}
	t := &Tool{
		Name:        s.Name,
		Provider:    s.Provider,
		Toolset:     s.Toolset,
		Title:       s.Title,
		Description: s.Description,
		Annotations: s.Annotations,
		InputSchema: schema,
		validator:   v,
		call: func(ctx context.Context, d *Deps, t *Tool, raw map[string]any) *Result {
			var args A
			b, _ := json.Marshal(raw)
			if err := json.Unmarshal(b, &args); err != nil {
				return errorResult("%s: invalid arguments: %v. Fix the arguments and call again.", s.Name, err)
			}
			return run(ctx, d, args)
		},
	}
	if s.Output != nil {
		if t.OutputSchema, err = reflectSchema(s.Output, false); err != nil {
			return nil, fmt.Errorf("tools: %s: output schema: %w", s.Name, err)
		}
	}
	return t, nil
}

// WithInputSchema returns a copy of t that lists and validates against
// schema (a feature adding an argument only some servers have, say).
func (t *Tool) WithInputSchema(schema json.RawMessage) (*Tool, error) {
	v, err := newValidator(t.Name, schema)
	if err != nil {
		return nil, err
	}
	c := *t
	c.InputSchema, c.validator = schema, v
	return &c, nil
}

// ErrorResult is an isError result with a sentence built from format.
func ErrorResult(format string, a ...any) *Result { return errorResult(format, a...) }

// StructuredResult is a successful answer: structured content and the
// text a model reads.
func StructuredResult(v any, text string) *Result { return structuredResult(v, text) }

// Find returns the tool with the given name from list, or nil.
func Find(list []*Tool, name string) *Tool {
	for _, t := range list {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// JSONResult is a successful answer whose text is v as JSON (HTML
// characters unescaped); a v that does not encode is an error result.
func JSONResult(v any) *Result {
	text, err := EncodeJSON(v)
	if err != nil {
		return errorResult("could not encode the answer: %v", err)
	}
	return structuredResult(v, text)
}
