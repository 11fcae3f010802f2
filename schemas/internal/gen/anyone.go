package gen

import "github.com/datastack-mcp/datastack-mcp/schemas"

// "At least one filter". A request body may demand some of its optional
// fields (minProperties: 1, as PDC's data source filter does). When the
// body is the whole input the rule is the tool's own minProperties; when
// query arguments share the input (skip, limit) a flat schema cannot count
// only the body's fields, and the API's answer to {} ("there must be at
// least 1 properties") names no argument a model could fix.
//
// So the full input schema, which arguments are validated against and
// describe_tool shows, requires one of the body's arguments with an anyOf
// of required lists: a call with none is refused before it is sent, naming
// them. The compact schema of tools/list stays without it (clients reject
// a top-level anyOf there); the tool's description states the rule.

// bodyArgNames are the arguments an operation sends as body fields.
func bodyArgNames(op *schemas.Operation) []string {
	var out []string
	for _, p := range op.Params {
		if p.In == schemas.InBody {
			out = append(out, p.Arg)
		}
	}
	return out
}

// requireOne makes a full input schema require at least one of args.
func requireOne(full map[string]any, args []string) {
	if len(args) == 0 {
		return
	}
	branches := make([]any, 0, len(args))
	for _, a := range args {
		branches = append(branches, map[string]any{"required": []any{a}})
	}
	full["anyOf"] = branches
}
