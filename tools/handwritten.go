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

// handwritten builds a Tool whose arguments decode into A.
func handwritten[A any](name, provider, toolset, title, description string, ann Annotations,
	run func(ctx context.Context, d *Deps, args A) *Result) (*Tool, error) {
	var zero A
	schema, err := structSchema(&zero)
	if err != nil {
		return nil, fmt.Errorf("tools: %s: schema: %w", name, err)
	}
	v, err := newValidator(name, schema)
	if err != nil {
		return nil, err
	}
	return &Tool{
		Name:        name,
		Provider:    provider,
		Toolset:     toolset,
		Title:       title,
		Description: description,
		Annotations: ann,
		InputSchema: schema,
		validator:   v,
		call: func(ctx context.Context, d *Deps, t *Tool, raw map[string]any) *Result {
			var args A
			b, _ := json.Marshal(raw)
			if err := json.Unmarshal(b, &args); err != nil {
				return errorResult("%s: invalid arguments: %v. Fix the arguments and call again.", name, err)
			}
			return run(ctx, d, args)
		},
	}, nil
}

// NewHandwritten builds a hand-written tool whose arguments decode into A;
// its input schema is rendered from A (json and jsonschema struct tags).
// Packages with their own tools (resources/) use it so every tool is the
// same kind of value.
func NewHandwritten[A any](name, provider, toolset, title, description string, ann Annotations,
	run func(ctx context.Context, d *Deps, args A) *Result) (*Tool, error) {
	return handwritten(name, provider, toolset, title, description, ann, run)
}

// ErrorResult is an isError result with a sentence built from format.
func ErrorResult(format string, a ...any) *Result { return errorResult(format, a...) }

// Find returns the tool with the given name from list, or nil.
func Find(list []*Tool, name string) *Tool {
	for _, t := range list {
		if t.Name == name {
			return t
		}
	}
	return nil
}
