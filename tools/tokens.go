package tools

import "github.com/datastack-mcp/datastack-mcp/schemas/tokens"

// CountTokens returns the number of o200k_base tokens of s (see package
// schemas/tokens). It is safe for concurrent use; the encoder is built on
// first use.
func CountTokens(s string) int { return tokens.Count(s) }

// ModelView is what a model reads of a tool in tools/list: the compact JSON
// of its name, description and (compact) input schema. Its token count is
// the tool's cost in every conversation that lists it.
func ModelView(t *Tool) string { return tokens.View(t.Name, t.Description, t.InputSchema) }
