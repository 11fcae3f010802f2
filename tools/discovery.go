package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/datastack-mcp/datastack-mcp/providers"
)

// Discovery mode offers three tools instead of the whole inventory, for
// clients whose context cannot carry 137 schemas: search_tools finds tools
// by what they do, describe_tool gives one tool's full input schema, and
// call_tool runs a tool with arguments validated exactly as a direct call.
// The same policy applies as in direct mode: only the available tools (and,
// over HTTP, those the request's headers allow) can be found or called.

// DiscoveryProvider is the provider name of the discovery tools.
const DiscoveryProvider = providers.CrossProvider

type searchArgs struct {
	Query string `json:"query" jsonschema:"description=What you want to do, in a few words (e.g. compare prod and dev orders)."`
	Limit int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=20,default=5,description=How many tools to return."`
}

type describeArgs struct {
	Name string `json:"name" jsonschema:"description=The tool name, as search_tools returned it."`
}

type callArgs struct {
	Name      string         `json:"name" jsonschema:"description=The tool name, as search_tools returned it."`
	Arguments map[string]any `json:"arguments,omitempty" jsonschema:"description=The tool's arguments, as describe_tool's inputSchema describes them."`
}

// UnmarshalJSON keeps the nested arguments' numbers exact (json.Number),
// as a direct call's JSON text is kept (validate.go): decoded to float64,
// 9007199254740993 would reach the tool as 9007199254740992 and be refused
// where an integer is wanted, or sent rounded where any number is.
func (a *callArgs) UnmarshalJSON(b []byte) error {
	type plain callArgs // without this method
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode((*plain)(a))
}

// DiscoveryTools returns search_tools, describe_tool and call_tool over the
// available tools.
func DiscoveryTools(available []*Tool) ([]*Tool, error) {
	byName := map[string]*Tool{}
	readOnly := true
	for _, t := range available {
		byName[t.Name] = t
		readOnly = readOnly && t.Annotations.ReadOnly
	}
	full := newIndex(available)
	lookup := func(ctx context.Context, name string) (*Tool, *Result) {
		t := byName[name]
		if t == nil || !AllowedIn(ctx, t) {
			hint := ""
			if names := suggestIn(ctx, full, available, name, 3); len(names) > 0 {
				hint = " Did you mean " + strings.Join(names, ", ") + "?"
			}
			return nil, errorResult("There is no tool %q on this server.%s Use search_tools to find one.", name, hint)
		}
		return t, nil
	}
	meta := Annotations{ReadOnly: true, Idempotent: true}
	search, err := New(Spec{Name: "search_tools", Provider: DiscoveryProvider, Toolset: "discovery", Title: "Search tools", Description: "Find the tools for a task by describing it in a few words; returns tool names with one-line descriptions, best first.",
		Annotations: meta}, func(ctx context.Context, d *Deps, a searchArgs) *Result {
		limit := a.Limit
		if limit <= 0 {
			limit = 5
		}
		var found []map[string]any
		for _, h := range searchIn(ctx, full, available, a.Query, limit) {
			found = append(found, map[string]any{"name": h.tool.Name, "description": oneLine(h.tool.Description)})
		}
		if len(found) == 0 {
			return structuredResult(map[string]any{"tools": []any{}},
				fmt.Sprintf("No tool matches %q. Try other words (e.g. diff, lineage, monitor, explore, chart, source).", echo(a.Query)))
		}
		out := map[string]any{"tools": found, "next": "describe_tool gives a tool's arguments; call_tool runs it."}
		text, _ := EncodeJSON(out)
		return structuredResult(out, text)
	})
	if err != nil {
		return nil, err
	}
	describe, err := New(Spec{Name: "describe_tool", Provider: DiscoveryProvider, Toolset: "discovery", Title: "Describe a tool", Description: "Get a tool's description, behaviour hints and full input schema before calling it with call_tool.",
		Annotations: meta}, func(ctx context.Context, d *Deps, a describeArgs) *Result {
		t, bad := lookup(ctx, a.Name)
		if bad != nil {
			return bad
		}
		out := map[string]any{
			"name":        t.Name,
			"description": t.Description,
			"annotations": t.Annotations,
			"inputSchema": t.FullSchema(),
		}
		text, _ := EncodeJSON(out)
		return structuredResult(out, text)
	})
	if err != nil {
		return nil, err
	}
	callAnn := Annotations{ReadOnly: readOnly, Destructive: !readOnly, OpenWorld: true}
	call, err := New(Spec{Name: "call_tool", Provider: DiscoveryProvider, Toolset: "discovery", Title: "Call a tool", Description: "Run a tool found with search_tools, with arguments as describe_tool shows; returns that tool's own result.",
		Annotations: callAnn}, func(ctx context.Context, d *Deps, a callArgs) *Result {
		t, bad := lookup(ctx, a.Name)
		if bad != nil {
			return bad
		}
		var args any = a.Arguments
		if a.Arguments == nil {
			args = map[string]any{}
		}
		return t.Call(ctx, d, args)
	})
	if err != nil {
		return nil, err
	}
	return []*Tool{search, describe, call}, nil
}

// searchIn ranks with the prebuilt index, or over the request's narrower
// set when its headers restrict the tools.
func searchIn(ctx context.Context, full *index, available []*Tool, query string, limit int) []hit {
	p, narrowed := RequestPolicy(ctx)
	if !narrowed {
		return full.search(query, limit)
	}
	return newIndex(p.Filter(available)).search(query, limit)
}

// suggestIn suggests tool names among those the request may see.
func suggestIn(ctx context.Context, full *index, available []*Tool, name string, n int) []string {
	p, narrowed := RequestPolicy(ctx)
	if !narrowed {
		return suggest(available, full, name, n)
	}
	visible := p.Filter(available)
	return suggest(visible, newIndex(visible), name, n)
}

// oneLine is what search_tools shows of a description: its first sentence.
func oneLine(s string) string { return firstSentence(s) }
