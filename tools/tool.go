package tools

import (
	"context"
	"encoding/json"
	"net/http"
)

// Annotations are the four MCP behaviour hints; every tool sets all four.
type Annotations struct {
	ReadOnly    bool `json:"readOnlyHint"`
	Destructive bool `json:"destructiveHint"`
	Idempotent  bool `json:"idempotentHint"`
	OpenWorld   bool `json:"openWorldHint"`
}

// annotationsFor derives the hints from the HTTP method: GET reads; DELETE
// destroys; PUT and DELETE may be repeated safely. Every tool reaches an
// upstream service, so all are open-world.
func annotationsFor(method string) Annotations {
	return Annotations{
		ReadOnly:    method == http.MethodGet,
		Destructive: method == http.MethodDelete,
		Idempotent:  method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete,
		OpenWorld:   true,
	}
}

// Tool is one self-describing MCP tool.
type Tool struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Toolset  string `json:"toolset"`
	// Operation is the OpenAPI operationId, empty for hand-written tools.
	Operation    string          `json:"operation"`
	Method       string          `json:"method,omitempty"`
	Path         string          `json:"path,omitempty"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Annotations  Annotations     `json:"annotations"`
	InputSchema  json.RawMessage `json:"inputSchema"`
	OutputSchema json.RawMessage `json:"outputSchema,omitempty"`
	// Meta is the tool's _meta in tools/list (an MCP Apps view), nil for
	// none.
	Meta map[string]any `json:"-"`

	// call runs the tool; args are already validated against InputSchema.
	call func(ctx context.Context, d *Deps, t *Tool, args map[string]any) *Result
	// validator checks arguments against InputSchema.
	validator *validator
}

// Run is Call for a server: a panic inside the tool becomes an error
// result (and a log record), never a crash or a protocol error.
func (t *Tool) Run(ctx context.Context, d *Deps, raw any) (res *Result) {
	defer func() {
		if r := recover(); r != nil {
			d.logger().Error("tool panicked", "tool", t.Name, "panic", r)
			res = errorResult("%s failed inside the server (a bug); the call was not completed. Please report it.", t.Name)
		}
	}()
	return t.Call(ctx, d, raw)
}

// Call validates raw arguments and runs the tool.
func (t *Tool) Call(ctx context.Context, d *Deps, raw any) *Result {
	args, problem := t.validator.check(raw)
	if problem != "" {
		return errorResult("%s: invalid arguments: %s. Fix the arguments (see the tool's input schema) and call again.", t.Name, problem)
	}
	return t.call(ctx, d, t, args)
}
