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

// annotationsFor derives the hints of a generated tool from what it does
// (readsOnly): a read is read-only and may be repeated; otherwise DELETE
// destroys and PUT and DELETE may be repeated safely. Every tool reaches an
// upstream service, so all are open-world.
func annotationsFor(name, method string) Annotations {
	if readsOnly(name, method) {
		return Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	}
	return Annotations{
		Destructive: method == http.MethodDelete,
		Idempotent:  method == http.MethodPut || method == http.MethodDelete,
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
	defer settleMemory() // memory.go
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

// What a generated tool does, as the policy sees it: whether it only reads
// (readOnlyHint, and so whether --read-only and read-only connections offer
// it) and why it must be confirmed before it acts (ConfirmReason). Both are
// decided by effect, from data, and fail closed:
//
//   - an operation in effects is what its entry says;
//   - any other GET reads, and every other method writes, so a new
//     operation is never offered as read-only unless it is a GET;
//   - a write confirms when it is a DELETE or when the words of its name
//     say it cancels, triggers, grants or revokes (ConfirmReason); the
//     words can only add confirmations, never remove one.
//
// TestEffects pins the read-only and the confirming lists, so a new
// operation, or a change to this table, is a deliberate decision.

// effect is what one operation does where its HTTP method and name would
// say otherwise.
type effect struct {
	// readOnly: it changes nothing upstream, whatever its method.
	readOnly bool
	// confirm is why it acts only once confirmed; "" when it need not be.
	confirm string
	// why says in one line what makes the method rule wrong here.
	why string
}

// Reasons a tool confirms, as ConfirmReason and the README say them.
const (
	reasonAccess = "changes access"
	reasonDelete = "deletes"
	reasonCancel = "cancels a running job"
	reasonSync   = "triggers a sync"
	reasonSQL    = "runs SQL that is not a plain read-only query"
)

// effects are the exceptions to the method rule, by tool name. Each entry
// names an existing generated tool and differs from what the rule would
// decide (TestEffects checks both).
var effects = map[string]effect{
	// Reads sent as POST: the question travels in a body.
	"pdc_filter_data_sources":                              {readOnly: true, why: "a search; the filter travels in the body"},
	"pdc_get_data_sources_by_ids":                          {readOnly: true, why: "reads data sources by id; the ids travel in the body"},
	"lightdash_compile_query":                              {readOnly: true, why: "compiles a metric query to SQL without running it"},
	"lightdash_calculate_total_from_query":                 {readOnly: true, why: "runs a metric query's totals, a read-only SELECT"},
	"lightdash_execute_metric_query":                       {readOnly: true, why: "runs a semantic-layer metric query, which Lightdash compiles to a SELECT"},
	"posthog_list_external_data_schema_incremental_fields": {readOnly: true, why: "asks the source for a table's fields and saves nothing"},

	// Writes sent as GET.
	"datafold_sync_bi_integration": {confirm: reasonSync, why: "a GET that starts a resync of the BI integration"},

	// Access changes the words of their names do not show.
	"lightdash_update_space":                      {confirm: reasonAccess, why: "projectMemberAccessRole and inheritParentPermissions change who may see the space"},
	"lightdash_update_organization_email_domains": {confirm: reasonAccess, why: "sets which email domains may join the organization, and with which roles"},
	"lightdash_join_organization":                 {confirm: reasonAccess, why: "makes the key's user a member of another organization"},
}

// readsOnly reports whether the operation of a generated tool only reads.
func readsOnly(name, method string) bool {
	if e, ok := effects[name]; ok {
		return e.readOnly
	}
	return method == http.MethodGet
}
