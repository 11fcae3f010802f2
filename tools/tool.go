package tools

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
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

	// call runs the tool; args are already validated against InputSchema.
	call func(ctx context.Context, d *Deps, t *Tool, args map[string]any) *mcp.CallToolResult
	// validator checks arguments against InputSchema.
	validator *validator
}

// MCP returns the tool as mcp-go describes it. It is built with
// NewToolWithRawSchema: NewTool would default the annotations to
// destructive, and NewTool plus WithRawInputSchema does not marshal.
func (t *Tool) MCP() mcp.Tool {
	mt := mcp.NewToolWithRawSchema(t.Name, t.Description, t.InputSchema)
	mt.Title = t.Title
	mt.RawOutputSchema = t.OutputSchema
	mt.Annotations = mcp.ToolAnnotation{
		Title:           t.Title,
		ReadOnlyHint:    mcp.ToBoolPtr(t.Annotations.ReadOnly),
		DestructiveHint: mcp.ToBoolPtr(t.Annotations.Destructive),
		IdempotentHint:  mcp.ToBoolPtr(t.Annotations.Idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(t.Annotations.OpenWorld),
	}
	return mt
}

// Handler returns the mcp-go handler of the tool. It never returns a Go
// error for anything a caller can fix, and never panics on input.
func (t *Tool) Handler(d *Deps) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if r := recover(); r != nil {
				d.logger().Error("tool panicked", "tool", t.Name, "panic", r)
				res, err = errorResult("%s failed inside the server (a bug); the call was not completed. Please report it.", t.Name), nil
			}
		}()
		// The request's progress token and multi round-trip answers
		// (confirm.go) reach the tool through ctx, also through call_tool.
		ctx = withRequest(ctx, req)
		res = t.Call(ctx, d, req.Params.Arguments)
		// Progress notifications must reach the client before the result
		// (diff_progress.go).
		awaitNotifications(ctx, d)
		return res, nil
	}
}

// Call validates raw arguments and runs the tool.
func (t *Tool) Call(ctx context.Context, d *Deps, raw any) *mcp.CallToolResult {
	args, problem := t.validator.check(raw)
	if problem != "" {
		return errorResult("%s: invalid arguments: %s. Fix the arguments (see the tool's input schema) and call again.", t.Name, problem)
	}
	return t.call(ctx, d, t, args)
}

// Register adds the tools to an MCP server.
func Register(s *server.MCPServer, list []*Tool, d *Deps) {
	batch := make([]server.ServerTool, 0, len(list))
	for _, t := range list {
		batch = append(batch, server.ServerTool{Tool: t.MCP(), Handler: t.Handler(d)})
	}
	s.AddTools(batch...) // one batch: one registry update
}
