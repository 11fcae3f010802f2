// Package evals guards the model-facing quality of datastack-mcp: task
// files written the way data engineers ask, and runners that check a model
// (or the deterministic discovery search) picks the right tool and that the
// reference calls return the expected facts on the sandbox.
//
// The tasks and runners arrive with the evals work; the package exists now
// so the layout is fixed from the start.
package evals
