package server

import (
	"context"
	"sync"

	"github.com/datastack-mcp/datastack-mcp/providers"
	"github.com/datastack-mcp/datastack-mcp/resources"
	"github.com/datastack-mcp/datastack-mcp/tools"
	"github.com/datastack-mcp/datastack-mcp/tools/diff"
	"github.com/datastack-mcp/datastack-mcp/tools/review"
)

var (
	inventoryOnce sync.Once
	inventoryList []*tools.Tool
	inventoryErr  error
)

// Inventory is every tool a server can offer, in registration order: the
// generated tools, the resource catalogue's (list_resources,
// read_resource, lineage_impact, as they are with one connection per
// provider), diff_tables and get_diff_result, and review_dbt_changes. It is what `mcp-server tools` lists,
// what flags are checked against and what the README documents; the tools
// are not meant to be called.
func Inventory() ([]*tools.Tool, error) {
	inventoryOnce.Do(func() {
		all, err := tools.All()
		if err != nil {
			inventoryErr = err
			return
		}
		extra, err := resources.Inventory(all)
		if err != nil {
			inventoryErr = err
			return
		}
		diffs, err := diff.Tools(all, diff.Options{})
		if err != nil {
			inventoryErr = err
			return
		}
		rev, err := review.Tool(nil, all, review.Options{})
		if err != nil {
			inventoryErr = err
			return
		}
		inventoryList = append(append(append([]*tools.Tool{}, all...), extra...), append(diffs, rev)...)
	})
	return inventoryList, inventoryErr
}

// Choose applies a selection to the inventory, as a server with every
// provider configured would (`mcp-server tools`).
func Choose(sel Selection) ([]*tools.Tool, error) {
	known, err := Inventory()
	if err != nil {
		return nil, err
	}
	if err := sel.Policy.Check(known); err != nil {
		return nil, err
	}
	var generated, extra []*tools.Tool
	for _, t := range known {
		if t.Operation != "" {
			generated = append(generated, t)
		} else {
			extra = append(extra, t)
		}
	}
	return choose(sel, generated, extra, nil)
}

// choose applies the selection to the tools of the configured providers
// and returns what to register. extra are hand-written tools that need no
// connection binding (lineage_impact, list_resources, read_resource).
func choose(sel Selection, available, extra []*tools.Tool, conns []*tools.Connection) ([]*tools.Tool, error) {
	offered := sel.Policy.Filter(available)
	if conns != nil {
		var err error
		if offered, err = tools.Bind(offered, conns); err != nil {
			return nil, err
		}
	}
	offered = append(offered, sel.Policy.Filter(extra)...)
	if sel.Mode == ModeDiscovery {
		return tools.DiscoveryTools(offered)
	}
	return offered, nil
}

// withDiffTools adds diff_tables and get_diff_result. With Datafold among
// the configured providers they join its generated tools and are chosen
// and bound to connections exactly like them (a read-only connection does
// not offer diff_tables; several Datafold connections add the connection
// argument); with only the user's own databases, they join the extras
// (get_diff_result picks up a warehouse diff by its handle).
func withDiffTools(all, available, extra []*tools.Tool, o diff.Options) ([]*tools.Tool, []*tools.Tool, error) {
	datafold := false
	for _, t := range available {
		datafold = datafold || t.Provider == providers.Datafold
	}
	if !datafold && len(o.Warehouses.Names()) == 0 {
		return available, extra, nil
	}
	diffs, err := diff.Tools(all, o)
	if err != nil {
		return nil, nil, err
	}
	if datafold {
		return append(append([]*tools.Tool{}, available...), diffs...), extra, nil
	}
	return available, append(append([]*tools.Tool{}, extra...), diffs...), nil
}

// visibleIn hides, per request, the tools the request headers' policy
// removes; mcp-go applies it to tools/call too, so a hidden tool cannot be
// called. Tools the server does not know of (test fixtures) stay visible.
func visibleIn(offerable []*tools.Tool) func(ctx context.Context, name string) bool {
	byName := make(map[string]*tools.Tool, len(offerable))
	for _, t := range offerable {
		byName[t.Name] = t
	}
	return func(ctx context.Context, name string) bool {
		p, ok := tools.RequestPolicy(ctx)
		if !ok {
			return true
		}
		t := byName[name]
		return t == nil || p.Allows(t)
	}
}
