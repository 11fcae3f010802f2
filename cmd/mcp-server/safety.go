package main

import (
	"sync"

	"github.com/mark3labs/mcp-go/server"

	"github.com/datastack-mcp/datastack-mcp/client/sandbox"
	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/datastack-mcp/datastack-mcp/tools"
)

// Chat-driven data diffing (diff_tables, get_diff_result, the
// review_data_diff prompt). Confirmation of risky tools needs no wiring:
// the generated tools carry it (tools/confirm.go).

var (
	diffOnce  sync.Once
	diffList  []*tools.Tool
	diffError error
)

// diffTools returns diff_tables and get_diff_result, built once over the
// generated inventory.
func diffTools() ([]*tools.Tool, error) {
	diffOnce.Do(func() {
		all, err := tools.All()
		if err != nil {
			diffError = err
			return
		}
		diffList, diffError = tools.DiffTools(all)
	})
	return diffList, diffError
}

// withDiffTools adds the diff tools to the generated tools of the
// configured providers when Datafold is among them; they are then chosen
// and bound to connections exactly like the generated tools (a read-only
// connection does not offer diff_tables; several Datafold connections add
// the connection argument).
func withDiffTools(available []*tools.Tool) ([]*tools.Tool, error) {
	diff, err := diffTools()
	if err != nil {
		return nil, err
	}
	for _, t := range available {
		if t.Provider == schemas.Datafold {
			return append(append([]*tools.Tool{}, available...), diff...), nil
		}
	}
	return available, nil
}

// configureDiffs sets how long the diff tools wait, and where the Datafold
// app of each connection is, for links to diffs: the sandbox's, or those
// of the configured connections (ups).
func configureDiffs(d *tools.Deps, o options, ups []upstream) {
	d.DiffWait = o.diffWait
	d.DiffPoll = o.diffPoll
	d.DatafoldAppURLs = map[string]string{}
	if o.sandbox {
		d.DatafoldAppURLs["sandbox"] = sandbox.BaseURL(schemas.Datafold)
		return
	}
	for _, u := range ups {
		if u.provider == schemas.Datafold {
			d.DatafoldAppURLs[u.name] = u.cfg.BaseURL
		}
	}
}

// registerDiffPrompts adds review_data_diff when the server offers
// diff_tables, directly or through call_tool in discovery mode. available
// are the tools of the configured providers, the diff tools included.
func registerDiffPrompts(s *server.MCPServer, o options, available []*tools.Tool) {
	if t := tools.Find(available, tools.DiffTablesName); t != nil && o.selection.policy.Allows(t) {
		s.AddPrompts(tools.DiffPrompts()...)
	}
}
