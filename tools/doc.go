// Package tools owns the MCP tool surface: one Tool value per tool (name,
// provider, toolset, annotations, schemas, handler) in one inventory, and
// the code that turns a tool call into an upstream request and the answer
// into a tool result.
//
// Generated tools come from schemas.Catalog: nothing here is written per
// operation, so an operation added to an OpenAPI description becomes a tool
// by running `go generate`. Every failure a model can act on (bad
// arguments, an upstream error or timeout) is returned as a result with
// isError set and a sentence naming what failed and what to do next; a Go
// error is reserved for broken plumbing, because the MCP adapter turns it
// into a JSON-RPC error that models never see.
//
// Nothing here imports the MCP library: tools answer with this package's
// own Result, Prompt and Resource types (surface.go), and internal/mcpgo,
// the one adapter, converts them to and from mcp-go.
package tools
