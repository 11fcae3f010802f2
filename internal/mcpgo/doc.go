// Package mcpgo is the one adapter between this project and the MCP
// library, github.com/mark3labs/mcp-go: it turns the SDK-free surface of
// package tools (tools, results, prompts, resources, completions, and what
// a tool may ask of the client during a call) into mcp-go's types and
// handlers, and mcp-go's requests back into tools.Request. Apart from
// cmd/ (which serves the transports), no other package imports mcp-go, so
// moving to another SDK (the official go-sdk, say) touches this package.
//
// It also owns a transport fact of mcp-go v1.2.1: progress notifications
// must reach the client before the result, and its streamable HTTP can
// drop the last one (see [NotifyTracker]).
package mcpgo
