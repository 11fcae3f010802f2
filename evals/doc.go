// Package evals measures how usable datastack-mcp's tool surface is for a
// model, not only whether it runs.
//
// The tasks (tasks/*.json) are questions data engineers and analysts ask,
// in their words, across Datafold, Lightdash, PostHog and Pentaho Data
// Catalog: each names the tools that answer it, assertions on their
// arguments, reference calls and the facts a correct answer states on the
// sandbox's demo stack.
//
// `go test ./evals/...` runs the deterministic evals, which need no model:
// routing (the discovery search, given the prompt as written, ranks an
// acceptable tool first for at least 70% of the tasks and in the first
// three for at least 90%), replay (every task's reference calls go through
// the MCP server on the sandbox, validate, pass their checks and return the
// facts) and a description lint. With -v it prints a per-provider table.
//
// Package live and command cmd/live run the tasks with a real model through
// the Anthropic Messages API; they are run by hand, never in CI. See
// README.md.
package evals
