// Package server is the composition root: the one place that turns
// [Options] (flags, environment, config file) into a running MCP server.
// cmd/mcp-server serves what [Build] returns, evals drive the very same
// server in process, and the documentation generator lists [Inventory], so
// the server that is tested, measured and documented is the one that ships.
//
// Build reads the configuration once, creates the upstream clients (or the
// sandbox), chooses the tools the selection allows, binds them to their
// connections and registers tools, resources and prompts. Nothing below
// this package knows how the pieces are put together.
package server
