package evals

import (
	"context"
	"encoding/json"
	"fmt"
)

// RouteResult is where the discovery search ranks a task's tools.
type RouteResult struct {
	Task *Task
	// Rank is the 1-based position of the first acceptable tool among the
	// results, 0 when none is in the first Limit.
	Rank int
	// Got are the tools search_tools returned, best first.
	Got []string
}

// RouteLimit is how many tools routing asks search_tools for.
const RouteLimit = 5

// Route asks the discovery server's search_tools, through MCP, for the
// task's prompt as the user wrote it.
func Route(ctx context.Context, discovery *Server, t *Task) (RouteResult, error) {
	r, text, err := discovery.Call(ctx, "search_tools", map[string]any{"query": t.Prompt, "limit": RouteLimit})
	if err != nil {
		return RouteResult{}, err
	}
	if r.IsError {
		return RouteResult{}, fmt.Errorf("search_tools failed: %s", text)
	}
	var out struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return RouteResult{}, fmt.Errorf("search_tools answer: %w", err)
	}
	res := RouteResult{Task: t}
	for i, tool := range out.Tools {
		res.Got = append(res.Got, tool.Name)
		if res.Rank == 0 && contains(t.Tools, tool.Name) {
			res.Rank = i + 1
		}
	}
	return res, nil
}

// Top reports whether an acceptable tool is among the first n.
func (r RouteResult) Top(n int) bool { return r.Rank > 0 && r.Rank <= n }
